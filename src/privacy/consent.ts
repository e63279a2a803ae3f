// Consent decisions: recorded append-only, read back as the visitor's current state, and cached
// for the ingest path. A decision made on one node reaches the others' caches over the live bus.
import type { AppContext } from '../context.js';
import { appendAudit } from '../audit/index.js';
import { decisionReader, type DecisionReader } from './consent-lookup.js';

export const CATEGORIES = ['analytics', 'marketing', 'personalization'] as const;
export type Categories = Record<(typeof CATEGORIES)[number], boolean>;

export interface ConsentDecision {
  siteId: string;
  visitorId: string;
  customerId?: string;
  categories: Categories;
  policyVersion: string;
  source: string;
  ipPrefix: string;
}

export interface ConsentState {
  categories: Categories & { necessary: true };
  policy_version: string | null;
  recorded_at: string | null;
}

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 100_000;
const INVALIDATE = 'privacy.consent';

type Cache = Map<string, { at: number; categories: Promise<Categories | null> }>;
const caches = new WeakMap<AppContext, Cache>();

function cacheOf(ctx: AppContext): Cache {
  let cache = caches.get(ctx);
  if (!cache) {
    const entries: Cache = new Map();
    ctx.live.subscribe(INVALIDATE, (m) => entries.delete(String((m as { key?: unknown }).key)));
    caches.set(ctx, (cache = entries));
  }
  return cache;
}

const keyOf = (siteId: string, visitorId: string) => `${siteId}|${visitorId}`;

const readers = new WeakMap<AppContext, DecisionReader>();
function readerOf(ctx: AppContext): DecisionReader {
  let reader = readers.get(ctx);
  if (!reader) readers.set(ctx, (reader = decisionReader(ctx.db)));
  return reader;
}

/**
 * Records a decision (a new row; history is kept) and makes every node forget its cached state. `first` says the
 * visitor id had no decision on this site before this one (what a visitor token is first handed out on).
 */
export async function recordConsent(ctx: AppContext, d: ConsentDecision): Promise<ConsentState & { first: boolean }> {
  const at = new Date(ctx.clock.now());
  const row = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('consent_records')
      .values({ site_id: d.siteId, visitor_id: d.visitorId, customer_id: d.customerId ?? null, categories: JSON.stringify(d.categories), policy_version: d.policyVersion, source: d.source, ip_prefix: d.ipPrefix, created_at: at })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    // Last in the transaction: the audit append holds the chain's lock until the commit.
    await appendAudit(trx, { siteId: d.siteId, actor: `visitor:${d.visitorId}`, action: 'consent.changed', subject: `visitor:${d.visitorId}`, details: { categories: d.categories, policy_version: d.policyVersion, source: d.source }, at });
    // Counted under the audit chain's lock, which serializes concurrent decisions: of two first decisions for the
    // same id at once, the later one sees the earlier (committed before it got the lock) and is not first.
    const earlier = await trx.selectFrom('consent_records').select('id').where('site_id', '=', d.siteId).where('visitor_id', '=', d.visitorId).where('id', '<>', inserted.id).limit(1).executeTakeFirst();
    return { ...inserted, first: earlier === undefined };
  });
  const key = keyOf(d.siteId, d.visitorId);
  cacheOf(ctx).set(key, { at: ctx.clock.now(), categories: Promise.resolve(d.categories) });
  ctx.live.publish(INVALIDATE, { key });
  return { categories: { necessary: true, ...d.categories }, policy_version: d.policyVersion, recorded_at: row.created_at.toISOString(), first: row.first };
}

/** Drops a visitor's cached decision here and on every other node (after their records were erased). */
export function forgetConsent(ctx: AppContext, siteId: string, visitorId: string): void {
  const key = keyOf(siteId, visitorId);
  cacheOf(ctx).delete(key);
  ctx.live.publish(INVALIDATE, { key });
}

export async function currentConsent(ctx: AppContext, siteId: string, visitorId: string): Promise<ConsentState> {
  const row = await ctx.db
    .selectFrom('consent_records')
    .select(['categories', 'policy_version', 'created_at'])
    .where('site_id', '=', siteId)
    .where('visitor_id', '=', visitorId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const categories = normalize(row?.categories);
  return { categories: { necessary: true, ...categories }, policy_version: row?.policy_version ?? null, recorded_at: row?.created_at.toISOString() ?? null };
}

/** The visitor's recorded categories, or null when they never recorded a decision. Cached briefly; misses read in batches. */
export function recordedConsent(ctx: AppContext, siteId: string, visitorId: string): Promise<Categories | null> {
  const cache = cacheOf(ctx);
  const key = keyOf(siteId, visitorId);
  const hit = cache.get(key);
  if (hit && ctx.clock.now() - hit.at <= CACHE_TTL_MS) return hit.categories;
  if (cache.size >= CACHE_MAX) cache.clear();
  const categories = readerOf(ctx)(siteId, visitorId).then((raw) => (raw ? normalize(raw) : null));
  cache.set(key, { at: ctx.clock.now(), categories });
  categories.catch(() => cache.delete(key));
  return categories;
}

function normalize(raw: Record<string, boolean> | undefined): Categories {
  return { analytics: raw?.analytics === true, marketing: raw?.marketing === true, personalization: raw?.personalization === true };
}
