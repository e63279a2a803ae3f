// What a session's context says about the visit, in coarse classes with fixed lists (so they one-hot into stable
// columns): device, browser and OS (tracking/identity.ts's names), language and time-zone region, the traffic
// source from the referrer and from utm_medium, and the local time of day in the visitor's time zone.

export const DEVICE_TYPES = ['desktop', 'mobile', 'tablet'] as const;
export const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Edge', 'Samsung Internet', 'Opera', 'Other'] as const;
export const SYSTEMS = ['Windows', 'macOS', 'iOS', 'Android', 'Linux', 'Chrome OS', 'Other'] as const;
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'ja', 'zh', 'other', 'unknown'] as const;
export const REGIONS = ['america', 'europe', 'asia', 'africa', 'oceania', 'other', 'unknown'] as const;
export const SOURCE_CLASSES = ['direct', 'search', 'social', 'email', 'paid', 'referral'] as const;
export const UTM_CLASSES = ['none', 'search', 'social', 'email', 'paid', 'referral', 'other'] as const;
export type SourceClass = (typeof SOURCE_CLASSES)[number];
export type UtmClass = (typeof UTM_CLASSES)[number];

/** The index of `value` in `list`, or of its last entry ('Other', 'unknown') when absent. */
export function indexIn(list: readonly string[], value: string | undefined): number {
  const i = value === undefined ? -1 : list.indexOf(value);
  return i >= 0 ? i : list.length - 1;
}

export function languageClass(language: string | undefined): (typeof LANGUAGES)[number] {
  if (!language) return 'unknown';
  const primary = language.split(/[-_]/)[0]!.toLowerCase();
  return (LANGUAGES as readonly string[]).includes(primary) && primary !== 'unknown' ? (primary as (typeof LANGUAGES)[number]) : 'other';
}

export function regionClass(timezone: string | undefined): (typeof REGIONS)[number] {
  if (!timezone || !validTimeZone(timezone)) return 'unknown';
  const area = timezone.split('/')[0];
  if (area === 'America') return 'america';
  if (area === 'Europe') return 'europe';
  if (area === 'Asia') return 'asia';
  if (area === 'Africa') return 'africa';
  if (area === 'Australia' || area === 'Pacific') return 'oceania';
  return 'other';
}

const hostOf = (url: string): string => /^https?:\/\/([^/?#:]+)/i.exec(url)?.[1]?.toLowerCase().replace(/^www\./, '') ?? '';
const endsWithAny = (host: string, domains: readonly string[]) => domains.some((d) => host === d || host.endsWith(`.${d}`));
const SEARCH = /(^|\.)(google|bing|duckduckgo|yahoo|baidu|yandex|ecosia|qwant|startpage|naver|seznam)\.[a-z.]+$|^search\.brave\.com$/;
const PAID = ['googleadservices.com', 'doubleclick.net', 'googlesyndication.com', 'adnxs.com'];
const EMAIL = ['mail.google.com', 'outlook.live.com', 'outlook.office.com', 'mail.yahoo.com', 'mail.proton.me', 'webmail'];
const SOCIAL = ['facebook.com', 'l.facebook.com', 't.co', 'twitter.com', 'x.com', 'linkedin.com', 'lnkd.in', 'instagram.com', 'reddit.com', 'youtube.com', 'pinterest.com', 'tiktok.com', 'mastodon.social', 'news.ycombinator.com', 'threads.net', 'bsky.app'];

/** The class of a landing page's referrer; the site's own pages and no referrer are direct. */
export function referrerClass(referrer: string | undefined, pageUrl: string): SourceClass {
  const host = referrer ? hostOf(referrer) : '';
  if (!host || host === hostOf(pageUrl)) return 'direct';
  if (endsWithAny(host, PAID)) return 'paid';
  if (EMAIL.some((d) => host === d || host.startsWith(`${d}.`))) return 'email';
  if (SEARCH.test(host)) return 'search';
  if (endsWithAny(host, SOCIAL)) return 'social';
  return 'referral';
}

/** The class of a utm_medium value (GA's conventions); 'none' without one. */
export function utmClass(medium: string | undefined): UtmClass {
  if (!medium) return 'none';
  const m = medium.toLowerCase().trim();
  if (/^(cpc|ppc|cpm|cpv|cpa|paid|paid[-_ ]?(search|social|media)|display|banner|retargeting|ads?)$/.test(m)) return 'paid';
  if (/^(e-?mail|newsletter|mail)$/.test(m)) return 'email';
  if (/^(social|social[-_ ]?(network|media)|sm|organic[-_ ]?social)$/.test(m)) return 'social';
  if (/^(organic|search|seo)$/.test(m)) return 'search';
  if (/^(referral|referrer|link|affiliate|partner)$/.test(m)) return 'referral';
  return 'other';
}

/** utm_medium of a landing page URL (stored URLs keep utm_* parameters). */
export function utmMediumOf(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const m = /(?:^|&)utm_medium=([^&#]*)/.exec(url.slice(q + 1));
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!.replace(/\+/g, ' ')).slice(0, 64);
  } catch {
    return undefined;
  }
}

/** The session's traffic source: a utm_medium class when it names one, else the referrer's class. */
export function trafficSource(referrer: SourceClass, utm: UtmClass): SourceClass {
  return utm === 'none' || utm === 'other' ? referrer : utm;
}

export interface LocalTime {
  /** 0–24, with minutes as a fraction. */
  hour: number;
  /** 0 = Sunday. */
  weekday: number;
  /** 1–12. */
  month: number;
  /** False when the time zone was unknown or invalid and UTC was used. */
  zoned: boolean;
}

// Time-zone names come from clients: only plausible IANA names reach Intl, and formatters are cached (bounded).
const formatters = new Map<string, Intl.DateTimeFormat | null>();
const MAX_FORMATTERS = 256;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function formatter(timezone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timezone);
  if (f !== undefined) return f;
  try {
    f = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(timezone)
      ? new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', weekday: 'short', hour: 'numeric', minute: 'numeric', month: 'numeric' })
      : null;
  } catch {
    f = null; // RangeError: not a time zone this runtime knows
  }
  if (formatters.size >= MAX_FORMATTERS) formatters.delete(formatters.keys().next().value!);
  formatters.set(timezone, f);
  return f;
}

export function validTimeZone(timezone: string): boolean {
  return formatter(timezone) !== null;
}

/** The local time of `ts` in the visitor's time zone, or in UTC when it is unknown. */
export function localTime(ts: number, timezone: string | undefined): LocalTime {
  const f = timezone ? formatter(timezone) : null;
  if (!f) {
    const d = new Date(ts);
    return { hour: d.getUTCHours() + d.getUTCMinutes() / 60, weekday: d.getUTCDay(), month: d.getUTCMonth() + 1, zoned: false };
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(ts)) parts[p.type] = p.value;
  return { hour: Number(parts.hour) + Number(parts.minute) / 60, weekday: WEEKDAYS.indexOf(parts.weekday!), month: Number(parts.month), zoned: true };
}
