// Seeded data for bench/privacy.ts, generated inside the database (INSERT … SELECT generate_series), so a million
// events take seconds, not minutes: background visitors, data subjects with many sessions, consent records, and
// the audit entries those decisions write. The same seed gives the same ids and times; only the window moves with
// the calendar. Events are inserted in time order, background and subjects interleaved, as they would have arrived,
// so a subject's rows are spread over the heap pages like real ones (an erasure then touches many pages, not a few).
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../src/db/client.js';
import { appendAudit } from '../src/audit/index.js';
import { entryHash, GENESIS_HASH } from '../src/audit/log.js';
import { ensurePartitions, newWriterState } from '../src/tracking/writer.js';

/** Whole calendar months of seeded data, ending where the current month starts (ingest phases write into the current one). */
const MONTHS = 4;
const BACKGROUND_EVENTS_PER_SESSION = 10;
const BACKGROUND_SESSIONS_PER_VISITOR = 4;
const CATEGORIES = { analytics: true, marketing: false, personalization: false };

export interface SubjectSpec {
  visitor: string;
  events: number;
  sessions: number;
}

/** Ingest visitors who have a recorded decision: `${prefix}${n}` for n in [0, count). */
export interface ConsentedVisitors {
  prefix: string;
  count: number;
}

export interface SeedSpec {
  siteId: string;
  seed: string;
  backgroundEvents: number;
  subjects: SubjectSpec[];
  ingestVisitors: ConsentedVisitors[];
}

/** The seeded window: MONTHS whole months before the current one. */
export function seedWindow(now = new Date()) {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - MONTHS, 1);
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  return { start: new Date(start).toISOString(), seconds: (end - start) / 1000 };
}

/** One group of sessions: SQL expressions over `s` (the session number) for its visitor, session id and start. */
interface Population {
  key: string;
  sessions: number;
  eventsPerSession: number;
  stepSeconds: number;
  visitor: RawBuilder<string>;
  sessionId: RawBuilder<string>;
  start: RawBuilder<Date>;
}

function background(spec: SeedSpec): Population {
  const w = seedWindow();
  const sessions = Math.ceil(spec.backgroundEvents / BACKGROUND_EVENTS_PER_SESSION);
  return {
    key: `${spec.seed}:bg`,
    sessions,
    eventsPerSession: BACKGROUND_EVENTS_PER_SESSION,
    stepSeconds: 30,
    visitor: sql<string>`${backgroundVisitorPrefix(spec.seed)} || (s / ${BACKGROUND_SESSIONS_PER_VISITOR})`,
    sessionId: sql<string>`${`${spec.seed}_bgs_`} || s`,
    // A multiplicative hash scatters session starts over the window (the last hour kept free for their events).
    start: sql<Date>`${w.start}::timestamptz + make_interval(secs => ((s::bigint * 2654435761) % ${w.seconds - 3600}))`,
  };
}

function subject(spec: SeedSpec, subj: SubjectSpec): Population {
  const w = seedWindow();
  const eventsPerSession = Math.ceil(subj.events / subj.sessions);
  const every = Math.floor((w.seconds - 3600) / subj.sessions);
  return {
    key: `${spec.seed}:${subj.visitor}`,
    sessions: subj.sessions,
    eventsPerSession,
    stepSeconds: Math.max(1, Math.floor(3000 / eventsPerSession)),
    visitor: sql<string>`${subj.visitor}::text`,
    sessionId: sql<string>`${`${subj.visitor}_s`} || s`,
    start: sql<Date>`${w.start}::timestamptz + make_interval(secs => s::bigint * ${every} + 17)`,
  };
}

/** A background visitor's id: `${prefix}${n}` has 40 events in 4 sessions. */
export const backgroundVisitorPrefix = (seed: string) => `${seed}_bgv_`;

/** Rows (session number s, event index e, id, session, visitor, time) of one population. */
const eventRows = (p: Population) => sql`
  SELECT md5(${p.key} || ':' || s || ':' || e)::uuid AS event_id, ${p.sessionId} AS session_id, ${p.visitor} AS visitor_id,
         ${p.start} + make_interval(secs => e * ${p.stepSeconds}) AS ts, s * ${p.eventsPerSession} + e AS i
  FROM generate_series(0, ${p.sessions - 1}) s, generate_series(0, ${p.eventsPerSession - 1}) e`;

/** Inserts the events of these populations in time order, with a realistic mix of types and payloads. */
async function insertEvents(db: Db, siteId: string, populations: Population[]): Promise<void> {
  const union = sql.join(populations.map(eventRows), sql` UNION ALL `);
  await sql`
    INSERT INTO user_events (event_id, session_id, site_id, visitor_id, event_type, event_data, timestamp, page_url, received_at)
    SELECT event_id, session_id, ${siteId}::uuid, visitor_id,
      (ARRAY['page_view','click','scroll','section','click','mouse','custom','form','page_leave','click'])[i % 10 + 1],
      CASE i % 10
        WHEN 0 THEN jsonb_build_object('title', 'Product ' || i % 500, 'referrer', 'https://www.google.com/')
        WHEN 1 THEN jsonb_build_object('tag', 'button', 'id', 'buy', 'classes', jsonb_build_array('btn', 'btn-primary'), 'text', 'Buy now', 'x', i % 1280, 'y', i % 4000)
        WHEN 2 THEN jsonb_build_object('depth', (i % 4 + 1) * 25, 'reading_wpm', 150 + i % 200, 'px_per_s', i % 900)
        WHEN 3 THEN jsonb_build_object('section', 'pricing-table', 'visible_ms', i % 30000)
        WHEN 5 THEN jsonb_build_object('distance_px', i % 20000, 'avg_speed_px_s', i % 800, 'hesitations', i % 6, 'samples', 40, 'duration_ms', 10000)
        WHEN 6 THEN jsonb_build_object('name', 'video_play', 'props', jsonb_build_object('video', 'intro', 'position_s', i % 120))
        WHEN 7 THEN jsonb_build_object('action', 'focus', 'form', 'signup', 'fields', 4, 'filled', i % 5, 'field', 'email')
        WHEN 8 THEN jsonb_build_object('engaged_ms', i % 120000, 'max_scroll', (i % 4 + 1) * 25)
        ELSE jsonb_build_object('tag', 'a', 'classes', jsonb_build_array('nav-link'), 'href', 'https://bench.example.com/pricing', 'text', 'Pricing', 'x', i % 1280, 'y', i % 4000)
      END,
      ts, 'https://bench.example.com/products/' || (i % 500), ts + interval '1 second'
    FROM (${union}) rows ORDER BY ts`.execute(db);
}

/** One user_sessions row per session of these populations, with the aggregates the writer would have kept. */
async function insertSessions(db: Db, siteId: string, populations: Population[]): Promise<void> {
  for (const p of populations) {
    await sql`
      INSERT INTO user_sessions (session_id, site_id, visitor_id, start_time, end_time, device_info, referrer, consent_status, entry_page, exit_page,
                                 page_count, event_count, engaged_ms, utm_source, utm_campaign, device_type, browser, os, language, timezone)
      SELECT ${p.sessionId}, ${siteId}::uuid, ${p.visitor}, ${p.start}, ${p.start} + make_interval(secs => ${(p.eventsPerSession - 1) * p.stepSeconds}),
             '{"screen_w":1920,"screen_h":1080,"viewport_w":1280,"viewport_h":720}', 'https://www.google.com/', ${JSON.stringify(CATEGORIES)}::jsonb,
             'https://bench.example.com/products/' || (s % 500), 'https://bench.example.com/checkout',
             ${Math.ceil(p.eventsPerSession / 10)}, ${p.eventsPerSession}, ${p.eventsPerSession * 3000}, 'newsletter', 'spring', 'desktop', 'Chrome', 'Windows', 'en-US', 'Europe/Berlin'
      FROM generate_series(0, ${p.sessions - 1}) s`.execute(db);
  }
}

/** Consent decisions, one per visitor expression value over n in [0, count), at whole seconds (audit hashes are over millisecond times). */
async function insertConsent(db: Db, siteId: string, visitor: RawBuilder<string>, count: number, offsetSeconds: number): Promise<void> {
  const w = seedWindow();
  await sql`
    INSERT INTO consent_records (site_id, visitor_id, customer_id, categories, policy_version, source, ip_prefix, created_at)
    SELECT ${siteId}::uuid, ${visitor}, NULL, ${JSON.stringify(CATEGORIES)}::jsonb, '1', 'banner', '203.0.113.0/24',
           ${w.start}::timestamptz + make_interval(secs => ((n::bigint * 2654435761 + ${offsetSeconds}) % ${w.seconds}))
    FROM generate_series(0, ${count - 1}) n`.execute(db);
}

/**
 * The consent.changed audit entries of consent rows after `afterId`, as recordConsent writes them, chained onto
 * the log's last hash in bulk. Run while nothing else appends (the seed runs before any load).
 */
async function auditConsent(db: Db, siteId: string, afterId: number): Promise<number> {
  const last = await db.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  let prev = last?.hash ?? GENESIS_HASH;
  let after = afterId;
  let written = 0;
  for (;;) {
    const rows = await db.selectFrom('consent_records').select(['id', 'visitor_id', 'policy_version', 'source', 'created_at']).where('id', '>', after).orderBy('id').limit(5000).execute();
    if (rows.length === 0) return written;
    const entries = rows.map((r) => {
      const content = { site_id: siteId, actor: `visitor:${r.visitor_id}`, action: 'consent.changed', subject: `visitor:${r.visitor_id}`, details: { categories: CATEGORIES, policy_version: r.policy_version, source: r.source }, created_at: r.created_at };
      const hash = entryHash(prev, content);
      const entry = { ...content, created_at: r.created_at.toISOString(), prev_hash: prev, hash };
      prev = hash;
      return entry;
    });
    await sql`
      INSERT INTO audit_log (site_id, actor, action, subject, details, created_at, prev_hash, hash)
      SELECT site_id, actor, action, subject, details, created_at, prev_hash, hash
      FROM json_to_recordset(${JSON.stringify(entries)}::json) AS r(site_id uuid, actor varchar, action varchar, subject varchar, details jsonb, created_at timestamptz, prev_hash char(64), hash char(64))`.execute(db);
    written += entries.length;
    after = Number(rows[rows.length - 1]!.id);
  }
}

async function lastConsentId(db: Db): Promise<number> {
  const row = await db.selectFrom('consent_records').select(sql<string>`coalesce(max(id), 0)`.as('id')).executeTakeFirstOrThrow();
  return Number(row.id);
}

async function ensureMonths(db: Db): Promise<void> {
  const now = new Date();
  const months = Array.from({ length: MONTHS + 1 }, (_, k) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - k, 15));
  await ensurePartitions(db, newWriterState(), months);
}

/** VACUUM (ANALYZE) of the tables the benchmark changes: hint bits set, free space mapped, statistics fresh. */
export async function vacuum(db: Db): Promise<void> {
  await sql`VACUUM (ANALYZE) user_events, user_sessions, consent_records, audit_log`.execute(db);
}

/** Background, subjects and consented ingest visitors, with their audit entries; returns row counts. */
export async function seedAll(db: Db, spec: SeedSpec) {
  await ensureMonths(db);
  const populations = [background(spec), ...spec.subjects.map((s) => subject(spec, s))];
  await insertEvents(db, spec.siteId, populations);
  await insertSessions(db, spec.siteId, populations);
  const before = await lastConsentId(db);
  const bg = populations[0]!;
  const bgVisitors = Math.ceil(bg.sessions / BACKGROUND_SESSIONS_PER_VISITOR);
  // Every background visitor decided once, every fifth one twice; each subject three times.
  await insertConsent(db, spec.siteId, sql<string>`${backgroundVisitorPrefix(spec.seed)} || n`, bgVisitors, 0);
  await insertConsent(db, spec.siteId, sql<string>`${backgroundVisitorPrefix(spec.seed)} || (n * 5)`, Math.ceil(bgVisitors / 5), 86_400);
  for (const s of spec.subjects) await insertConsent(db, spec.siteId, sql<string>`${s.visitor}::text`, 3, 7 * 86_400);
  for (const v of spec.ingestVisitors) await insertConsent(db, spec.siteId, sql<string>`${v.prefix} || n`, v.count, 3600);
  const audit = await auditConsent(db, spec.siteId, before);
  await vacuum(db);
  const counts = await sql<{ events: string; sessions: string; consent: string; audit: string }>`
    SELECT (SELECT count(*) FROM user_events) AS events, (SELECT count(*) FROM user_sessions) AS sessions,
           (SELECT count(*) FROM consent_records) AS consent, (SELECT count(*) FROM audit_log) AS audit`.execute(db);
  const c = counts.rows[0]!;
  return { events: Number(c.events), sessions: Number(c.sessions), consentRecords: Number(c.consent), auditEntries: Number(c.audit), auditWritten: audit };
}

/**
 * Stores one subject again after an erasure: events, sessions, three consent decisions (audited through the real
 * appendAudit). Vacuums first, so the new rows go where the erased ones were, spread over the heap like before.
 */
export async function reseedSubject(db: Db, spec: SeedSpec, subj: SubjectSpec): Promise<void> {
  await vacuum(db);
  const p = subject(spec, subj);
  await insertEvents(db, spec.siteId, [p]);
  await insertSessions(db, spec.siteId, [p]);
  const before = await lastConsentId(db);
  await insertConsent(db, spec.siteId, sql<string>`${subj.visitor}::text`, 3, 7 * 86_400);
  const rows = await db.selectFrom('consent_records').select(['visitor_id', 'policy_version', 'source', 'created_at']).where('id', '>', before).orderBy('id').execute();
  for (const r of rows) {
    await appendAudit(db, { siteId: spec.siteId, actor: `visitor:${r.visitor_id}`, action: 'consent.changed', subject: `visitor:${r.visitor_id}`, details: { categories: CATEGORIES, policy_version: r.policy_version, source: r.source }, at: r.created_at });
  }
  await vacuum(db);
}

/** How many heap pages hold the visitor's events, of how many the events partitions have: how spread the rows are. */
export async function spread(db: Db, siteId: string, visitor: string): Promise<{ pages: number; totalPages: number }> {
  const r = await sql<{ pages: string; total: string }>`
    SELECT (SELECT count(DISTINCT tableoid::text || ':' || split_part(ctid::text, ',', 1)) FROM user_events WHERE site_id = ${siteId} AND visitor_id = ${visitor}) AS pages,
           (SELECT sum(relpages) FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid WHERE i.inhparent = 'user_events'::regclass) AS total`.execute(db);
  return { pages: Number(r.rows[0]!.pages), totalPages: Number(r.rows[0]!.total) };
}
