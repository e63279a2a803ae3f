// Sends simulated batches to the ingest API like a tracker would, honouring 503/429 with
// Retry-After (same body, same event_ids: the server is idempotent on them) and counting outcomes.
import type { SimBatch, SimSession } from './visitor.js';
import type { Envelope, IngestAnswer } from './wire.js';

export interface Target {
  /** Base URL of the Augur server. */
  url: string;
  /** The site's public key (pk_…). */
  site: string;
  /** The site origin the pages are served from (sent as the Origin header). */
  origin: string;
  /** Sent as x-api-key when set (backfill: only API-key requests may carry old timestamps). */
  apiKey?: string;
}

export interface SendStats {
  requests: number;
  retries: number;
  eventsSent: number;
  accepted: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  dropped: Record<string, number>;
  /** Batches that never got through: network errors or 5xx after all retries. */
  errors: number;
  /** Batches finally refused with a 4xx (a bug in the simulator or a misconfigured site). */
  failedBatches: number;
  failures: Record<string, number>;
  /** A few server messages, to show what went wrong. */
  samples: string[];
  /** Set when going on is pointless (server unreachable, site or key refused from the start). */
  abort?: string;
}

export interface RetryPolicy {
  /** Attempts per batch, the first included. */
  attempts: number;
  /** Backoff after a network error or 5xx: base × 2^attempt, at most MAX_WAIT_MS. */
  baseDelayMs: number;
}
export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 250 };

export function emptyStats(): SendStats {
  return { requests: 0, retries: 0, eventsSent: 0, accepted: 0, rejected: 0, rejectedByCode: {}, dropped: {}, errors: 0, failedBatches: 0, failures: {}, samples: [] };
}

const MAX_WAIT_MS = 30_000;
/** Failures before anything was accepted after which the run stops instead of failing every batch. */
const HOPELESS_AFTER = 3;
const MAX_SAMPLES = 5;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Limits concurrent work: at most `limit` holders at a time. */
export function semaphore(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/** Spaces calls `1/rate` seconds apart (a simple pacer; bursts are not saved up). */
export function pacer(ratePerSecond: number): () => Promise<void> {
  let nextSlot = 0;
  return async () => {
    const now = performance.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + 1000 / ratePerSecond;
    await sleep(slot - now);
  };
}

export function buildEnvelope(target: Target, session: SimSession, batch: SimBatch, sentAt: number): Envelope {
  return {
    site: target.site,
    ...(session.visitorId ? { visitor_id: session.visitorId } : {}),
    ...(session.sessionId ? { session_id: session.sessionId } : {}),
    consent: session.consent,
    sent_at: sentAt,
    context: session.context,
    events: batch.events,
  };
}

/** Retry-After in ms: delta-seconds or an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number {
  if (!header) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.min(MAX_WAIT_MS, Math.max(50, seconds * 1000));
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.min(MAX_WAIT_MS, Math.max(50, date - now));
}

function note(stats: SendStats, message: string): void {
  if (stats.samples.length < MAX_SAMPLES) stats.samples.push(message);
}

/** Posts one batch until it is answered for good; the outcome goes into stats. */
export async function sendBatch(target: Target, session: SimSession, batch: SimBatch, stats: SendStats, now: () => number, withSlot: <T>(work: () => Promise<T>) => Promise<T>, retry: RetryPolicy = DEFAULT_RETRY): Promise<void> {
  if (stats.abort) return;
  const headers: Record<string, string> = { 'content-type': 'text/plain', origin: target.origin, 'user-agent': session.userAgent };
  if (target.apiKey) headers['x-api-key'] = target.apiKey;
  const endpoint = `${target.url}/api/v1/track/event`;
  const count = batch.events.length;
  stats.eventsSent += count;
  for (let attempt = 1; ; attempt++) {
    const body = JSON.stringify(buildEnvelope(target, session, batch, now()));
    let status = 0;
    let text = '';
    let retryAfter: string | null = null;
    try {
      stats.requests++;
      ({ status, text, retryAfter } = await withSlot(async () => {
        const res = await fetch(endpoint, { method: 'POST', headers, body });
        return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after') };
      }));
    } catch (err) {
      if (attempt >= retry.attempts) {
        stats.errors++;
        const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
        note(stats, `network: ${reason}`);
        if (stats.accepted === 0 && stats.errors >= HOPELESS_AFTER) stats.abort = `cannot reach ${endpoint} (${reason}); is the server running?`;
        return;
      }
      stats.retries++;
      await sleep(Math.min(MAX_WAIT_MS, retry.baseDelayMs * 2 ** attempt));
      continue;
    }
    if (status === 202 || status === 200) return countAnswer(stats, text, count);
    // Saturation answers are retried for longer than errors: the server asked us to come back.
    const saturated = status === 503 || status === 429;
    if ((saturated || status >= 500) && attempt < retry.attempts * (saturated ? 4 : 1)) {
      stats.retries++;
      await sleep(saturated ? retryAfterMs(retryAfter, Date.now()) : Math.min(MAX_WAIT_MS, retry.baseDelayMs * 2 ** attempt));
      continue;
    }
    const code = errorCode(text) ?? `HTTP_${status}`;
    if (status >= 500 || status === 429) {
      stats.errors++;
    } else {
      stats.failedBatches++;
      stats.rejected += count;
      stats.rejectedByCode[code] = (stats.rejectedByCode[code] ?? 0) + count;
    }
    stats.failures[`${status} ${code}`] = (stats.failures[`${status} ${code}`] ?? 0) + 1;
    note(stats, `${status} ${text.slice(0, 300)}`);
    if (stats.accepted === 0 && stats.failedBatches + stats.errors >= HOPELESS_AFTER) stats.abort = `the server refuses every batch (${status} ${code}); check --site, --origin and --api-key`;
    return;
  }
}

function errorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

function countAnswer(stats: SendStats, text: string, count: number): void {
  let answer: Partial<IngestAnswer>;
  try {
    answer = JSON.parse(text) as Partial<IngestAnswer>;
  } catch {
    // A 202 without a readable body: the server took the batch, nothing more to count.
    stats.accepted += count;
    return;
  }
  stats.accepted += answer.accepted ?? 0;
  for (const r of answer.rejected ?? []) {
    stats.rejected++;
    stats.rejectedByCode[r.code] = (stats.rejectedByCode[r.code] ?? 0) + 1;
    note(stats, `rejected ${r.code}: ${r.message}`);
  }
  for (const [reason, n] of Object.entries(answer.dropped ?? {})) {
    if (typeof n === 'number' && n > 0) stats.dropped[reason] = (stats.dropped[reason] ?? 0) + n;
  }
}
