// The tamper-evident audit log: append-only and hash-chained. Each entry stores the hash of
// the entry before it and its own hash over (that hash, its content), so editing an entry
// shows as a hash mismatch and deleting one as a break in the chain.
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { Actor } from '../auth/index.js';
import { sha256 } from '../platform/crypto.js';
import { auditAnchor } from './prune.js';

/** Serializes appends across requests and nodes so the chain stays one line. */
const AUDIT_LOCK_ID = 7_346_002;
export const GENESIS_HASH = '0'.repeat(64);
const VERIFY_PAGE = 1000;

export interface AuditEntry {
  siteId?: string | null;
  /** Who did it: `user:<id>`, `apikey:<id>` or `system` (see actorLabel). Never an email or a name. */
  actor: string;
  action: string;
  subject?: string | null;
  /** Ids and field names only: no personal data. */
  details?: Record<string, unknown>;
  at: Date;
}

export interface AuditVerdict {
  ok: boolean;
  entries: number;
  firstBadId?: number;
  reason?: 'hash_mismatch' | 'chain_broken';
  /** Entries up to this id were removed by retention; the chain is verified from there. */
  prunedThroughId?: number;
}

/** The audit name of an actor: ids only. No actor means the system itself. */
export function actorLabel(actor?: Actor): string {
  if (!actor) return 'system';
  return actor.kind === 'user' ? `user:${actor.userId}` : `apikey:${actor.keyId}`;
}

/** JSON with object keys sorted at every depth, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const fields = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${fields.join(',')}}`;
}

interface StoredContent {
  site_id: string | null;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}

export function entryHash(prevHash: string, c: StoredContent): string {
  const content = { site_id: c.site_id, actor: c.actor, action: c.action, subject: c.subject, details: c.details, created_at: c.created_at.toISOString() };
  return sha256(`${prevHash}\n${canonicalJson(content)}`);
}

/**
 * Appends one entry. Given a transaction (as `trx`, or as `db` itself) the entry joins it,
 * so it commits or rolls back with the change it records; otherwise it runs in its own.
 * Call it last in a transaction: the chain lock is held until that transaction ends.
 */
export async function appendAudit(db: Db, entry: AuditEntry, trx?: Db): Promise<void> {
  const run = trx ?? (db.isTransaction ? db : undefined);
  if (run) return appendIn(run, entry);
  await db.transaction().execute((t) => appendIn(t, entry));
}

async function appendIn(trx: Db, entry: AuditEntry): Promise<void> {
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_ID})`.execute(trx);
  const last = await trx.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  // Stored as it will read back (JSON drops undefined), so the hash is recomputable.
  const content: StoredContent = {
    site_id: entry.siteId ?? null,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    details: JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>,
    created_at: entry.at,
  };
  await trx
    .insertInto('audit_log')
    .values({ ...content, details: JSON.stringify(content.details), prev_hash: prevHash, hash: entryHash(prevHash, content) })
    .execute();
}

/**
 * Re-walks the chain in id order, a page at a time, from its anchor (the hash of the last entry
 * retention removed, see prune.ts) or from the genesis hash, and reports the first bad entry.
 * One snapshot, so a purge running meanwhile cannot look like tampering.
 */
export async function verifyAudit(db: Db): Promise<AuditVerdict> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const anchor = await auditAnchor(trx);
    let expectedPrev = anchor?.hash ?? GENESIS_HASH;
    let afterId = anchor?.through_id ?? 0;
    let entries = 0;
    for (;;) {
      const rows = await trx.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id').limit(VERIFY_PAGE).execute();
      for (const row of rows) {
        const id = Number(row.id);
        if (row.prev_hash !== expectedPrev) return { ok: false, entries, firstBadId: id, reason: 'chain_broken' };
        if (row.hash !== entryHash(row.prev_hash, row)) return { ok: false, entries, firstBadId: id, reason: 'hash_mismatch' };
        expectedPrev = row.hash;
        afterId = id;
        entries += 1;
      }
      if (rows.length < VERIFY_PAGE) return { ok: true, entries, ...(anchor ? { prunedThroughId: anchor.through_id } : {}) };
    }
  });
}
