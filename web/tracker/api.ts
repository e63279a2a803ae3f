// window.augur: the page's interface to the tracker.
import { consent, onConsent, setConsent, type Category } from './consent.js';
import { view, track } from './page.js';
import { cut, props } from './sanitize.js';
import { send } from './send.js';

const CATEGORY = /^(analytics|marketing|personalization)$/;

export const api = {
  /** A custom event; it needs consent for its category (default analytics). True when queued. */
  track: (name: string, data?: object, options?: { category?: Category }) => {
    const n = cut(name, 64);
    const category = options && options.category;
    return !!n && track('custom', { name: n, props: props(data) }, category && CATEGORY.test(category) ? category : undefined);
  },
  /** Links this visitor to a customer id of the site (never cut: a shortened id would be someone else's). */
  identify: (customerId: string, traits?: object) => {
    const id = cut(customerId, 129);
    return !!id && id.length <= 128 && track('identify', { customer_id: id, traits: props(traits) });
  },
  convert: (type: string, value?: number, currency?: string) => {
    const t = cut(type, 64);
    return (
      !!t &&
      track('conversion', {
        type: t,
        value: typeof value == 'number' && value >= 0 && value <= 1e12 ? value : undefined,
        currency: /^[a-z]{3}$/i.test(String(currency)) ? String(currency).toUpperCase() : undefined,
      })
    );
  },
  survey: (question: string, answer: string) => {
    const q = cut(question, 64);
    const a = cut(answer, 64);
    return !!(q && a) && track('survey', { question: q, answer: a });
  },
  /** A page view of the current URL, as an in-app navigation (for routers the history hooks do not see). */
  page: () => view(true),
  consent: { get: consent, set: setConsent, onChange: onConsent },
  /** Sends everything queued now. */
  flush: () => send(true),
};

// Calls queued before the script loaded, as [method, ...args] with dotted methods ("consent.set"); later pushes
// run at once.
const run = (call: unknown) => {
  if (!Array.isArray(call)) return;
  const [method, ...args] = call;
  const fn = String(method)
    .split('.')
    .reduce((o: any, k) => o && o[k], api);
  if (typeof fn == 'function') fn(...args);
};

export const replay = (queue: unknown) => {
  if (Array.isArray(queue)) queue.forEach(run);
  window.augurQueue = { push: (...calls: unknown[]) => calls.forEach(run) };
};
