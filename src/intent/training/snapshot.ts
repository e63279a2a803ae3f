// The training snapshot: a site's stored events replayed per session, in time order, through the same feature
// extractor the live path uses. Rows are keyed by ctx.pseudonymize(session id), never the id itself, and only
// sessions whose stored consent allows analytics enter. Labels: the visitor's survey answer (visit reason) or
// whether the session converted (conversion: the session is cut at its first outcome, and the outcome columns
// are dropped, so the model never sees the answer).
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import type { IntentTask } from '../../db/schema.js';
import { createFeatureState, FEATURE_NAMES, OUTCOME_FEATURES, update, vector, type FeatureState } from '../features.js';

/** The survey question whose answer is the visit-reason label (the widget's "What brings you here today?"). */
export const VISIT_REASON_QUESTION = 'visit_reason';
const SESSION_CHUNK = 200;

export interface SnapshotRow {
  /** A keyed digest of the session id. */
  key: string;
  /** Session start, ms since the epoch (for the time-based split). */
  start: number;
  features: Float64Array;
  label: string;
}

export interface Snapshot {
  task: IntentTask;
  featureNames: string[];
  rows: SnapshotRow[];
  /** Sessions with consent that were read, labelled or not. */
  sessionsRead: number;
  window: { from: string | null; to: string | null };
  /** SHA-256 of the rows (keys, labels, features) in key order: the same data gives the same hash. */
  dataHash: string;
}

/** The feature columns a task's models see. */
export function taskFeatureNames(task: IntentTask): string[] {
  if (task === 'visit_reason') return [...FEATURE_NAMES];
  const outcome = new Set(OUTCOME_FEATURES);
  return FEATURE_NAMES.filter((n) => !outcome.has(n));
}

interface SessionRow {
  session_id: string;
  visitor_id: string;
  start_time: Date;
  device_type: string | null;
  browser: string | null;
  os: string | null;
  language: string | null;
  timezone: string | null;
}

interface EventRow {
  session_id: string;
  event_type: string;
  event_data: Record<string, unknown>;
  timestamp: Date;
  page_url: string | null;
}

/** Sessions of the site whose stored consent allows analytics, oldest first. */
function consentedSessions(ctx: AppContext, siteId: string): Promise<SessionRow[]> {
  return ctx.db
    .selectFrom('user_sessions')
    .select(['session_id', 'visitor_id', 'start_time', 'device_type', 'browser', 'os', 'language', 'timezone'])
    .where('site_id', '=', siteId)
    .where(sql<boolean>`(consent_status ->> 'analytics') = 'true'`)
    .orderBy('start_time')
    .orderBy('session_id')
    .execute();
}

const isOutcome = (e: EventRow) => e.event_type === 'conversion' || e.event_type === 'identify' || (e.event_type === 'form' && e.event_data.action === 'submit');

/** What one session's replay yields: its feature state and label, or null when unlabelled. */
function replay(task: IntentTask, session: SessionRow, previousSessions: number, events: EventRow[]): { state: FeatureState; label: string | null } {
  const state = createFeatureState({
    context: {
      device_type: session.device_type ?? undefined,
      browser: session.browser ?? undefined,
      os: session.os ?? undefined,
      language: session.language ?? undefined,
      timezone: session.timezone ?? undefined,
      previousSessions,
    },
  });
  let label: string | null = task === 'conversion' ? (events.some((e) => e.event_type === 'conversion') ? 'converted' : 'not_converted') : null;
  for (const e of events) {
    // Cut at the first outcome (the conversion, or the form submit or sign-in that makes it): from there on the
    // events are the answer, not evidence.
    if (task === 'conversion' && isOutcome(e)) break;
    if (task === 'visit_reason' && e.event_type === 'survey' && label === null && e.event_data.question === VISIT_REASON_QUESTION && typeof e.event_data.answer === 'string') {
      label = e.event_data.answer;
    }
    update(state, { type: e.event_type, ts: e.timestamp.getTime(), url: e.page_url ?? '', data: e.event_data });
  }
  return { state, label };
}

/** Builds the snapshot of a site for a task; `onProgress` gets the share of sessions replayed. */
export async function buildSnapshot(ctx: AppContext, siteId: string, task: IntentTask, onProgress?: (share: number) => Promise<void>): Promise<Snapshot> {
  const sessions = await consentedSessions(ctx, siteId);
  const featureNames = taskFeatureNames(task);
  const keep = featureNames.map((n) => FEATURE_NAMES.indexOf(n));
  const seenPerVisitor = new Map<string, number>();
  const rows: SnapshotRow[] = [];
  for (let at = 0; at < sessions.length; at += SESSION_CHUNK) {
    const chunk = sessions.slice(at, at + SESSION_CHUNK);
    const events = await ctx.db
      .selectFrom('user_events')
      .select(['session_id', 'event_type', 'event_data', 'timestamp', 'page_url'])
      .where('site_id', '=', siteId)
      .where('session_id', 'in', chunk.map((s) => s.session_id))
      .orderBy('session_id')
      .orderBy('timestamp')
      .orderBy('event_id')
      .execute();
    const bySession = new Map<string, EventRow[]>();
    for (const e of events) {
      const list = bySession.get(e.session_id);
      if (list) list.push(e);
      else bySession.set(e.session_id, [e]);
    }
    for (const s of chunk) {
      const previous = seenPerVisitor.get(s.visitor_id) ?? 0;
      seenPerVisitor.set(s.visitor_id, previous + 1);
      const { state, label } = replay(task, s, previous, bySession.get(s.session_id) ?? []);
      if (label === null || state.events === 0) continue;
      const full = vector(state);
      rows.push({ key: ctx.pseudonymize(`intent-training:${siteId}|${s.session_id}`), start: s.start_time.getTime(), features: Float64Array.from(keep, (j) => full[j]!), label });
    }
    await onProgress?.(Math.min(1, (at + chunk.length) / sessions.length));
  }
  const starts = rows.map((r) => r.start);
  return {
    task,
    featureNames,
    rows,
    sessionsRead: sessions.length,
    window: rows.length ? { from: new Date(Math.min(...starts)).toISOString(), to: new Date(Math.max(...starts)).toISOString() } : { from: null, to: null },
    dataHash: snapshotHash(rows),
  };
}

function snapshotHash(rows: SnapshotRow[]): string {
  const hash = crypto.createHash('sha256');
  for (const r of [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    hash.update(`${r.key}\t${r.label}\t`);
    hash.update(Buffer.from(r.features.buffer, r.features.byteOffset, r.features.byteLength));
  }
  return hash.digest('hex');
}
