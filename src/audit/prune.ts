// Retention of the audit log itself. The chain can only lose a prefix: an entry goes once it and
// every entry before it have expired under their site's policy. The hash of the last entry removed
// is kept as the chain's anchor (instance_state 'audit_anchor'), from which verification starts,
// so removing any further entry still shows as a broken chain.
import { sql } from 'kysely';
import type { Db } from '../db/client.js';

const ANCHOR_KEY = 'audit_anchor';
const SCAN_PAGE = 1000;

export interface AuditAnchor {
  /** The last removed entry: verification starts after it, expecting its hash as prev_hash. */
  through_id: number;
  hash: string;
}

export async function auditAnchor(db: Db): Promise<AuditAnchor | undefined> {
  const row = await db.selectFrom('instance_state').select('value').where('key', '=', ANCHOR_KEY).executeTakeFirst();
  return row?.value as AuditAnchor | undefined;
}

/**
 * Removes the expired prefix of the chain in batches (each with its anchor update, in one
 * transaction), never the newest entry. cutoffOf gives an entry's expiry instant by its site.
 */
export async function pruneAuditPrefix(db: Db, cutoffOf: (siteId: string | null) => Date, batchRows: number): Promise<{ pruned: number; throughId: number | null }> {
  const lastId = Number((await db.selectFrom('audit_log').select(sql<string>`max(id)`.as('m')).executeTakeFirst())?.m ?? 0);
  let throughId: number | null = null;
  let pruned = 0;
  let afterId = (await auditAnchor(db))?.through_id ?? 0;
  for (let done = false; !done; ) {
    const rows = await db.selectFrom('audit_log').select(['id', 'site_id', 'created_at']).where('id', '>', afterId).where('id', '<', lastId).orderBy('id').limit(SCAN_PAGE).execute();
    const firstKept = rows.findIndex((r) => r.created_at >= cutoffOf(r.site_id));
    const expired = firstKept === -1 ? rows : rows.slice(0, firstKept);
    done = firstKept !== -1 || rows.length < SCAN_PAGE;
    for (let i = 0; i < expired.length; i += batchRows) {
      const upTo = Number(expired[Math.min(i + batchRows, expired.length) - 1]!.id);
      pruned += await removeThrough(db, upTo);
      throughId = upTo;
    }
    if (expired.length) afterId = Number(expired[expired.length - 1]!.id);
  }
  return { pruned, throughId };
}

async function removeThrough(db: Db, id: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('audit_log').select('hash').where('id', '=', id).executeTakeFirstOrThrow();
    const anchor: AuditAnchor = { through_id: id, hash: last.hash };
    await trx
      .insertInto('instance_state')
      .values({ key: ANCHOR_KEY, value: JSON.stringify(anchor) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(anchor), updated_at: new Date() }))
      .execute();
    const r = await trx.deleteFrom('audit_log').where('id', '<=', id).executeTakeFirst();
    return Number(r.numDeletedRows);
  });
}
