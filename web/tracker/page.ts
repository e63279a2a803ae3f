// The page lifecycle: page_view, visible ("engaged") time, page_leave, and SPA navigations. Capture modules hook
// into it to reset per-page state and to report their summaries just before the page_leave.
import { allowed, analytics, onConsent, type Category } from './consent.js';
import { saveSession, touch, uuid } from './identity.js';
import { cut } from './sanitize.js';
import { enqueue, now, send, type Ev } from './send.js';

type LeaveData = { engaged_ms: number; max_scroll: number };
const starts: (() => void)[] = [];
const leaves: ((d: LeaveData) => void)[] = [];
export const onStart = (fn: () => void) => starts.push(fn);
export const onLeave = (fn: (d: LeaveData) => void) => leaves.push(fn);

let url = '';
let left = true;
let engagedMs = 0;
let visibleSince = 0;
let viewData = {};
let viewSent = false;

// Marks visitor activity (analytics only); a new session is announced with a session_start event.
const activity = () => {
  if (analytics() && touch()) enqueue({ event_id: uuid(), type: 'session_start', ts: now(), url });
};

/** Queues an event of the current page if consent allows it; true when queued. */
export const track = (type: string, data?: object, category?: Category) => {
  const e: Ev = { event_id: uuid(), type, ts: now(), url, data };
  if (category) e.category = category;
  if (!allowed(e)) return false;
  // What is reported on the way out (summaries, page_leave) is not activity: after a long idle it must not open a
  // session of its own.
  if (!left) activity();
  enqueue(e);
  return true;
};

export const engaged = () => Math.min(engagedMs + (visibleSince && Date.now() - visibleSince), 864e5);

const leave = () => {
  if (left) return;
  left = true;
  const d = { engaged_ms: engaged(), max_scroll: 0 };
  leaves.forEach((f) => f(d));
  track('page_leave', d);
};

/** Ends the current page (if any) and starts one for the current URL. */
export const view = (spa?: boolean) => {
  const previous = url;
  leave();
  url = location.href.slice(0, 2048);
  left = false;
  engagedMs = 0;
  visibleSince = document.hidden ? 0 : Date.now();
  starts.forEach((f) => f());
  viewData = { title: cut(document.title, 300), referrer: cut(spa ? previous : document.referrer, 2048), spa: spa || undefined };
  viewSent = track('page_view', viewData);
};

export const initPage = (spa: boolean) => {
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      engagedMs = engaged();
      visibleSince = 0;
      saveSession(); // the stored last activity may lag (see touch): the next page must see the exact one
    } else if (!visibleSince) visibleSince = Date.now();
  });
  addEventListener('pagehide', () => {
    leave();
    saveSession();
    send(true, true);
  });
  addEventListener('pageshow', (e) => e.persisted && view()); // restored from the back/forward cache
  // Consent granted on this page: start the session now, and count a page view that Do Not Track had dropped.
  onConsent(() => {
    if (left) return;
    if (viewSent) activity();
    else viewSent = track('page_view', viewData);
  });
  if (spa) {
    // Debounced: a router's redirect chain is one navigation, and the new title is usually set by then.
    let timer = 0;
    const navigate = () => {
      clearTimeout(timer);
      timer = setTimeout(() => location.href.slice(0, 2048) != url && view(true), 100);
    };
    for (const m of ['pushState', 'replaceState'] as const) {
      const original = history[m];
      history[m] = function (this: History, ...args: Parameters<History['pushState']>) {
        original.apply(this, args);
        navigate();
      };
    }
    addEventListener('popstate', navigate);
    addEventListener('hashchange', navigate);
  }
  view();
};
