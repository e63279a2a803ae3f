/* Northwind demo site behaviour: cart, forms, pricing toggle and filters; consent is Augur's banner (/widget.js).
   It does no tracking itself: the Augur tracker (/t.js) observes the page; we only call window.augur when it exists. */
(() => {
  'use strict';
  const PRODUCTS = [
    { id: 1, name: 'Ridgeline 2 Tent', price: 349, cat: 'Camping', art: 'tent' },
    { id: 2, name: 'Summit 45 Backpack', price: 189, cat: 'Packs', art: 'pack' },
    { id: 3, name: 'Glacier Down Jacket', price: 279, cat: 'Apparel', art: 'jacket' },
    { id: 4, name: 'Switchback Trail Shoe', price: 149, cat: 'Footwear', art: 'shoe' },
    { id: 5, name: 'Cirrus Carbon Poles', price: 89, cat: 'Accessories', art: 'poles' },
    { id: 6, name: 'Ember Ti Stove', price: 69, cat: 'Camping', art: 'stove' },
    { id: 7, name: 'Nightjar 400 Headlamp', price: 45, cat: 'Accessories', art: 'lamp' },
    { id: 8, name: 'Tundra −10 Sleeping Bag', price: 229, cat: 'Camping', art: 'bag' },
  ];
  const PLANS = { hiker: 'Hiker', guide: 'Guide', outfitter: 'Outfitter' };
  const byId = Object.fromEntries(PRODUCTS.map((p) => [p.id, p]));
  const $ = (s, r = document) => r.querySelector(s);
  const $$ = (s, r = document) => [...r.querySelectorAll(s)];
  const eur = (n) => new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' }).format(n);
  // The tracker is optional (it may be blocked or not loaded yet); its errors must never break the demo.
  const withAugur = (fn) => { try { if (window.augur) fn(window.augur); } catch (e) { /* ignore */ } };
  const storage = (kind) => { try { return window[kind]; } catch (e) { return null; } };
  const read = (kind, key, fallback) => {
    try { const v = storage(kind).getItem(key); return v === null ? fallback : JSON.parse(v); } catch (e) { return fallback; }
  };
  const write = (kind, key, value) => { try { storage(kind).setItem(key, JSON.stringify(value)); } catch (e) { /* ignore */ } };

  /* Cart: an array of product ids in sessionStorage, one entry per unit. */
  const cart = () => { const c = read('sessionStorage', 'demo_cart', []); return Array.isArray(c) ? c.filter((id) => byId[id]) : []; };
  const setCart = (ids) => { write('sessionStorage', 'demo_cart', ids); renderCount(); };
  const totals = (ids) => {
    const subtotal = ids.reduce((s, id) => s + byId[id].price, 0);
    const shipping = subtotal === 0 || subtotal >= 100 ? 0 : 6.9;
    return { subtotal, shipping, total: Math.round((subtotal + shipping) * 100) / 100 };
  };
  const art = (p) => `<div class="art tint-${p.id}"><svg aria-hidden="true"><use href="sprite.svg#${p.art}"></use></svg></div>`;
  const grouped = (ids) => [...new Set(ids)].map((id) => ({ p: byId[id], qty: ids.filter((x) => x === id).length }));

  function renderCount() { const el = $('#cart-count'); if (el) el.textContent = String(cart().length); }

  function toast(html) {
    let t = $('.toast');
    if (!t) { t = document.createElement('div'); t.className = 'toast'; t.setAttribute('role', 'status'); document.body.append(t); }
    t.innerHTML = html; t.classList.add('show');
    clearTimeout(toast.timer); toast.timer = setTimeout(() => t.classList.remove('show'), 3200);
  }

  function addToCart(id, qty) {
    const p = byId[id]; if (!p) return;
    const ids = cart(); for (let i = 0; i < qty; i++) ids.push(id);
    setCart(ids);
    withAugur((a) => a.track('add_to_cart', { product_id: String(id), price: p.price }));
    toast(`Added ${qty > 1 ? qty + ' × ' : ''}${p.name} to your cart. <a href="cart.html">View cart</a>`);
  }

  function renderSummary(ids) {
    const t = totals(ids);
    const set = (id, v) => { const el = document.getElementById(id); if (el) el.textContent = v; };
    set('sum-subtotal', eur(t.subtotal));
    set('sum-shipping', t.shipping ? eur(t.shipping) : 'Free');
    set('sum-total', eur(t.total));
  }

  function renderCart() {
    const root = $('#cart-root'); if (!root) return;
    const ids = cart();
    $$('.needs-items').forEach((el) => { el.hidden = ids.length === 0; });
    if (!ids.length) {
      root.innerHTML = '<div class="empty"><h2>Your cart is empty</h2><p class="muted">Find something for your next trip.</p><a class="btn" href="products.html" data-augur-action="shop-now">Browse gear</a></div>';
    } else {
      root.innerHTML = grouped(ids).map(({ p, qty }) => `<div class="cart-row">${art(p)}
        <div><strong><a href="product-${p.id}.html">${p.name}</a></strong><div class="muted small">${p.cat} · ${eur(p.price)} each</div></div>
        <div class="qty"><button type="button" aria-label="One fewer ${p.name}" data-augur-action="cart-decrease" data-augur-product="${p.id}">−</button>
        <span aria-label="Quantity">${qty}</span><button type="button" aria-label="One more ${p.name}" data-augur-action="cart-increase" data-augur-product="${p.id}">+</button></div>
        <div><strong>${eur(p.price * qty)}</strong><br><button type="button" class="link-btn small" data-augur-action="remove-from-cart" data-augur-product="${p.id}">Remove</button></div></div>`).join('');
    }
    renderSummary(ids);
  }

  function renderCheckout() {
    const list = $('#summary-items'); if (!list) return;
    const ids = cart();
    list.innerHTML = grouped(ids).map(({ p, qty }) => `<div class="mini-item">${art(p)}<div>${p.name}<br><span class="muted">Qty ${qty}</span></div><strong>${eur(p.price * qty)}</strong></div>`).join('');
    renderSummary(ids);
    const empty = $('#empty-note'); if (empty) empty.hidden = ids.length > 0;
    const btn = $('#checkout-form [type=submit]'); if (btn) btn.disabled = ids.length === 0;
  }

  function renderThanks() {
    const title = $('#thanks-title'); if (!title) return;
    const info = read('sessionStorage', 'demo_thanks', null); if (!info) return;
    const text = $('#thanks-text');
    const msg = {
      order: ['Thank you — your order is confirmed', `Order <strong>${info.ref}</strong> · total <strong>${eur(info.total || 0)}</strong>. In a real shop a confirmation email would be on its way; this is a demo, so nothing was charged or shipped.`],
      trial: ['Your Trailhead trial has started', `You are on the <strong>${PLANS[info.plan] || 'Guide'}</strong> plan for 14 days, free. The getting-started guide walks you through your first route.`],
      contact: ['Thanks — our team will be in touch', 'A member of our sales team replies within one business day, usually much sooner.'],
      support: ['We have received your request', `Your ticket number is <strong>${info.ref}</strong>. Our support team answers within 24 hours on working days.`],
      apply: ['Application received', 'Thank you for your interest in Northwind. Our hiring team reads every application and will reply within two weeks.'],
    }[info.kind];
    if (!msg) return;
    title.textContent = msg[0]; text.innerHTML = msg[1];
  }

  const ref = (prefix) => prefix + '-' + Math.random().toString(36).slice(2, 8).toUpperCase();

  // Forms are intercepted so no field is ever serialised into a URL; the tracker sees the submit event first-hand.
  document.addEventListener('submit', (e) => {
    const form = e.target; const kind = form.dataset && form.dataset.demoForm; if (!kind) return;
    e.preventDefault();
    const value = (name) => { const el = form.elements.namedItem(name); return el ? el.value : ''; };
    if (kind === 'newsletter') {
      const ok = document.createElement('p'); ok.className = 'success'; ok.setAttribute('role', 'status');
      ok.textContent = 'Thanks — you are subscribed. Look out for our next field notes.';
      form.replaceWith(ok); return;
    }
    const info = { kind };
    if (kind === 'order') {
      info.total = totals(cart()).total; info.ref = ref('NW');
      withAugur((a) => a.convert('purchase', info.total, 'EUR'));
      setCart([]);
    } else if (kind === 'trial') {
      info.plan = value('plan');
      withAugur((a) => a.convert('signup'));
    } else if (kind === 'contact') {
      withAugur((a) => a.convert('contact'));
    } else if (kind === 'support') {
      info.ref = ref('SUP');
    }
    write('sessionStorage', 'demo_thanks', info);
    const btn = $('[type=submit]', form); if (btn) { btn.disabled = true; btn.textContent = 'Sending…'; }
    setTimeout(() => { location.href = 'thanks.html'; }, 400);
  });

  function setBilling(mode) {
    $$('[data-billing]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.billing === mode)));
    $$('[data-monthly]').forEach((el) => { el.textContent = el.dataset[mode]; });
    const input = $('#trial-form [name=billing]'); if (input) input.value = mode;
  }

  function filterProducts(cat) {
    $$('[data-cat]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.cat === cat)));
    let shown = 0;
    $$('.product[data-category]').forEach((card) => {
      card.hidden = cat !== 'All' && card.dataset.category !== cat; if (!card.hidden) shown++;
    });
    const count = $('#result-count'); if (count) count.textContent = `${shown} product${shown === 1 ? '' : 's'}`;
  }

  function focusForm(formId, field, val) {
    const form = document.getElementById(formId); if (!form) return false;
    const el = form.elements.namedItem(field); if (el && val) el.value = val;
    form.scrollIntoView({ block: 'start' });
    const first = $('input:not([type=hidden])', form); if (first) first.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener('click', (e) => {
    const el = e.target.closest('[data-augur-action], [data-billing], [data-cat], .nav-toggle');
    if (!el) return;
    const action = el.dataset.augurAction; const id = Number(el.dataset.augurProduct);
    if (el.classList.contains('nav-toggle')) {
      const nav = document.getElementById('nav-links'); const open = nav.classList.toggle('open');
      el.setAttribute('aria-expanded', String(open));
    } else if (action === 'add-to-cart') {
      const q = el.dataset.qtyFrom ? Number($(el.dataset.qtyFrom).value) : 1;
      addToCart(id, Math.min(9, Math.max(1, q || 1)));
    } else if (action === 'cart-increase') {
      setCart([...cart(), id]); renderCart();
    } else if (action === 'cart-decrease' || action === 'remove-from-cart') {
      const ids = cart();
      setCart(action === 'remove-from-cart' ? ids.filter((x) => x !== id) : ids.filter((x, i) => i !== ids.lastIndexOf(id)));
      renderCart();
    } else if (el.dataset.billing) {
      setBilling(el.dataset.billing);
    } else if (el.dataset.cat) {
      filterProducts(el.dataset.cat);
    } else if (action === 'start-trial' && el.dataset.plan) {
      if (focusForm('trial-form', 'plan', el.dataset.plan)) e.preventDefault();
    } else if (action === 'apply' && el.dataset.role) {
      if (focusForm('application-form', 'role', el.dataset.role)) e.preventDefault();
    } else if (action === 'docs-feedback') {
      el.parentElement.innerHTML = '<p class="success" role="status">Thanks for the feedback — it helps us improve these docs.</p>';
    } else if (action === 'privacy-choices') {
      // The Augur consent banner (/widget.js) reopens with the visitor's current choice.
      if (window.augurConsentBanner) window.augurConsentBanner.open();
    }
  });

  renderCount(); renderCart(); renderCheckout(); renderThanks();
  if ($('[data-billing]')) setBilling('monthly');
  const plan = new URLSearchParams(location.search).get('plan');
  if (plan && PLANS[plan]) { const s = $('#trial-form [name=plan]'); if (s) s.value = plan; }
})();
