import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { randomId, uuid4 } from './identity.js';

describe('ids', () => {
  it('makes 22-character base64url ids that the protocol accepts', () => {
    const ids = Array.from({ length: 1000 }, randomId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(1000);
  });
  it('makes version 4 UUIDs without crypto.randomUUID', () => {
    const ids = Array.from({ length: 1000 }, uuid4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(1000);
  });
});

describe('session activity', () => {
  const T0 = Date.UTC(2026, 0, 1);
  let store: Map<string, string>;
  let writes: number;
  let identity: typeof import('./identity.js');
  const stored = () => JSON.parse(store.get('augur_sid') ?? 'null') as { id: string; last: number } | null;
  const at = (ms: number) => vi.setSystemTime(T0 + ms);

  beforeEach(async () => {
    store = new Map();
    writes = 0;
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => (writes++, store.set(k, v)),
      removeItem: (k: string) => store.delete(k),
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    vi.resetModules(); // a fresh module: no session in memory, as on a new page
    identity = await import('./identity.js');
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('stores a new session at once, then its activity at most every 10 s', () => {
    expect(identity.touch()).toBe(true);
    const { id } = stored()!;
    expect(stored()).toEqual({ id, last: T0 });
    for (let s = 1; s < 10; s++) {
      at(s * 1000);
      expect(identity.touch()).toBe(false);
    }
    expect(writes).toBe(1);
    expect(stored()).toEqual({ id, last: T0 });
    at(10_000);
    identity.touch();
    expect(writes).toBe(2);
    expect(stored()).toEqual({ id, last: T0 + 10_000 });
  });

  it('writes the exact last activity when asked to (page hidden or left)', () => {
    identity.touch();
    at(3000);
    identity.touch();
    identity.saveSession();
    expect(stored()!.last).toBe(T0 + 3000);
  });

  it('measures the 30 minutes of idleness from the last activity, not from the last write', () => {
    identity.touch();
    const { id } = stored()!;
    at(9000);
    identity.touch(); // not written: the stored last is still T0
    at(9000 + 30 * 60e3);
    expect(identity.touch()).toBe(false);
    expect(stored()!.id).toBe(id);
    at(9000 + 60 * 60e3 + 1);
    expect(identity.touch()).toBe(true);
    expect(stored()!.id).not.toBe(id);
  });

  it('continues the stored session of the previous page, and follows a session another tab started', async () => {
    identity.touch();
    at(60_000);
    identity.saveSession();
    const first = stored()!.id;
    vi.resetModules();
    identity = await import('./identity.js'); // the next page
    at(120_000);
    expect(identity.touch()).toBe(false);
    expect(stored()).toEqual({ id: first, last: T0 + 120_000 });
    const other = randomId();
    store.set('augur_sid', JSON.stringify({ id: other, last: T0 + 121_000 }));
    at(122_000);
    expect(identity.touch()).toBe(false);
    expect(stored()).toEqual({ id: other, last: T0 + 122_000 });
    expect(identity.ids().session_id).toBe(other);
  });

  it('keeps the session in memory when localStorage fails', () => {
    vi.stubGlobal('localStorage', {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    });
    expect(identity.touch()).toBe(true);
    at(5000);
    expect(identity.touch()).toBe(false);
    expect(identity.ids().session_id).toMatch(/^[\w-]{22}$/);
  });
});
