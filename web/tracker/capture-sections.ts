// Time each [data-augur-section] spends in view while the page is visible, reported once per section at page_leave.
import { analytics, onConsent } from './consent.js';
import { onLeave, onStart, track } from './page.js';

const ATTR = 'data-augur-section';
const inView = new Map<Element, number>(); // section → bits of the observers that see it
let totals: Record<string, number> = {};
let last = 0;
let counting = false;

// Adds the time since the previous tick to every section in view, if that time was visible and consented.
const tick = () => {
  const t = Date.now();
  if (counting) 
    new Set([...inView.keys()].map((el) => (el.getAttribute(ATTR) || '').slice(0, 64))).forEach((name) => {
      if (name) totals[name] = (totals[name] || 0) + t - last;
    });
  last = t;
  counting = !document.hidden && analytics();
};

// "In view" is either half of the section visible, or, for sections taller than the viewport, the section
// crossing the viewport's middle line: two observers, one bit each.
const observer = (bit: number, inside: (e: IntersectionObserverEntry) => boolean, options: IntersectionObserverInit) =>
  new IntersectionObserver((entries) => {
    tick();
    entries.forEach((e) => {
      const bits = ((inView.get(e.target) || 0) & ~bit) | (inside(e) ? bit : 0);
      if (bits) inView.set(e.target, bits);
      else inView.delete(e.target);
    });
  }, options);

export const initSections = () => {
  const observers = [
    observer(1, (e) => e.intersectionRatio >= 0.5, { threshold: 0.5 }),
    observer(2, (e) => e.isIntersecting, { rootMargin: '-50% 0px' }),
  ];
  const scan = () => document.querySelectorAll('[' + ATTR + ']').forEach((el) => observers.forEach((o) => o.observe(el)));
  // Sections rendered later (SPA routes, lazy content) are observed too.
  let timer = 0;
  new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(scan, 500);
  }).observe(document.body, { childList: true, subtree: true });
  document.addEventListener('visibilitychange', tick);
  onConsent(tick);
  onStart(() => {
    tick();
    scan();
  });
  onLeave(() => {
    tick();
    for (const name in totals) if (totals[name]) track('section', { section: name, visible_ms: Math.min(totals[name]!, 864e5) });
    totals = {};
    // The next page observes afresh, so sections removed from the DOM are let go.
    observers.forEach((o) => o.disconnect());
    inView.clear();
  });
};
