// The visitor's stored choice (localStorage augur_consent, the tracker's key and shape), when to ask again, and
// recording a decision: through the tracker when it is on the page, and as a consent record on the server.
import type { Category } from './i18n.js';

export type Choice = Record<Category, boolean>;
export type Stored = Choice & { at: number; policy_version?: string };

const KEY = 'augur_consent';
const VID = 'augur_vid';
const ID = /^[\w-]{22}$/;
export const CATEGORIES: Category[] = ['analytics', 'marketing', 'personalization'];

const get = (key: string) => {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
};
const set = (key: string, value: string) => {
  try {
    localStorage.setItem(key, value);
  } catch {}
};

/** The stored choice, or null when there is none (or it is unreadable). */
export const stored = (): Stored | null => {
  try {
    const s = JSON.parse(get(KEY)!);
    return s && typeof s == 'object' ? s : null;
  } catch {
    return null;
  }
};

/** Ask when nothing was chosen yet, or the choice was made under another policy version. */
export const mustAsk = (s: Stored | null, policyVersion: string) => !s || s.policy_version != policyVersion;

/** 22 base64url characters from 16 random bytes, like the tracker's ids. */
export const randomId = () =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
    .slice(0, 22)
    .replace(/\+/g, '-')
    .replace(/\//g, '_');

/**
 * The id the consent record is filed under: the tracker's visitor id when there is one. With analytics granted and
 * no tracker (yet), a new visitor id the tracker will adopt; otherwise a one-off id that is not kept, since a
 * refusal needs no identifier on the device.
 */
export const recordId = (choice: Choice) => {
  const vid = get(VID);
  if (vid && ID.test(vid)) return vid;
  const id = randomId();
  if (choice.analytics) set(VID, id);
  return id;
};

/** Applies and stores a decision (through window.augur when the tracker is there) and records it on the server. */
export const decide = (api: string, site: string, choice: Choice, policyVersion: string, source: 'banner' | 'settings_link') => {
  const tracker = window.augur && window.augur.consent;
  if (tracker && tracker.set) tracker.set({ ...choice, policy_version: policyVersion });
  else set(KEY, JSON.stringify({ ...choice, at: Date.now(), policy_version: policyVersion }));
  const body = { site, visitor_id: recordId(choice), categories: choice, policy_version: policyVersion, source };
  // text/plain: a "simple" request, so no CORS preflight (like the tracker's events).
  return fetch(api + '/api/v1/privacy/consent', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(body), keepalive: true }).catch(() => undefined);
};
