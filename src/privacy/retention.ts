// Per-site retention policies: how many months each kind of data is kept before the scheduled
// purge (retention-purge.ts) removes it. A site without a stored policy keeps the defaults.
import type { AppContext } from '../context.js';
import type { Db } from '../db/client.js';
import { appendAudit } from '../audit/index.js';
import { badRequest } from '../errors.js';

export const DEFAULT_RETENTION = {
  events_months: 13,
  sessions_months: 25,
  consent_months: 25,
  chat_months: 12,
  audit_months: 72,
} as const;

export type RetentionPolicy = { -readonly [K in keyof typeof DEFAULT_RETENTION]: number };
export const RETENTION_KINDS = Object.keys(DEFAULT_RETENTION) as (keyof RetentionPolicy)[];

export async function retentionPolicy(db: Db, siteId: string): Promise<RetentionPolicy & { is_default: boolean; updated_at: string | null }> {
  const row = await db.selectFrom('retention_policies').selectAll().where('site_id', '=', siteId).executeTakeFirst();
  if (!row) return { ...DEFAULT_RETENTION, is_default: true, updated_at: null };
  return { ...pick(row), is_default: false, updated_at: row.updated_at.toISOString() };
}

/** Every site's policy (defaults filled in), for the purge. */
export async function allRetentionPolicies(db: Db): Promise<Map<string, RetentionPolicy>> {
  const rows = await db
    .selectFrom('sites')
    .leftJoin('retention_policies as p', 'p.site_id', 'sites.id')
    .select(['sites.id', 'p.events_months', 'p.sessions_months', 'p.consent_months', 'p.chat_months', 'p.audit_months'])
    .execute();
  return new Map(rows.map((r) => [r.id, { ...DEFAULT_RETENTION, ...withoutNulls(pick(r)) }]));
}

/**
 * Stores a site's policy and audits the change. Consent records prove the consent behind stored
 * events and sessions, so they may not expire before them.
 */
export async function setRetentionPolicy(ctx: AppContext, siteId: string, policy: RetentionPolicy, actor: string): Promise<RetentionPolicy> {
  if (policy.consent_months < Math.max(policy.events_months, policy.sessions_months)) {
    throw badRequest('RETENTION_CONSENT_TOO_SHORT', 'Consent records prove the consent behind stored events and sessions: keep them at least as long as both');
  }
  const at = new Date(ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    const before = await retentionPolicy(trx, siteId);
    await trx
      .insertInto('retention_policies')
      .values({ site_id: siteId, ...policy, updated_at: at })
      .onConflict((oc) => oc.column('site_id').doUpdateSet({ ...policy, updated_at: at }))
      .execute();
    await appendAudit(trx, { siteId, actor, action: 'retention.updated', details: { before: pick(before), after: policy }, at });
  });
  return policy;
}

/** The instant `months` calendar months before `now` (UTC), clamped to the month's last day. */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

function pick<T extends Partial<Record<keyof RetentionPolicy, unknown>>>(row: T): { [K in keyof RetentionPolicy]: T[K] } {
  return {
    events_months: row.events_months,
    sessions_months: row.sessions_months,
    consent_months: row.consent_months,
    chat_months: row.chat_months,
    audit_months: row.audit_months,
  } as { [K in keyof RetentionPolicy]: T[K] };
}

function withoutNulls(p: Record<string, unknown>): Partial<RetentionPolicy> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null && v !== undefined)) as Partial<RetentionPolicy>;
}
