// The event queue and its transport: batches, beacons on the way out, and retries that reuse the event ids
// (the server is idempotent on event_id, so a resent event is stored once).
import { allowed, analytics, consent, onConsent, type Category } from './consent.js';
import { context } from './context.js';
import { ids } from './identity.js';
import { del, load, save } from './storage.js';

export type Ev = { event_id: string; type: string; ts: number; url: string; category?: Category; data?: object };

const RETRY_KEY = 'augur_q';
const MAX_RETRY = 200;
const MAX_AGE_MS = 23 * 3600e3; // the server rejects events older than 24 h

let endpoint = '';
let site = '';
let offset = 0; // server clock minus ours, when more than 5 s
let queue: Ev[] = [];
let retry: Ev[] = [];
let attempt = 0;
let flushTimer = 0;
let retryTimer = 0;

/** The client clock corrected by the server's. */
export const now = () => Date.now() + offset;

/** Delay before retry number n (from 0): 2 s doubling, at most 5 minutes. */
export const backoff = (n: number) => Math.min(2000 * 2 ** n, 300e3);

/**
 * The UTF-8 length of s, as TextEncoder or a Blob would encode it (a lone surrogate becomes U+FFFD, 3 bytes).
 * Counting char codes is far cheaper than a Blob per event, which cost most of the tracker's time per event.
 */
export const utf8Length = (s: string) => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n +=
      c < 0x80 ? 1
      : c < 0x800 ? 2
      : (c & 0xfc00) == 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) == 0xdc00 ? (i++, 4) // a surrogate pair
      : 3;
  }
  return n;
};

/** Splits items into requests of at most max items and at most maxBytes of JSON (UTF-8, with the commas). */
export const batches = <T>(items: T[], max = 100, maxBytes = 58e3): T[][] => {
  const out: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = utf8Length(JSON.stringify(item)) + 1;
    if (batch.length && (batch.length == max || bytes + size > maxBytes)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length) out.push(batch);
  return out;
};

// Failed events survive a reload only with analytics consent; otherwise they are retried from memory.
const persist = () => (analytics() && retry.length ? save(RETRY_KEY, retry) : del(RETRY_KEY));

const fail = (events: Ev[]) => {
  retry = retry.concat(events).slice(-MAX_RETRY);
  persist();
  if (!retryTimer)
    retryTimer = setTimeout(() => {
      retryTimer = 0;
      send(true);
    }, backoff(attempt++));
};

const post = (events: Ev[], beacon?: boolean) => {
  const c = consent();
  const body = JSON.stringify({
    site,
    ...(c.analytics && ids()),
    consent: { analytics: c.analytics, marketing: c.marketing, personalization: c.personalization },
    sent_at: now(),
    context: context(),
    events,
  });
  // A beacon survives the page being unloaded, but its answer cannot be read.
  if (beacon && navigator.sendBeacon && navigator.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' }))) return;
  // text/plain keeps the request "simple": no CORS preflight.
  return fetch(endpoint, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } }).then(
    (r) => {
      if (r.status == 429 || r.status > 499) return fail(events);
      attempt = 0;
      persist();
      if (r.ok)
        r.json().then((answer) => {
          const d = answer.server_time - Date.now();
          offset = Math.abs(d) > 5e3 ? d : 0;
        }, () => {});
    },
    () => fail(events),
  );
};

/**
 * Sends the queue and the events waiting for a retry. Automatic sends wait out a retry backoff; forced ones
 * (augur.flush(), leaving the page, the backoff timer, coming online) do not. A beacon send leaves the retry queue
 * in place, since whether a beacon arrived is never known.
 */
export const send = (force?: boolean, beacon?: boolean): Promise<unknown> => {
  clearTimeout(flushTimer);
  flushTimer = 0;
  if (retryTimer && !force) return Promise.resolve();
  let events = retry.concat(queue);
  queue = [];
  if (!beacon) {
    clearTimeout(retryTimer);
    retryTimer = 0;
    retry = [];
  }
  const oldest = now() - MAX_AGE_MS;
  // Consent is checked again: it may have been withdrawn since the event was queued.
  events = events.filter((e) => e.ts > oldest && allowed(e));
  return Promise.all(batches(events).map((b) => post(b, beacon)));
};

export const enqueue = (e: Ev) => {
  queue.push(e);
  if (queue.length >= 20) send();
  else if (!flushTimer) flushTimer = setTimeout(send, 5e3);
};

export const initSend = (api: string, siteKey: string) => {
  endpoint = api + '/api/v1/track/event';
  site = siteKey;
  const stored = analytics() && load(RETRY_KEY);
  if (Array.isArray(stored)) retry = stored;
  addEventListener('online', () => send(true));
  document.addEventListener('visibilitychange', () => document.hidden && send(true, true));
  // Revoking analytics deletes the stored queue; granting it keeps the pending retries across reloads.
  onConsent(persist);
};
