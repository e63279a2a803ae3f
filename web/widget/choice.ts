// The visitor's stored choice (localStorage augur_consent, the tracker's key and shape), when to ask again, and
// recording a decision: through the tracker when it is on the page, and as a consent record on the server. Beside the
// choice the visitor token the server hands out (augur_vtok), which lets the visitor download or delete their data.
import type { Category } from './i18n.js';

export type Choice = Record<Category, boolean>;
export type Stored = Choice & { at: number; policy_version?: string };

const KEY = 'augur_consent';
const VID = 'augur_vid';
const TOKEN = 'augur_vtok';
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

export const token = () => get(TOKEN);

/** Applies and stores a decision (through window.augur when the tracker is there) and records it on the server. */
export const decide = (api: string, site: string, choice: Choice, policyVersion: string, source: 'banner' | 'settings_link') => {
  const tracker = window.augur && window.augur.consent;
  if (tracker && tracker.set) tracker.set({ ...choice, policy_version: policyVersion });
  else set(KEY, JSON.stringify({ ...choice, at: Date.now(), policy_version: policyVersion }));
  const held = token();
  const body = { site, visitor_id: recordId(choice), categories: choice, policy_version: policyVersion, source, visitor_token: held || undefined };
  // text/plain: a "simple" request, so no CORS preflight (like the tracker's events). The token in the body, too.
  return fetch(api + '/api/v1/privacy/consent', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(body), keepalive: true })
    .then((r) => r.json())
    .then((r) => {
      // A new token replaces the held one only for the id kept here: a one-off refusal id must not take the place
      // of the token that reaches this browser's data.
      if (r.visitor_token && (!held || get(VID) == body.visitor_id)) set(TOKEN, r.visitor_token);
    })
    .catch(() => undefined);
};

/** Downloads the visitor's data (a ZIP of CSV files); false when the server refused. */
export const download = (api: string, site: string) =>
  rights(api, site, 'GET', '&format=zip').then((r) =>
    r.blob().then((blob) => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = (/filename="([^"]+)"/.exec(r.headers.get('content-disposition') || '') || [])[1] || 'my-data.zip';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 60e3);
    }),
  );

/** Erases the visitor's data on the server, then forgets everything kept here: the next visit is a new visitor's. */
export const erase = (api: string, site: string) =>
  rights(api, site, 'DELETE', '').then(() => {
    const tracker = window.augur && window.augur.consent;
    // The tracker drops its ids and stops at once; then its stored choice goes too, so the banner asks afresh.
    if (tracker && tracker.set) tracker.set({ analytics: false, marketing: false, personalization: false });
    [KEY, TOKEN, VID, 'augur_sid', 'augur_q', 'augur_survey'].forEach((k) => {
      try {
        localStorage.removeItem(k);
      } catch {}
    });
  });

const rights = (api: string, site: string, method: string, query: string) =>
  fetch(`${api}/api/v1/privacy/data?site=${encodeURIComponent(site)}${query}`, { method, headers: { 'X-Augur-Visitor-Token': token()! } }).then((r) => {
    if (!r.ok) throw r.status;
    return r;
  });
