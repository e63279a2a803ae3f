// The events of one page visit: what the tracker would report between page_view and page_leave
// for a visitor of a given intent, on a given device, who goes on to a given next page.
import type { Rng } from '../platform/random.js';
import { ADD_TO_CART_AND_STAY, BASE_DWELL_S, BEHAVIOUR, CLICK_TARGETS, FORM_ABANDON, formOf, NAV_ACTION, PAGE_TITLES, PRODUCTS, sectionsOf, type Category, type ClickTarget, type Intent, type Outcome, type Product, type State } from './model.js';
import type { Device } from './traffic.js';
import type { EventType, SimEvent } from './wire.js';

export const CURRENCY = 'EUR';
const MILESTONES = [25, 50, 75, 90, 100] as const;
/** Page length in viewport heights, for scroll speed and the part visible without scrolling. */
const PAGE_SCREENS: Record<Category, number> = { home: 5, listing: 5, product: 5, pricing: 5, docs: 8, blog: 7, support: 4, careers: 4, cart: 2, checkout: 3, thanks: 2, contact: 2.5 };
const TEXT_PAGES: ReadonlySet<Category> = new Set(['docs', 'blog', 'support', 'careers', 'product']);
/** Pages with add-to-cart buttons (web/demo/). */
const SHOP_PAGES: ReadonlySet<Category> = new Set(['home', 'listing', 'product', 'blog', 'thanks']);

/** What a session carries from page to page. */
export interface SessionState {
  cart: Product[];
  outcomes: { type: Outcome; value: number | null }[];
  /** Sent with identify when this visitor completes a checkout (null: stays anonymous). */
  customerId: string | null;
}

export interface PageVisit {
  intent: Intent;
  category: Category;
  file: string;
  url: string;
  referrer: string;
  start: number;
  next: State;
  nextUrl: string | null;
  nextFile: string | null;
  /** Whether the visitor submits this page's form (decided with the path: most forms lead to thanks). */
  submit: boolean;
  firstOfSession: boolean;
  /** Analytics consent: without it only page_view and page_leave are sent. */
  consented: boolean;
  device: Device;
  viewport: { w: number; h: number };
  /** The visit_reason answer to send on this page, if any. */
  surveyAnswer: string | null;
}

type Add = (type: EventType, ts: number, data?: Record<string, unknown>) => void;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const productOfFile = (file: string) => PRODUCTS.find((p) => `product-${p.id}.html` === file);

/** Order total as the demo computes it: free shipping from 100 EUR. */
export function cartTotal(cart: readonly Product[]): number {
  const subtotal = cart.reduce((sum, p) => sum + p.price, 0);
  return Math.round((subtotal + (subtotal === 0 || subtotal >= 100 ? 0 : 6.9)) * 100) / 100;
}

/** The dwell time (ms) of a visit: lognormal around the category's median, stretched by interest. */
export function dwellMs(rng: Rng, intent: Intent, category: Category): number {
  const b = BEHAVIOUR[intent];
  const median = BASE_DWELL_S[category] * (b.interest[category] ?? 1) * 1000;
  return Math.round(clamp(rng.lognormal(median, b.dwellSigma), 1500, 30 * 60_000));
}

/** Generates the visit's events (ts-ordered) and updates the session state. */
export function pageEvents(rng: Rng, visit: PageVisit, dwell: number, state: SessionState): SimEvent[] {
  const events: SimEvent[] = [];
  const b = BEHAVIOUR[visit.intent];
  const end = visit.start + dwell;
  // Behaviour is drawn the same with or without consent (consent does not change what people do);
  // without analytics consent the tracker reports nothing but page views and leaves.
  const add: Add = (type, ts, data) => {
    const event_id = rng.uuid();
    if (!visit.consented && type !== 'page_view' && type !== 'page_leave') return;
    events.push({ event_id, type, ts: clamp(Math.round(ts), visit.start, end), url: visit.url, ...(data ? { data } : {}) });
  };
  const at = (fraction: number) => visit.start + clamp(fraction, 0, 1) * dwell;

  const screens = PAGE_SCREENS[visit.category];
  const median = BASE_DWELL_S[visit.category] * (b.interest[visit.category] ?? 1) * 1000;
  const depth = clamp(b.scrollPropensity * (0.7 + 0.3 * Math.min(2, dwell / median)) + rng.normal(0, 0.15), 0, 1);
  const initial = Math.min(100, Math.round(100 / screens));
  const maxScroll = Math.max(initial, Math.round(depth * 100));

  if (visit.firstOfSession) add('session_start', visit.start);
  add('page_view', visit.start, { title: PAGE_TITLES[visit.file] ?? visit.file, referrer: visit.referrer });
  if (visit.surveyAnswer) add('survey', visit.start + Math.min(dwell * 0.6, rng.lognormal(6000, 0.4)), { question: 'visit_reason', answer: visit.surveyAnswer });
  addScrolls(rng, visit, dwell, maxScroll, initial, add);
  addSections(rng, visit, dwell, maxScroll, add);
  addClicks(rng, visit, dwell, maxScroll, add);
  addCart(rng, visit, state, add, at);
  addForm(rng, visit, state, add, at);
  addNavigation(rng, visit, add, end - 60);
  if (visit.device.kind === 'desktop') addMouse(rng, visit, dwell, add, end - 10);
  const engaged = Math.round(dwell * (visit.device.mobile ? rng.float(0.7, 1) : rng.float(0.85, 1)));
  add('page_leave', end, { engaged_ms: engaged, max_scroll: maxScroll });
  // Stable sort: session_start and page_view stay first, page_leave last among equal timestamps.
  events.sort((x, y) => x.ts - y.ts);
  return events;
}

function addScrolls(rng: Rng, visit: PageVisit, dwell: number, maxScroll: number, initial: number, add: Add): void {
  if (maxScroll <= initial) return; // never scrolled
  const pageHeight = visit.viewport.h * PAGE_SCREENS[visit.category];
  const wpm = clamp(rng.lognormal(BEHAVIOUR[visit.intent].readingWpm, 0.25), 40, 4000);
  for (const depth of MILESTONES) {
    if (depth > maxScroll) break;
    const fraction = (depth / maxScroll) * 0.9;
    const seconds = Math.max(0.5, (fraction * dwell) / 1000);
    const data: Record<string, unknown> = { depth, px_per_s: Math.round(((depth / 100) * pageHeight) / seconds) };
    if (TEXT_PAGES.has(visit.category)) data.reading_wpm = Math.round(clamp(wpm * rng.lognormal(1, 0.1), 0, 5000));
    add('scroll', visit.start + fraction * dwell, data);
  }
}

function addSections(rng: Rng, visit: PageVisit, dwell: number, maxScroll: number, add: Add): void {
  const sections = sectionsOf(visit.category, visit.file);
  const focus = BEHAVIOUR[visit.intent].sectionFocus;
  sections.forEach((section, i) => {
    if ((i / sections.length) * 100 > maxScroll) return; // never scrolled into view
    const share = focus.includes(section) ? rng.float(0.35, 0.8) : rng.float(0.03, 0.3);
    add('section', visit.start + dwell - 20, { section, visible_ms: Math.round(dwell * share) });
  });
}

function clickData(target: ClickTarget & { href?: string }, x: number, y: number): Record<string, unknown> {
  return {
    tag: target.tag,
    ...(target.id ? { id: target.id } : {}),
    ...(target.classes ? { classes: target.classes } : {}),
    ...(target.augur ? { augur: target.augur } : {}),
    ...(target.href ? { href: target.href } : {}),
    ...(target.text ? { text: target.text } : {}),
    x,
    y,
  };
}

function addClicks(rng: Rng, visit: PageVisit, dwell: number, maxScroll: number, add: Add): void {
  const count = Math.min(6, rng.poisson(BEHAVIOUR[visit.intent].clicksPerPage));
  const pageHeight = visit.viewport.h * PAGE_SCREENS[visit.category];
  for (let i = 0; i < count; i++) {
    const target = rng.pick(CLICK_TARGETS[visit.category]);
    const y = Math.round(rng.float(0, (maxScroll / 100) * pageHeight));
    add('click', visit.start + rng.float(0.1, 0.9) * dwell, clickData(target, rng.int(10, visit.viewport.w - 10), y));
  }
}

/** Add-to-cart before going to the cart (or, for some buyers, before browsing on). */
function addCart(rng: Rng, visit: PageVisit, state: SessionState, add: Add, at: (f: number) => number): void {
  if (!SHOP_PAGES.has(visit.category)) return;
  const staying = visit.category === 'product' && rng.chance(ADD_TO_CART_AND_STAY[visit.intent]);
  if (visit.next !== 'cart' && !staying) return;
  const product = productOfFile(visit.file) ?? rng.pick(PRODUCTS);
  const ts = at(0.8);
  state.cart.push(product);
  add('click', ts, clickData({ tag: 'button', text: 'Add to cart', classes: ['btn'], augur: { action: 'add-to-cart', product: String(product.id) } }, rng.int(10, visit.viewport.w - 10), rng.int(300, 900)));
  add('custom', ts + 1, { name: 'add_to_cart', props: { product_id: String(product.id), price: product.price } });
}

function addForm(rng: Rng, visit: PageVisit, state: SessionState, add: Add, at: (f: number) => number): void {
  const spec = formOf(visit.category, visit.file);
  if (!spec) return;
  const focus = (f: number) => add('form', at(f), { action: 'focus', form: spec.form, fields: spec.fields, filled: 0, field: spec.first });
  if (visit.submit) {
    focus(0.25);
    const ts = at(0.9);
    add('form', ts, { action: 'submit', form: spec.form, fields: spec.fields, filled: spec.fields });
    let value: number | null = null;
    if (spec.outcome === 'purchase') {
      value = cartTotal(state.cart);
      if (state.customerId) add('identify', ts + 1, { customer_id: state.customerId });
      add('conversion', ts + 2, { type: 'purchase', value, currency: CURRENCY });
      state.cart = [];
    } else if (spec.outcome === 'signup' || spec.outcome === 'contact') {
      add('conversion', ts + 2, { type: spec.outcome });
    } else if (spec.outcome === 'apply') {
      add('custom', ts + 2, { name: 'apply', props: { role: rng.pick(['backend', 'designer', 'store', 'support']) } });
    }
    state.outcomes.push({ type: spec.outcome, value });
  } else if (visit.category === 'checkout' || rng.chance(FORM_ABANDON[visit.intent])) {
    // Everyone who reaches checkout starts it; on other pages only some start the form.
    focus(visit.category === 'checkout' ? 0.15 : 0.4);
    add('form', at(0.97), { action: 'abandon', form: spec.form, fields: spec.fields, filled: rng.int(visit.category === 'checkout' ? 1 : 0, spec.fields - 1) });
  }
}

function addNavigation(rng: Rng, visit: PageVisit, add: Add, ts: number): void {
  if (visit.next === 'exit' || !visit.nextUrl || !visit.nextFile) return;
  const x = rng.int(10, visit.viewport.w - 10);
  const y = rng.int(20, visit.viewport.h * 2);
  if (visit.next === 'thanks' && visit.submit) {
    const action = visit.category === 'checkout' ? 'place-order' : visit.category === 'careers' ? 'submit-application' : undefined;
    add('click', ts, clickData({ tag: 'button', text: 'Submit', classes: ['btn'], ...(action ? { augur: { action } } : {}) }, x, y));
    return;
  }
  const action = NAV_ACTION[visit.next];
  const product = productOfFile(visit.nextFile);
  const augur = action ? { action, ...(product ? { product: String(product.id) } : {}) } : undefined;
  const text = (PAGE_TITLES[visit.nextFile] ?? visit.nextFile).split(' · ')[0]!.split(' — ')[0]!.slice(0, 64);
  add('click', ts, clickData({ tag: 'a', text, href: visit.nextUrl, ...(augur ? { augur } : {}) }, x, y));
}

function addMouse(rng: Rng, visit: PageVisit, dwell: number, add: Add, ts: number): void {
  const b = BEHAVIOUR[visit.intent];
  const durationMs = Math.round(dwell * rng.float(0.5, 0.95));
  const speed = rng.lognormal(visit.intent === 'browse' ? 380 : 260, 0.35);
  add('mouse', ts, {
    distance_px: Math.round((speed * durationMs) / 1000),
    avg_speed_px_s: Math.round(speed),
    hesitations: rng.poisson((b.hesitationsPerMin * durationMs) / 60_000),
    samples: Math.floor(durationMs / 100),
    duration_ms: durationMs,
  });
}
