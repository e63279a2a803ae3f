// Who the simulated visitors are and where they come from: devices with matching User-Agents
// and screens, locales with time zones, referrer/UTM sources per intent, and when they arrive.
import type { Rng } from '../platform/random.js';
import type { Intent } from './model.js';

export type DeviceKind = 'desktop' | 'mobile' | 'tablet';

export interface Device {
  kind: DeviceKind;
  userAgent: string;
  platform: string;
  brands?: string[];
  mobile: boolean;
  screens: readonly [number, number][];
  /** Browser chrome eats this many px of the screen height. */
  chromePx: number;
}

const CHROME = '131.0.0.0';
export const DEVICES: Record<DeviceKind, readonly { weight: number; device: Device }[]> = {
  desktop: [
    { weight: 0.45, device: { kind: 'desktop', platform: 'Windows', mobile: false, chromePx: 130, brands: ['Chromium 131', 'Google Chrome 131'], screens: [[1920, 1080], [1366, 768], [1536, 864], [2560, 1440]], userAgent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME} Safari/537.36` } },
    { weight: 0.12, device: { kind: 'desktop', platform: 'Windows', mobile: false, chromePx: 130, brands: ['Chromium 131', 'Microsoft Edge 131'], screens: [[1920, 1080], [1280, 720]], userAgent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME} Safari/537.36 Edg/131.0.0.0` } },
    { weight: 0.25, device: { kind: 'desktop', platform: 'macOS', mobile: false, chromePx: 110, screens: [[1440, 900], [1512, 982], [1728, 1117]], userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15' } },
    { weight: 0.12, device: { kind: 'desktop', platform: 'macOS', mobile: false, chromePx: 110, brands: ['Chromium 131', 'Google Chrome 131'], screens: [[1440, 900], [1680, 1050]], userAgent: `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME} Safari/537.36` } },
    { weight: 0.06, device: { kind: 'desktop', platform: 'Linux', mobile: false, chromePx: 120, screens: [[1920, 1080], [2560, 1440]], userAgent: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' } },
  ],
  mobile: [
    { weight: 0.55, device: { kind: 'mobile', platform: 'iOS', mobile: true, chromePx: 150, screens: [[390, 844], [393, 852], [430, 932], [375, 667]], userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' } },
    { weight: 0.3, device: { kind: 'mobile', platform: 'Android', mobile: true, chromePx: 140, brands: ['Chromium 131', 'Google Chrome 131'], screens: [[412, 915], [360, 800], [384, 854]], userAgent: `Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME} Mobile Safari/537.36` } },
    { weight: 0.15, device: { kind: 'mobile', platform: 'Android', mobile: true, chromePx: 140, brands: ['Chromium 131', 'Samsung Internet 27'], screens: [[360, 780], [412, 892]], userAgent: 'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36' } },
  ],
  tablet: [
    { weight: 0.7, device: { kind: 'tablet', platform: 'iOS', mobile: false, chromePx: 90, screens: [[820, 1180], [1024, 1366], [768, 1024]], userAgent: 'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' } },
    { weight: 0.3, device: { kind: 'tablet', platform: 'Android', mobile: false, chromePx: 100, brands: ['Chromium 131', 'Google Chrome 131'], screens: [[800, 1280], [1200, 1920]], userAgent: `Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME} Safari/537.36` } },
  ],
};

/** Device mix per intent: research happens at a desk, browsing on the phone. */
export const DEVICE_MIX: Record<Intent, Record<DeviceKind, number>> = {
  buy: { desktop: 0.5, mobile: 0.42, tablet: 0.08 },
  research: { desktop: 0.7, mobile: 0.25, tablet: 0.05 },
  support: { desktop: 0.55, mobile: 0.4, tablet: 0.05 },
  jobs: { desktop: 0.6, mobile: 0.38, tablet: 0.02 },
  browse: { desktop: 0.35, mobile: 0.58, tablet: 0.07 },
};

export interface Locale { language: string; timezone: string; utcOffsetH: number }
export const LOCALES: readonly { weight: number; locale: Locale }[] = [
  { weight: 0.3, locale: { language: 'en-US', timezone: 'America/New_York', utcOffsetH: -5 } },
  { weight: 0.1, locale: { language: 'en-US', timezone: 'America/Los_Angeles', utcOffsetH: -8 } },
  { weight: 0.12, locale: { language: 'en-GB', timezone: 'Europe/London', utcOffsetH: 0 } },
  { weight: 0.15, locale: { language: 'de-DE', timezone: 'Europe/Berlin', utcOffsetH: 1 } },
  { weight: 0.1, locale: { language: 'fr-FR', timezone: 'Europe/Paris', utcOffsetH: 1 } },
  { weight: 0.06, locale: { language: 'es-ES', timezone: 'Europe/Madrid', utcOffsetH: 1 } },
  { weight: 0.05, locale: { language: 'nl-NL', timezone: 'Europe/Amsterdam', utcOffsetH: 1 } },
  { weight: 0.05, locale: { language: 'ja-JP', timezone: 'Asia/Tokyo', utcOffsetH: 9 } },
  { weight: 0.07, locale: { language: 'pt-BR', timezone: 'America/Sao_Paulo', utcOffsetH: -3 } },
];

export interface Source {
  /** The document.referrer of the landing page ('' for direct traffic). */
  referrer: string;
  utm?: { source: string; medium: string; campaign: string };
}

export type SourceName = 'direct' | 'google' | 'bing' | 'ads' | 'newsletter' | 'social' | 'facebook' | 'linkedin' | 'review' | 'hackernews';
export const SOURCES: Record<SourceName, Source> = {
  direct: { referrer: '' },
  google: { referrer: 'https://www.google.com/' },
  bing: { referrer: 'https://www.bing.com/' },
  ads: { referrer: 'https://www.google.com/', utm: { source: 'google', medium: 'cpc', campaign: 'brand-search' } },
  newsletter: { referrer: '', utm: { source: 'newsletter', medium: 'email', campaign: 'monthly-digest' } },
  social: { referrer: 'https://t.co/', utm: { source: 'twitter', medium: 'social', campaign: 'launch' } },
  facebook: { referrer: 'https://l.facebook.com/' },
  linkedin: { referrer: 'https://www.linkedin.com/', utm: { source: 'linkedin', medium: 'social', campaign: 'hiring' } },
  review: { referrer: 'https://www.g2.com/' },
  hackernews: { referrer: 'https://news.ycombinator.com/' },
};

/** Referrer mix per intent: buyers come from ads and newsletters, job seekers from LinkedIn. */
export const SOURCE_MIX: Record<Intent, Partial<Record<SourceName, number>>> = {
  buy: { direct: 0.25, google: 0.25, bing: 0.05, ads: 0.25, newsletter: 0.15, facebook: 0.05 },
  research: { google: 0.4, bing: 0.05, review: 0.15, direct: 0.15, hackernews: 0.1, ads: 0.1, newsletter: 0.05 },
  support: { direct: 0.5, google: 0.4, newsletter: 0.1 },
  jobs: { linkedin: 0.5, google: 0.3, direct: 0.2 },
  browse: { social: 0.2, facebook: 0.15, google: 0.3, direct: 0.15, newsletter: 0.1, hackernews: 0.1 },
};

/** Returning visitors mostly type the address or follow a newsletter. */
export const RETURN_SOURCE_MIX: Partial<Record<SourceName, number>> = { direct: 0.6, newsletter: 0.2, google: 0.2 };

export function pickDevice(rng: Rng, intent: Intent): Device {
  const kind = rng.weighted(DEVICE_MIX[intent]);
  const options = DEVICES[kind];
  return options[Number(rng.weighted(Object.fromEntries(options.map((o, i) => [i, o.weight]))))]!.device;
}

export function pickLocale(rng: Rng): Locale {
  return LOCALES[Number(rng.weighted(Object.fromEntries(LOCALES.map((l, i) => [i, l.weight]))))]!.locale;
}

/** Relative traffic at a local hour (0–23) and weekday (0 = Sunday): office hours and evenings, quiet weekends. */
export function trafficWeight(localHour: number, weekday: number): number {
  const hour = 0.15 + Math.exp(-((localHour - 11) ** 2) / 10) + 0.8 * Math.exp(-((localHour - 20) ** 2) / 6);
  const day = weekday === 0 ? 0.6 : weekday === 6 ? 0.7 : 1;
  return hour * day;
}

/** A start time in [from, to) drawn with the diurnal and weekday pattern in the visitor's local time. */
export function pickStartTime(rng: Rng, from: number, to: number, locale: Locale): number {
  // Rejection sampling against the maximum weight (about 1.15 at the late-morning peak).
  for (let i = 0; i < 1000; i++) {
    const t = rng.float(from, to);
    const local = new Date(t + locale.utcOffsetH * 3_600_000);
    if (rng.next() * 1.2 < trafficWeight(local.getUTCHours() + local.getUTCMinutes() / 60, local.getUTCDay())) return Math.floor(t);
  }
  return Math.floor(rng.float(from, to));
}
