// Load for the ingest benchmark: realistic tracker requests (20 events each, fresh event ids),
// sent closed-loop by autocannon (max throughput) or open-loop at a fixed rate (bench/lib.ts
// pacedLoad), with every acknowledgement recorded per request so that the rows in the database
// can be checked against it exactly.
import crypto from 'node:crypto';
import { autocannon, pacedLoad } from './lib.js';

export const EVENTS_PER_REQUEST = 20;
/** ~1 session per 10 requests; a session's requests are spread over the run (see sessionOf). */
const REQUESTS_PER_SESSION = 10;
const SESSION_SPREAD = 64;
const PATH = '/api/v1/track/event';

// Desktop and mobile browsers (bot User-Agents are accepted with 202 and dropped, so none here).
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
];
const CONTEXT = { screen_w: 1920, screen_h: 1080, viewport_w: 1280, viewport_h: 720, language: 'en-US', timezone: 'Europe/Berlin', ua_mobile: false, ua_platform: 'Windows', ua_brands: ['Chromium 130', 'Google Chrome 130'], webdriver: false };
const PAGES = ['/', '/pricing', '/products/42', '/products/7', '/blog/how-we-measure', '/docs/getting-started', '/contact', '/checkout'];
const SECTIONS = ['hero', 'features', 'pricing-table', 'testimonials', 'faq', 'footer'];
const BUTTONS = [
  { tag: 'button', id: 'buy', classes: ['btn', 'btn-primary'], augur: { cta: 'buy', plan: 'pro' }, text: 'Buy now' },
  { tag: 'a', classes: ['nav-link'], href: 'https://bench.example.com/pricing?ref=nav', text: 'Pricing' },
  { tag: 'button', classes: ['accordion-toggle'], text: 'How does billing work?' },
  { tag: 'a', id: 'signup-link', href: 'https://bench.example.com/signup', target: '_self', text: 'Start free trial' },
];

/** Small seeded PRNG (mulberry32): the same mix of events in every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** A random UUID whose last 12 hex digits are <request seq: 8><event index: 4>; the random head keeps index inserts random, as real ids are. */
export const eventId = (seq: number, index: number) => `${crypto.randomUUID().slice(0, 24)}${hex(seq, 8)}${hex(index, 4)}`;

export interface Envelope {
  body: string;
  userAgent: string;
}

export interface FactoryOptions {
  /** Visitor ids are `bv_<tag>_<n>` (default: a random tag). */
  tag?: string;
  /** Each request from a new visitor `bv_<tag>_r<seq>` in a session of its own (default: ~20 requests per visitor). */
  visitorPerRequest?: boolean;
}

/** Builds the requests of one run; seq numbers are unique across the whole benchmark. */
export function requestFactory(site: string, opts: FactoryOptions = {}) {
  const tag = opts.tag ?? crypto.randomBytes(4).toString('hex');
  const random = rng(20261121);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  let seq = 0;

  function sessionOf(n: number) {
    // Request n belongs to session (block of SESSION_SPREAD × 10 requests, n mod SESSION_SPREAD): its
    // 10 requests are SESSION_SPREAD apart, so one session rarely has two requests in flight at once.
    const block = Math.floor(n / (SESSION_SPREAD * REQUESTS_PER_SESSION));
    return block * SESSION_SPREAD + (n % SESSION_SPREAD);
  }

  function event(n: number, index: number, ts: number, page: string) {
    const base = { event_id: eventId(n, index), ts, url: `https://bench.example.com${page}` };
    const r = random();
    if (r < 0.3) {
      const button = pick(BUTTONS);
      return { ...base, type: 'click', data: { ...button, x: Math.floor(random() * 1280), y: Math.floor(random() * 4000) } };
    }
    if (r < 0.45) return { ...base, type: 'scroll', data: { depth: pick([25, 50, 75, 90, 100]), reading_wpm: Math.round(150 + random() * 200), px_per_s: Math.round(random() * 900) } };
    if (r < 0.6) return { ...base, type: 'section', data: { section: pick(SECTIONS), visible_ms: Math.floor(random() * 30_000) } };
    if (r < 0.7) return { ...base, type: 'mouse', data: { distance_px: Math.round(random() * 20_000), avg_speed_px_s: Math.round(random() * 800), hesitations: Math.floor(random() * 6), samples: 40, duration_ms: 10_000 } };
    if (r < 0.8) return { ...base, type: 'custom', data: { name: 'video_play', props: { video: 'intro', position_s: Math.floor(random() * 120), autoplay: false } } };
    if (r < 0.87) return { ...base, type: 'form', data: { action: pick(['focus', 'submit', 'abandon'] as const), form: 'signup', fields: 4, filled: Math.floor(random() * 5), field: 'email' } };
    if (r < 0.95) return { ...base, type: 'page_leave', data: { engaged_ms: Math.floor(random() * 120_000), max_scroll: pick([25, 50, 75, 100]) } };
    if (r < 0.98) return { ...base, type: 'conversion', data: { type: 'signup', value: 49, currency: 'EUR' } };
    return { ...base, type: 'survey', data: { question: 'visit_reason', answer: pick(['buy', 'research', 'support']) } };
  }

  /** The next request: its seq and its envelope (20 events over the last ~10 s). */
  function next(): { seq: number; envelope: Envelope } {
    const n = seq++;
    const session = sessionOf(n);
    const now = Date.now();
    const page = PAGES[(n + session) % PAGES.length]!;
    const events: unknown[] = [];
    for (let i = 0; i < EVENTS_PER_REQUEST; i++) {
      const ts = now - (EVENTS_PER_REQUEST - i) * 500 - Math.floor(random() * 200);
      // Every other request of a session opens a page.
      if (i === 0 && n % 2 === 0) {
        events.push({ event_id: eventId(n, i), type: 'page_view', ts, url: `https://bench.example.com${page}?utm_source=newsletter&utm_campaign=spring&ref=${n % 97}`, data: { title: `Bench page ${page}`, referrer: 'https://www.google.com/' } });
      } else events.push(event(n, i, ts, page));
    }
    const envelope = {
      site,
      visitor_id: opts.visitorPerRequest ? `bv_${tag}_r${n}` : `bv_${tag}_${Math.floor(session / 2)}`,
      session_id: opts.visitorPerRequest ? `bs_${tag}_r${n}` : `bs_${tag}_${session}`,
      consent: { analytics: true, marketing: false, personalization: false },
      sent_at: now,
      context: CONTEXT,
      events,
    };
    return { seq: n, envelope: { body: JSON.stringify(envelope), userAgent: USER_AGENTS[session % USER_AGENTS.length]! } };
  }

  return { next };
}

export type Requests = ReturnType<typeof requestFactory>;

export interface LoadResult {
  seconds: number;
  /** Requests answered (any status). */
  requests: number;
  /** seq → events accepted, for every 2xx answer. */
  acked: Map<number, number>;
  /** Non-2xx answers by status. */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Milliseconds per 2xx answer (paced: from when the request was due). */
  latencies: number[];
}

function record(result: LoadResult, seq: number, status: number, body: string | Buffer) {
  if (status >= 200 && status < 300) {
    let accepted = 0;
    try {
      accepted = (JSON.parse(body.toString()) as { accepted: number }).accepted;
    } catch {
      // counted as acknowledging nothing: a loss check cannot miss it
    }
    result.acked.set(seq, accepted);
  } else if (status !== 0) result.statuses[status] = (result.statuses[status] ?? 0) + 1;
}

const emptyResult = (): LoadResult => ({ seconds: 0, requests: 0, acked: new Map(), statuses: {}, errors: 0, timeouts: 0, latencies: [] });

const headersOf = (e: Envelope, origin: string) => ({ origin, 'content-type': 'text/plain;charset=UTF-8', 'user-agent': e.userAgent });


/** Closed loop: `connections` requests always in flight, for `seconds`. */
export function maxLoad(port: number, origin: string, requests: Requests, connections: number, seconds: number): Promise<LoadResult> {
  const result = emptyResult();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}${PATH}`,
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (req: Record<string, unknown>, context: { seq?: number }) => {
              const { seq, envelope } = requests.next();
              context.seq = seq;
              return { ...req, method: 'POST', path: PATH, headers: headersOf(envelope, origin), body: envelope.body };
            },
            onResponse: (status: number, body: string, context: { seq?: number }) => record(result, context.seq!, status, body),
          },
        ],
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({ ...result, seconds: r.duration, requests: r.requests.total, errors: r.errors, timeouts: r.timeouts });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) result.latencies.push(ms);
    });
  });
}

/** Open loop at `rate` requests/s (bench/lib.ts pacedLoad), up to `connections` in flight. */
export async function pacedIngest(port: number, origin: string, requests: Requests, connections: number, seconds: number, rate: number): Promise<LoadResult> {
  const result = emptyResult();
  const seqOf = new Map<number, number>(); // request number of this run → seq
  const run = await pacedLoad({
    port,
    seconds,
    rate,
    connections,
    request: (i) => {
      const { seq, envelope } = requests.next();
      seqOf.set(i, seq);
      const head = Object.entries({ host: `127.0.0.1:${port}`, ...headersOf(envelope, origin), 'content-length': Buffer.byteLength(envelope.body) })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      return Buffer.from(`POST ${PATH} HTTP/1.1\r\n${head}\r\n${envelope.body}`);
    },
    onAnswer: (i, status, body) => {
      record(result, seqOf.get(i)!, status, body);
      seqOf.delete(i);
    },
  });
  return { ...result, seconds: run.seconds, requests: run.counts.requests, errors: run.counts.errors, latencies: run.latencies };
}
