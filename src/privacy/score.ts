// The privacy compliance score (spec 000): a checklist computed from the site's settings and the
// instance's configuration and jobs, each check with what to fix. The score is the weighted share
// of passed checks; checks that cannot be judged yet (no traffic) count neither way.
import type { AppContext } from '../context.js';
import { bannerConfig, privacyContact } from './banner.js';
import { retentionPolicy, DEFAULT_RETENTION } from './retention.js';
import { RETENTION_JOB } from './retention-purge.js';

export const AUDIT_VERIFY_JOB = 'audit.verify';

export interface PrivacyCheck {
  id: string;
  title: string;
  /** null: not yet decidable (e.g. no visitor has seen the banner yet). */
  ok: boolean | null;
  weight: number;
  detail: string;
  fix: string | null;
}

export interface PrivacyScore {
  score: number;
  checks: PrivacyCheck[];
}

const DAY = 86_400_000;

export async function privacyScore(ctx: AppContext, siteId: string): Promise<PrivacyScore> {
  const now = ctx.clock.now();
  const site = await ctx.db.selectFrom('sites').select(['settings', 'allowed_origins']).where('id', '=', siteId).executeTakeFirstOrThrow();
  const banner = bannerConfig(site.settings);
  const policy = await retentionPolicy(ctx.db, siteId);
  const jobs = new Map((await ctx.db.selectFrom('scheduled_jobs').selectAll().where('name', 'in', [RETENTION_JOB, AUDIT_VERIFY_JOB]).execute()).map((j) => [j.name, j]));
  const recentConsent = await ctx.db
    .selectFrom('consent_records')
    .select('id')
    .where('site_id', '=', siteId)
    .where('source', 'in', ['banner', 'settings_link'])
    .where('created_at', '>=', new Date(now - 30 * DAY))
    .limit(1)
    .executeTakeFirst();
  const recentTraffic = await ctx.db.selectFrom('user_sessions').select('session_id').where('site_id', '=', siteId).where('end_time', '>=', new Date(now - 30 * DAY)).limit(1).executeTakeFirst();
  const purge = jobs.get(RETENTION_JOB);
  const purgeFresh = purge?.last_status === 'ok' && purge.last_finished_at !== null && now - purge.last_finished_at.getTime() <= 2 * purge.interval_seconds * 1000 + DAY;
  const audit = jobs.get(AUDIT_VERIFY_JOB);
  const auditResult = audit?.last_result as { ok?: boolean; firstBadId?: number } | null | undefined;
  const contact = privacyContact(site.settings);

  const checks: PrivacyCheck[] = [
    {
      id: 'banner_live',
      title: 'Consent banner is live',
      ok: recentConsent ? true : recentTraffic ? false : null,
      weight: 3,
      detail: recentConsent ? 'Visitors recorded consent decisions through the banner in the last 30 days' : recentTraffic ? 'Visitors arrived in the last 30 days but none answered the banner' : 'No visitors yet',
      fix: recentConsent ? null : 'Add <script src="…/widget.js" data-site="…"> next to the tracker on every page',
    },
    {
      id: 'policy_link',
      title: 'The banner links to your privacy policy',
      ok: banner.policy_url !== null,
      weight: 2,
      detail: banner.policy_url ? `Links to ${banner.policy_url} (policy version ${banner.policy_version})` : 'No policy URL set',
      fix: banner.policy_url ? null : 'Set settings.privacy.policy_url to your privacy policy page; raise policy_version when it changes so visitors are asked again',
    },
    {
      id: 'privacy_contact',
      title: 'Privacy contact (DPO) is named',
      ok: contact !== null,
      weight: 1,
      detail: contact ? `Data subject requests go to ${contact}` : 'No privacy contact set',
      fix: contact ? null : 'Set settings.privacy.contact to the email address of your data protection officer or privacy contact',
    },
    {
      id: 'retention_limits',
      title: 'Retention is limited',
      ok: policy.events_months <= DEFAULT_RETENTION.events_months && policy.sessions_months <= DEFAULT_RETENTION.sessions_months,
      weight: 2,
      detail: `Events kept ${policy.events_months} months, sessions ${policy.sessions_months}, consent ${policy.consent_months}, chats ${policy.chat_months}, audit ${policy.audit_months}${policy.is_default ? ' (defaults)' : ''}`,
      fix:
        policy.events_months <= DEFAULT_RETENTION.events_months && policy.sessions_months <= DEFAULT_RETENTION.sessions_months
          ? null
          : `Keep raw events at most ${DEFAULT_RETENTION.events_months} months and sessions at most ${DEFAULT_RETENTION.sessions_months} (Privacy → Retention)`,
    },
    {
      id: 'retention_running',
      title: 'The retention purge runs',
      ok: purgeFresh,
      weight: 2,
      detail: purge?.last_finished_at ? `Last run ${purge.last_finished_at.toISOString()}: ${purge.last_status}` : 'The purge has never run',
      fix: purgeFresh ? null : purge?.last_status === 'failed' ? `The last purge failed (${purge.last_error ?? 'see the logs'}); fix it, then run \`augur purge\`` : 'Run the server with --role all or worker, which purges on a schedule, or run `augur purge`',
    },
    {
      id: 'audit_chain',
      title: 'The audit log is intact',
      ok: auditResult?.ok === true ? true : auditResult?.ok === false ? false : null,
      weight: 2,
      detail: auditResult?.ok === true ? 'The daily check re-walked the hash chain and found every entry intact' : auditResult?.ok === false ? `Entry ${auditResult.firstBadId} was edited or removed` : 'Not checked yet (daily)',
      fix: auditResult?.ok === false ? 'Someone changed the audit log outside Augur: restore the database from a backup and investigate' : null,
    },
    {
      id: 'allowed_origins',
      title: 'Only your own sites may send data',
      ok: site.allowed_origins.length > 0,
      weight: 1,
      detail: site.allowed_origins.length ? `Events are accepted from ${site.allowed_origins.join(', ')}` : 'No allowed origin: browsers cannot send events',
      fix: site.allowed_origins.length ? null : "Add your site's origin (https://www.example.com) to the site's allowed origins",
    },
    {
      id: 'encryption_key',
      title: 'The encryption key is kept apart from the data',
      ok: ctx.config.encryptionKeys !== undefined,
      weight: 1,
      detail: ctx.config.encryptionKeys ? 'Personal fields are encrypted with a key given in ENCRYPTION_KEYS' : 'Personal fields are encrypted with a key generated into DATA_DIR/secrets.json, beside the data',
      fix: ctx.config.encryptionKeys ? null : 'Set ENCRYPTION_KEYS (and JWT_SECRET) from a secret store, so a copy of the data directory does not carry its key',
    },
    {
      id: 'https',
      title: 'Served over HTTPS',
      ok: ctx.config.publicUrl.startsWith('https://'),
      weight: 2,
      detail: `PUBLIC_URL is ${ctx.config.publicUrl}`,
      fix: ctx.config.publicUrl.startsWith('https://') ? null : 'Put Augur behind TLS and set PUBLIC_URL to its https:// address',
    },
    {
      id: 'ip_minimised',
      title: 'IP addresses are never stored',
      ok: true,
      weight: 1,
      detail: 'Addresses are truncated (/24, /48) before any use; rate limits use keyed digests',
      fix: null,
    },
  ];
  const judged = checks.filter((c) => c.ok !== null);
  const total = judged.reduce((s, c) => s + c.weight, 0);
  const passed = judged.filter((c) => c.ok).reduce((s, c) => s + c.weight, 0);
  return { score: total ? Math.round((100 * passed) / total) : 0, checks };
}
