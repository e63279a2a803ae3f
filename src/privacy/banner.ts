// The consent banner's configuration, from the site's free-form `settings.privacy` (edited in the dashboard).
// Settings are not validated on write, so everything is checked here: unknown keys and non-strings are dropped.
import { isRecord } from '../platform/validation.js';

export const BANNER_TEXT_KEYS = ['title', 'description', 'analytics', 'marketing', 'personalization'] as const;
type TextKey = (typeof BANNER_TEXT_KEYS)[number];
export type BannerTexts = Partial<Record<TextKey, string>>;
export interface BannerConfig {
  policy_version: string;
  policy_url: string | null;
  texts: Record<string, BannerTexts>;
}

const LANG = /^[a-z]{2}(-[A-Za-z]{2,4})?$/;
const MAX_TEXT = 2000;

/** Only http(s) URLs: the banner puts this into a link's href. */
function policyUrl(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  try {
    const url = new URL(v);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

function texts(v: unknown): Record<string, BannerTexts> {
  const out: Record<string, BannerTexts> = {};
  if (!isRecord(v)) return out;
  for (const [lang, t] of Object.entries(v)) {
    if (!LANG.test(lang) || !isRecord(t)) continue;
    const entry: BannerTexts = {};
    for (const key of BANNER_TEXT_KEYS) {
      const text = t[key];
      if (typeof text === 'string' && text.trim()) entry[key] = text.trim().slice(0, MAX_TEXT);
    }
    out[lang.toLowerCase()] = entry;
  }
  return out;
}

/** The banner configuration of a site: policy version (default "1"), policy URL (default none) and texts. */
export function bannerConfig(settings: Record<string, unknown> | null | undefined): BannerConfig {
  const privacy = isRecord(settings?.privacy) ? settings.privacy : {};
  const version = privacy.policy_version;
  return {
    policy_version: (typeof version === 'string' && version.trim()) || typeof version === 'number' ? String(version).trim().slice(0, 64) : '1',
    policy_url: policyUrl(privacy.policy_url),
    texts: texts(privacy.texts),
  };
}

/** The site's privacy contact (DPO) from settings.privacy.contact, or null. */
export function privacyContact(settings: Record<string, unknown> | null | undefined): string | null {
  const contact = isRecord(settings?.privacy) ? settings.privacy.contact : undefined;
  return typeof contact === 'string' && contact.trim() ? contact.trim().slice(0, 320) : null;
}
