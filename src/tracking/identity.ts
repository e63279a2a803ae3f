// Who a visitor is, with as little data as possible: truncated IPs, cookieless daily hashes,
// coarse device facts from the User-Agent.
import crypto from 'node:crypto';
import { isIP } from 'node:net';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { randomToken } from '../platform/crypto.js';

/** IPv4 to its /24, IPv6 to its /48; the full address is never stored or logged. */
export function truncateIp(ip: string): string {
  const v4 = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.split('.').slice(0, 3).concat('0').join('.');
  if (isIP(ip) !== 6) return '0.0.0.0';
  const [head = '', tail = ''] = ip.split('::');
  const groups = head ? head.split(':') : [];
  const missing = 8 - groups.length - (tail ? tail.split(':').length : 0);
  const full = [...groups, ...Array(Math.max(0, missing)).fill('0'), ...(tail ? tail.split(':') : [])];
  return `${full.slice(0, 3).map((g) => g || '0').join(':')}::`;
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const salts = new WeakMap<AppContext, { day: string; salt: Promise<string> }>();

/**
 * Today's random salt. The first node to ask creates it; yesterday's and older are deleted
 * then, so no one (operators included) can recompute or link an earlier day's hashes.
 */
export function dailySalt(ctx: AppContext): Promise<string> {
  const day = utcDay(ctx.clock.now());
  const cached = salts.get(ctx);
  if (cached?.day === day) return cached.salt;
  const salt = (async () => {
    await ctx.db.insertInto('daily_salts').values({ day, salt: randomToken(32) }).onConflict((oc) => oc.column('day').doNothing()).execute();
    await ctx.db.deleteFrom('daily_salts').where(sql<boolean>`day < ${day}::date`).execute();
    const row = await ctx.db.selectFrom('daily_salts').select('salt').where(sql<boolean>`day = ${day}::date`).executeTakeFirstOrThrow();
    return row.salt;
  })();
  salts.set(ctx, { day, salt });
  salt.catch(() => salts.delete(ctx));
  return salt;
}

/** The cookieless visitor id: unlinkable across days and sites, without storing anything on the device. */
export function cookielessVisitorId(salt: string, siteId: string, ip: string, userAgent: string): string {
  const digest = crypto.createHash('sha256').update(`${salt}|${siteId}|${truncateIp(ip)}|${userAgent}`).digest('base64url');
  return `c_${digest.slice(0, 22)}`;
}

export interface DeviceFacts {
  device_type: 'desktop' | 'mobile' | 'tablet';
  browser: string;
  os: string;
}

const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Windows NT/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'Chrome OS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** Coarse device facts; the client's UA hints win where given. */
export function deviceFacts(userAgent: string, hints: { ua_mobile?: boolean; ua_platform?: string } = {}): DeviceFacts {
  const tablet = /iPad|Tablet|Android(?!.*Mobile)/.test(userAgent);
  const mobile = hints.ua_mobile ?? (/Mobi|iPhone|iPod/.test(userAgent) && !tablet);
  return {
    device_type: tablet ? 'tablet' : mobile ? 'mobile' : 'desktop',
    browser: BROWSERS.find(([re]) => re.test(userAgent))?.[1] ?? 'Other',
    os: hints.ua_platform?.replace(/^"|"$/g, '') || (SYSTEMS.find(([re]) => re.test(userAgent))?.[1] ?? 'Other'),
  };
}
