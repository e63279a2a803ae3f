// Data-subject rights (spec 000 GET/DELETE /api/privacy/data): find a subject's
// visitor ids on one site, stream everything stored about them (JSON here, CSVs in export-zip.ts), or erase it in
// one transaction. The subject themselves reach the same functions with a visitor token (subject-routes.ts).
// The tables covered are the ones SUBJECT_TABLES (personal-data.ts) marks as exported and erased.
import crypto from 'node:crypto';
import type { AppContext } from '../context.js';
import type { Db } from '../db/client.js';
import { appendAudit } from '../audit/index.js';
import { forgetConsent } from './consent.js';
import { revokeVisitorTokens } from './token-revocation.js';
import type { VisitorTokenClaims } from './visitor-token.js';

const PAGE = 1000;
/** Sessions whose events under other visitor ids one read looks up (few such events exist: re-identified visitors). */
const SESSIONS_PER_READ = 100;

export interface SubjectQuery {
  siteId: string;
  visitorId?: string;
  customerId?: string;
}

export interface Subject {
  visitor_ids: string[];
  customer_id?: string;
}

/** The subject's visitor ids on this site: the one given, or every visitor the customer id was seen with. */
export async function resolveSubject(db: Db, q: SubjectQuery): Promise<Subject> {
  if (q.visitorId !== undefined) return { visitor_ids: [q.visitorId] };
  const customerId = q.customerId!;
  const fromSessions = await db
    .selectFrom('user_sessions')
    .select('visitor_id')
    .distinct()
    .where('site_id', '=', q.siteId)
    .where('user_id', '=', customerId)
    .execute();
  const fromConsent = await db
    .selectFrom('consent_records')
    .select('visitor_id')
    .distinct()
    .where('site_id', '=', q.siteId)
    .where('customer_id', '=', customerId)
    .execute();
  const ids = new Set([...fromSessions, ...fromConsent].map((r) => r.visitor_id));
  return { visitor_ids: [...ids].sort(), customer_id: customerId };
}

/** The sessions of these visitors (their ids), for finding events filed under them. */
const sessionIdsOf = (db: Db, siteId: string, visitorIds: string[]) =>
  db.selectFrom('user_sessions').select('session_id').where('site_id', '=', siteId).where('visitor_id', 'in', visitorIds);

/** Pages of rows in key order: fetch(after) returns the page after the given key (none: the first). */
async function* keysetPages<R, K>(fetch: (after: K | undefined) => Promise<R[]>, keyOf: (row: R) => K): AsyncGenerator<R[]> {
  let after: K | undefined;
  for (;;) {
    const rows = await fetch(after);
    yield rows;
    if (rows.length < PAGE) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}

const sessionPages = (db: Db, siteId: string, visitorIds: string[]) =>
  keysetPages(
    (after: { start: Date; id: string } | undefined) => {
      let q = db.selectFrom('user_sessions').selectAll().where('site_id', '=', siteId).where('visitor_id', 'in', visitorIds);
      if (after) q = q.where(({ eb, refTuple, tuple }) => eb(refTuple('start_time', 'session_id'), '>', tuple(after.start, after.id)));
      return q.orderBy('start_time').orderBy('session_id').limit(PAGE).execute();
    },
    (row) => ({ start: row.start_time, id: row.session_id }),
  );

const EVENT_COLUMNS = ['event_id', 'session_id', 'visitor_id', 'event_type', 'event_data', 'timestamp', 'page_url', 'received_at'] as const;

/**
 * The subject's events: each visitor id's in time order through the (site, visitor, timestamp) index, then the events
 * of their sessions filed under another visitor id (found through the session index). Every read follows an index,
 * so an export costs what the subject holds, not what the site holds.
 */
async function* eventPages(db: Db, siteId: string, visitorIds: string[]): AsyncGenerator<Record<string, unknown>[]> {
  for (const visitorId of visitorIds) {
    yield* keysetPages(
      (after: { ts: Date; id: string } | undefined) => {
        let q = db.selectFrom('user_events').select(EVENT_COLUMNS).where('site_id', '=', siteId).where('visitor_id', '=', visitorId);
        if (after) q = q.where(({ eb, refTuple, tuple }) => eb(refTuple('timestamp', 'event_id'), '>', tuple(after.ts, after.id)));
        return q.orderBy('timestamp').orderBy('event_id').limit(PAGE).execute();
      },
      (row) => ({ ts: row.timestamp, id: row.event_id }),
    );
  }
  const sessionIds = (await sessionIdsOf(db, siteId, visitorIds).orderBy('session_id').execute()).map((r) => r.session_id);
  for (let i = 0; i < sessionIds.length; i += SESSIONS_PER_READ) {
    yield await db
      .selectFrom('user_events')
      .select(EVENT_COLUMNS)
      .where('site_id', '=', siteId)
      .where('session_id', 'in', sessionIds.slice(i, i + SESSIONS_PER_READ))
      .where('visitor_id', 'not in', visitorIds)
      .orderBy('timestamp')
      .orderBy('event_id')
      .execute();
  }
}

const consentPages = (db: Db, siteId: string, visitorIds: string[]) =>
  keysetPages(
    (after: number | undefined) =>
      db
        .selectFrom('consent_records')
        .select(['id', 'visitor_id', 'customer_id', 'categories', 'policy_version', 'source', 'ip_prefix', 'created_at'])
        .where('site_id', '=', siteId)
        .where('visitor_id', 'in', visitorIds)
        .where('id', '>', after ?? 0)
        .orderBy('id')
        .limit(PAGE)
        .execute(),
    (row) => Number(row.id),
  );

const auditPages = (db: Db, siteId: string, visitorIds: string[]) =>
  keysetPages(
    (after: number | undefined) =>
      db
        .selectFrom('audit_log')
        .select(['id', 'actor', 'action', 'subject', 'details', 'created_at'])
        .where('site_id', '=', siteId)
        .where('subject', 'in', visitorIds.map((v) => `visitor:${v}`))
        .where('id', '>', after ?? 0)
        .orderBy('id')
        .limit(PAGE)
        .execute(),
    (row) => Number(row.id),
  );

const predictionPages = (db: Db, siteId: string, visitorIds: string[]) =>
  keysetPages(
    (after: { ts: Date; id: string } | undefined) => {
      let q = db
        .selectFrom('intent_predictions')
        .select(['prediction_id', 'session_id', 'visitor_id', 'predicted_intent', 'confidence_score', 'conversion_probability', 'probabilities', 'model_version', 'events_seen', 'timestamp'])
        .where('site_id', '=', siteId)
        .where('visitor_id', 'in', visitorIds);
      if (after) q = q.where(({ eb, refTuple, tuple }) => eb(refTuple('timestamp', 'prediction_id'), '>', tuple(after.ts, after.id)));
      return q.orderBy('timestamp').orderBy('prediction_id').limit(PAGE).execute();
    },
    (row) => ({ ts: row.timestamp, id: row.prediction_id }),
  );

/** The export's sections in order, each as pages of rows read lazily (nothing is read until iterated). */
export function subjectSections(db: Db, siteId: string, subject: Subject): [string, AsyncIterable<Record<string, unknown>[]>][] {
  const ids = subject.visitor_ids;
  const none = async function* () {};
  return [
    ['sessions', ids.length ? sessionPages(db, siteId, ids) : none()],
    ['events', ids.length ? eventPages(db, siteId, ids) : none()],
    ['consent', ids.length ? consentPages(db, siteId, ids) : none()],
    ['intent_predictions', ids.length ? predictionPages(db, siteId, ids) : none()],
    ['audit', ids.length ? auditPages(db, siteId, ids) : none()],
  ];
}

/** A JSON array written a page at a time: one chunk per page (a chunk per row made one socket write per row). */
async function* jsonArray(pages: AsyncIterable<unknown[]>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const rows of pages) {
    if (!rows.length) continue;
    yield (first ? '' : ',') + rows.map((row) => JSON.stringify(row)).join(',');
    first = false;
  }
  yield ']';
}

/**
 * The subject's data as JSON text, in chunks: never more than one page of rows in memory.
 * Reads are not one snapshot: an event written while the export runs may or may not be in it.
 */
export async function* exportSubject(db: Db, siteId: string, subject: Subject, generatedAt: Date): AsyncGenerator<string> {
  yield `{"subject":${JSON.stringify(subject)},"generated_at":${JSON.stringify(generatedAt.toISOString())}`;
  for (const [name, pages] of subjectSections(db, siteId, subject)) {
    yield `,${JSON.stringify(name)}:`;
    yield* jsonArray(pages);
  }
  yield '}\n';
}

export interface OperatorAction {
  siteId: string;
  /** The actor label (actorLabel, or visitor:<id> for the subject themselves): ids only. */
  actor: string;
  reason: string;
  at: Date;
  /** The visitor token that asked for an erasure: revoked with it, so the request cannot be replayed. */
  token?: VisitorTokenClaims;
}

/** Audits an export before any data leaves: one entry per visitor id (the customer id is never written). */
export async function auditExport(ctx: AppContext, subject: Subject, op: OperatorAction): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const details = { reason: op.reason, by: subject.customer_id !== undefined ? 'customer_id' : 'visitor_id', visitors: subject.visitor_ids.length };
    if (subject.visitor_ids.length === 0) {
      await appendAudit(trx, { siteId: op.siteId, actor: op.actor, action: 'privacy.exported', subject: null, details, at: op.at });
    }
    for (const v of subject.visitor_ids) {
      await appendAudit(trx, { siteId: op.siteId, actor: op.actor, action: 'privacy.exported', subject: `visitor:${v}`, details, at: op.at });
    }
  });
}

export interface ErasureReceipt {
  receipt_id: string;
  erased: { events: number; sessions: number; consent_records: number; intent_predictions: number };
}

/**
 * Deletes the subject's events (by visitor id, and every event of their sessions), sessions and
 * consent records in one transaction, audits it with a receipt id, then drops cached consent.
 * Audit entries are kept: they hold pseudonymous ids only and the chain must stay verifiable.
 */
export async function eraseSubject(ctx: AppContext, subject: Subject, op: OperatorAction): Promise<ErasureReceipt> {
  const receiptId = crypto.randomUUID();
  const ids = subject.visitor_ids;
  const erased = await ctx.db.transaction().execute(async (trx) => {
    let events = 0;
    let sessions = 0;
    let consent = 0;
    let predictions = 0;
    if (ids.length) {
      // Each prediction is filed under its session's visitor id, so the ids find them all.
      const pr = await trx.deleteFrom('intent_predictions').where('site_id', '=', op.siteId).where('visitor_id', 'in', ids).executeTakeFirst();
      predictions = Number(pr.numDeletedRows);
      // Their session ids as a list rather than a subquery: under the OR, a subquery makes PostgreSQL check every event
      // of the site, while two lists let each month's partition combine its visitor index (0007) and session index.
      const sessionIds = (await sessionIdsOf(trx, op.siteId, ids).execute()).map((r) => r.session_id);
      const ev = await trx
        .deleteFrom('user_events')
        .where('site_id', '=', op.siteId)
        .where((eb) => eb.or([eb('visitor_id', 'in', ids), eb('session_id', '=', eb.fn.any(eb.val(sessionIds)))]))
        .executeTakeFirst();
      const se = await trx.deleteFrom('user_sessions').where('site_id', '=', op.siteId).where('visitor_id', 'in', ids).executeTakeFirst();
      const co = await trx.deleteFrom('consent_records').where('site_id', '=', op.siteId).where('visitor_id', 'in', ids).executeTakeFirst();
      events = Number(ev.numDeletedRows);
      sessions = Number(se.numDeletedRows);
      consent = Number(co.numDeletedRows);
    }
    // Tokens issued to the erased visitors so far stop working: they would reach whatever the ids collect next.
    await revokeVisitorTokens(trx, ctx, op.siteId, ids, op.at, op.token);
    const totals = { events, sessions, consent_records: consent, intent_predictions: predictions };
    const details = { receipt_id: receiptId, reason: op.reason, by: subject.customer_id !== undefined ? 'customer_id' : 'visitor_id', visitors: ids.length, erased: totals };
    // Last in the transaction: the audit append holds the chain's lock until the commit.
    if (ids.length === 0) await appendAudit(trx, { siteId: op.siteId, actor: op.actor, action: 'privacy.erased', subject: null, details, at: op.at });
    for (const v of ids) await appendAudit(trx, { siteId: op.siteId, actor: op.actor, action: 'privacy.erased', subject: `visitor:${v}`, details, at: op.at });
    return totals;
  });
  for (const v of ids) forgetConsent(ctx, op.siteId, v);
  return { receipt_id: receiptId, erased };
}
