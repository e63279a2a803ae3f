// Registry and training-run rows: the DB side of the training pipeline.
import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import type { IntentTask } from '../../db/schema.js';
import { VISIT_REASON_QUESTION } from './snapshot.js';

export interface NewModel {
  id: string;
  siteId: string;
  task: IntentTask;
  kind: string;
  dataHash: string;
  featureNames: string[];
  classes: string[];
  metrics: Record<string, unknown>;
  card: Record<string, unknown>;
  artifact: Record<string, unknown>;
  trainingRows: number;
  at: Date;
}

/** Inserts a candidate with the next version of its site and task (the unique key refuses a concurrent twin). */
export async function insertModel(db: Db, m: NewModel): Promise<number> {
  const last = await db.selectFrom('intent_models').select((eb) => eb.fn.max('version').as('v')).where('site_id', '=', m.siteId).where('task', '=', m.task).executeTakeFirst();
  const version = Number(last?.v ?? 0) + 1;
  await db
    .insertInto('intent_models')
    .values({
      id: m.id,
      site_id: m.siteId,
      task: m.task,
      version,
      kind: m.kind,
      data_hash: m.dataHash,
      feature_names: JSON.stringify(m.featureNames),
      classes: JSON.stringify(m.classes),
      metrics: JSON.stringify(m.metrics),
      card: JSON.stringify({ ...m.card, version }),
      artifact: JSON.stringify(m.artifact),
      training_rows: m.trainingRows,
      created_at: m.at,
    })
    .execute();
  return version;
}

const SUMMARY = ['id', 'site_id', 'task', 'version', 'kind', 'status', 'traffic_share', 'shadow', 'data_hash', 'training_rows', 'created_at', 'promoted_at', 'metrics'] as const;

export function listModels(db: Db, siteId: string, task?: IntentTask) {
  let q = db.selectFrom('intent_models').select(SUMMARY).where('site_id', '=', siteId);
  if (task) q = q.where('task', '=', task);
  return q.orderBy('task').orderBy('version', 'desc').execute();
}

/** One model with its card, without the artifact. */
export function getModel(db: Db, siteId: string, id: string) {
  return db.selectFrom('intent_models').select([...SUMMARY, 'feature_names', 'classes', 'card']).where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
}

export function getChampion(db: Db, siteId: string, task: IntentTask) {
  return db.selectFrom('intent_models').select(['id', 'version', 'artifact', 'feature_names']).where('site_id', '=', siteId).where('task', '=', task).where('status', '=', 'champion').executeTakeFirst();
}

/** Makes the model its task's champion; the previous champion is retired. Returns the retired model's id. */
export async function promoteModel(db: Db, siteId: string, id: string, at: Date): Promise<{ task: IntentTask; version: number; retired: string | null } | undefined> {
  return db.transaction().execute(async (trx) => {
    const model = await trx.selectFrom('intent_models').select(['task', 'version', 'status']).where('site_id', '=', siteId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!model) return undefined;
    if (model.status === 'champion') return { task: model.task, version: model.version, retired: null };
    const old = await trx
      .updateTable('intent_models')
      .set({ status: 'retired', traffic_share: 0 })
      .where('site_id', '=', siteId)
      .where('task', '=', model.task)
      .where('status', '=', 'champion')
      .returning('id')
      .executeTakeFirst();
    await trx.updateTable('intent_models').set({ status: 'champion', traffic_share: 0, shadow: false, promoted_at: at }).where('id', '=', id).execute();
    return { task: model.task, version: model.version, retired: old?.id ?? null };
  });
}

export async function createRun(db: Db, run: { id: string; siteId: string; task: IntentTask; requestedBy: string; params: Record<string, unknown>; at: Date }): Promise<void> {
  await db
    .insertInto('training_runs')
    .values({ id: run.id, site_id: run.siteId, task: run.task, requested_by: run.requestedBy, params: JSON.stringify(run.params), created_at: run.at })
    .execute();
}

/** A queued or running run of the task started after `since` (older ones died with their process). */
export function activeRun(db: Db, siteId: string, task: IntentTask, since: Date) {
  return db
    .selectFrom('training_runs')
    .select('id')
    .where('site_id', '=', siteId)
    .where('task', '=', task)
    .where('status', 'in', ['queued', 'running'])
    .where('created_at', '>', since)
    .executeTakeFirst();
}

export function getRun(db: Db, siteId: string, id: string) {
  return db.selectFrom('training_runs').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
}

export async function updateRun(
  db: Db,
  id: string,
  set: { status?: 'running' | 'succeeded' | 'failed'; stage?: string; progress?: number; result?: Record<string, unknown>; error?: string; started_at?: Date; finished_at?: Date },
): Promise<void> {
  const { result, progress, ...rest } = set;
  await db
    .updateTable('training_runs')
    .set({ ...rest, ...(progress !== undefined ? { progress: Math.max(0, Math.min(1, progress)) } : {}), ...(result ? { result: JSON.stringify(result) } : {}) })
    .where('id', '=', id)
    .execute();
}

/** Labelled sessions with analytics consent, per label: the cheap check before a run is queued. */
export async function labelCounts(db: Db, siteId: string, task: IntentTask): Promise<Record<string, number>> {
  const rows =
    task === 'visit_reason'
      ? (
          await sql<{ label: string; n: number }>`
            select e.event_data ->> 'answer' as label, count(distinct e.session_id)::int as n
            from user_events e join user_sessions s on s.session_id = e.session_id and s.site_id = e.site_id
            where e.site_id = ${siteId} and e.event_type = 'survey' and e.event_data ->> 'question' = ${VISIT_REASON_QUESTION}
              and (s.consent_status ->> 'analytics') = 'true'
            group by 1`.execute(db)
        ).rows
      : (
          await sql<{ label: string; n: number }>`
            select case when conversions > 0 then 'converted' else 'not_converted' end as label, count(*)::int as n
            from user_sessions where site_id = ${siteId} and (consent_status ->> 'analytics') = 'true'
            group by 1`.execute(db)
        ).rows;
  return Object.fromEntries(rows.map((r) => [r.label, Number(r.n)]));
}
