// The visitor's consent choice, kept in localStorage (storing it is itself "necessary"), and the rules that
// decide which events may leave the browser.
import { load, save } from './storage.js';

export type Category = 'analytics' | 'marketing' | 'personalization';
export type Consent = { necessary: true } & Record<Category, boolean>;
type Listener = (consent: Consent) => void;

const KEY = 'augur_consent';
const CATEGORIES: Category[] = ['analytics', 'marketing', 'personalization'];
let choice: (Partial<Record<Category, boolean>> & { policy_version?: string }) | null = null;
let listeners: Listener[] = [];

const gpc = () => navigator.globalPrivacyControl === true;

/** The effective consent: the stored choice, with marketing always off under Global Privacy Control. */
export const consent = (): Consent => {
  const c = choice || {};
  return { necessary: true, analytics: !!c.analytics, marketing: !!c.marketing && !gpc(), personalization: !!c.personalization };
};

export const analytics = () => consent().analytics;

// Do Not Track or GPC, and nothing granted: the visitor asked not to be tracked, so not even cookieless page views are sent.
const blocked = () => {
  const c = consent();
  return (navigator.doNotTrack == '1' || gpc()) && !(c.analytics || c.marketing || c.personalization);
};

/** Page views and leaves are "necessary" (cookieless aggregate); every other event needs its category, by default analytics. */
export const allowed = (e: { type: string; category?: Category }) =>
  !blocked() && (/^page_(view|leave)$/.test(e.type) || consent()[e.category || 'analytics']);

/** Calls fn with the new consent after every change; returns a function that unsubscribes. */
export const onConsent = (fn: Listener) => {
  listeners.push(fn);
  return () => {
    listeners = listeners.filter((f) => f != fn);
  };
};

const notify = () => {
  const c = consent();
  listeners.forEach((f) => f(c));
  dispatchEvent(new CustomEvent('augur:consent', { detail: c }));
};

/**
 * Merges a partial choice into the current one, stores it and applies it at once. The consent banner also passes the
 * policy_version the visitor saw; it is kept across later changes, so the banner knows when to ask again.
 */
export const setConsent = (partial?: Partial<Record<Category | 'policy_version', unknown>>) => {
  const c = consent();
  const version = (partial && partial.policy_version) || (choice && choice.policy_version);
  const next: Record<string, unknown> = { at: Date.now() };
  CATEGORIES.forEach((k) => (next[k] = partial && partial[k] != null ? !!partial[k] : c[k]));
  if (version) next.policy_version = String(version);
  save(KEY, (choice = next));
  notify();
};

export const initConsent = () => {
  choice = load(KEY);
  // A choice made in another tab applies here too.
  addEventListener('storage', (e) => {
    if (!e.key || e.key == KEY) {
      choice = load(KEY);
      notify();
    }
  });
};
