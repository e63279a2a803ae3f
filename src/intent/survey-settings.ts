// Writing a site's intent settings: only settings.intent changes (in one statement, so a concurrent edit of other
// settings is not lost), audited with the option ids (labels are the owner's text, not needed to tell what changed).
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Actor } from '../auth/index.js';
import { actorLabel, appendAudit } from '../audit/index.js';
import { badRequest, notFound } from '../errors.js';
import { invalidateSiteCache } from '../sites/index.js';
import { intentSettings, taxonomyProblem, type IntentOption, type IntentSettings } from './taxonomy.js';

export interface IntentSettingsInput {
  taxonomy: IntentOption[];
  survey_rate?: number;
  survey_after_pages?: number;
}

export async function saveIntentSettings(ctx: AppContext, siteId: string, input: IntentSettingsInput, by: Actor): Promise<IntentSettings> {
  const problem = taxonomyProblem(input.taxonomy);
  if (problem) throw badRequest('INTENT_TAXONOMY_INVALID', problem);
  const value = {
    taxonomy: input.taxonomy.map((o) => ({ id: o.id, labels: Object.fromEntries(Object.entries(o.labels).map(([l, t]) => [l.toLowerCase(), t.trim()])) })),
    ...(input.survey_rate !== undefined ? { survey_rate: input.survey_rate } : {}),
    ...(input.survey_after_pages !== undefined ? { survey_after_pages: input.survey_after_pages } : {}),
  };
  const now = new Date(ctx.clock.now());
  const row = await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('sites')
      .set({ settings: sql`jsonb_set(settings, '{intent}', ${JSON.stringify(value)}::jsonb)`, updated_at: now })
      .where('id', '=', siteId)
      .returning('settings')
      .executeTakeFirst();
    if (!updated) throw notFound('SITE_NOT_FOUND', 'No such site');
    const details = { options: value.taxonomy.map((o) => o.id), survey_rate: value.survey_rate ?? null, survey_after_pages: value.survey_after_pages ?? null };
    await appendAudit(trx, { siteId, actor: actorLabel(by), action: 'intent.taxonomy_updated', details, at: now });
    return updated;
  });
  invalidateSiteCache(ctx);
  return intentSettings(row.settings);
}
