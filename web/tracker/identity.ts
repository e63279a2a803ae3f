// Visitor and session ids. They exist only with analytics consent; without it the server derives a daily-rotating
// cookieless hash instead. Kept in localStorage so that tabs share them, with a memory copy when storage fails.
import { del, get, load, save, set } from './storage.js';

const VID = 'augur_vid';
const SID = 'augur_sid';
const SESSION_IDLE_MS = 30 * 60e3;
const SAVE_MS = 10e3;
const ID = /^[\w-]{22}$/;

type Session = { id: string; last: number };
let visitor: string | null = null;
let session: Session | null = null; // last: exact; the stored copy may lag it by up to SAVE_MS
let saved = 0; // when session was last written

/** 22 base64url characters from 16 random bytes. */
export const randomId = () =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
    .slice(0, 22)
    .replace(/\+/g, '-')
    .replace(/\//g, '_');

/** A random (version 4) UUID without crypto.randomUUID, which only secure contexts have. */
export const uuid4 = () =>
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
    (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16),
  );

export const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : uuid4());

const storedSession = (): Session | null => {
  const s = load(SID);
  return s && ID.test(s.id) && s.last > 0 ? s : session;
};

/** Writes the session's last activity now (when the page is hidden or left, so that the next page sees it). */
export const saveSession = () => {
  if (session) save(SID, session);
  saved = Date.now();
};

/**
 * Records visitor activity; true when that starts a new session (none yet, or idle for 30 minutes). A new or changed
 * session is stored at once; mere activity at most every SAVE_MS, since a localStorage write per event is costly.
 */
export const touch = () => {
  const now = Date.now();
  const s = storedSession();
  const same = s && session && s.id == session.id;
  // Our own session's stored last activity may lag the exact one in memory.
  const fresh = !s || now - (same ? Math.max(s.last, session!.last) : s.last) > SESSION_IDLE_MS;
  session = { id: fresh ? randomId() : s.id, last: now };
  if (!same || fresh || now - saved >= SAVE_MS) saveSession();
  return fresh;
};

/**
 * The envelope's ids. The session is only read: sessions start in touch(), where the caller announces them; a stale
 * one is kept, so that a late page_leave stays in the session it belongs to.
 */
export const ids = () => {
  const stored = get(VID);
  visitor = stored && ID.test(stored) ? stored : visitor || randomId();
  if (stored != visitor) set(VID, visitor);
  const s = storedSession();
  return { visitor_id: visitor, session_id: s ? s.id : undefined };
};

export const clearIds = () => {
  visitor = session = null;
  del(VID, SID);
};
