// Recorded consent decisions read for the ingest path in batches: the visitors whose decision is not cached, arriving
// while a read runs, are read together by the next one (one statement, one index probe each). A burst of new visitors
// then costs the database one statement per batch instead of one per request (bench/privacy.ts, "cold" visitors).
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { createGroupCommit, type GroupCommit } from '../platform/group-commit.js';

const MAX_BATCH = 500;

interface Lookup {
  siteId: string;
  visitorId: string;
  /** Filled in by the read: the latest decision's categories, or null when there is none. */
  categories?: Record<string, boolean> | null;
}

export type DecisionReader = (siteId: string, visitorId: string) => Promise<Record<string, boolean> | null>;

/** Reads each visitor's latest recorded categories, batching concurrent reads. */
export function decisionReader(db: Db): DecisionReader {
  const reads: GroupCommit<Lookup> = createGroupCommit<Lookup, void>({
    write: (lookups) => readLatest(db, lookups),
    weight: () => 1,
    maxBatch: MAX_BATCH,
    // Bounded already: one read per ingest request in flight, which the ingest queue bounds.
    maxPending: Number.POSITIVE_INFINITY,
  });
  return async (siteId, visitorId) => {
    const lookup: Lookup = { siteId, visitorId };
    await reads.submit(lookup);
    return lookup.categories ?? null;
  };
}

async function readLatest(db: Db, lookups: Lookup[]): Promise<void> {
  const rows = await sql<{ site_id: string; visitor_id: string; categories: Record<string, boolean> }>`
    SELECT k.site_id, k.visitor_id, latest.categories
    FROM unnest(${lookups.map((l) => l.siteId)}::uuid[], ${lookups.map((l) => l.visitorId)}::varchar[]) AS k(site_id, visitor_id)
    CROSS JOIN LATERAL (
      SELECT categories FROM consent_records r WHERE r.site_id = k.site_id AND r.visitor_id = k.visitor_id ORDER BY r.id DESC LIMIT 1
    ) latest`.execute(db);
  const found = new Map(rows.rows.map((r) => [`${r.site_id}|${r.visitor_id}`, r.categories]));
  for (const l of lookups) l.categories = found.get(`${l.siteId}|${l.visitorId}`) ?? null;
}
