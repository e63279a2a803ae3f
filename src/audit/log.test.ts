import { describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, GENESIS_HASH } from './log.js';

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    const a = { b: 1, a: { y: [1, { q: true, p: null }], x: 's' } };
    const b = { a: { x: 's', y: [1, { p: null, q: true }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":"s","y":[1,{"p":null,"q":true}]},"b":1}');
  });

  it('keeps array order and tells different values apart', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ a: { b: 1 } })).not.toBe(canonicalJson({ a: { b: 2 } }));
  });

  it('reads like JSON would store it: undefined keys dropped, dates as ISO strings, strings escaped', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(canonicalJson({ at: new Date('2026-06-01T12:00:00Z') })).toBe('{"at":"2026-06-01T12:00:00.000Z"}');
    const tricky = { 'k"\n': 'v"\\\n', ü: 'é' };
    expect(JSON.parse(canonicalJson(tricky))).toEqual(tricky);
  });
});

describe('entryHash', () => {
  const content = { site_id: null, actor: 'user:1', action: 'auth.login', subject: null, details: { z: 1, a: 2 }, created_at: new Date('2026-06-01T12:00:00Z') };

  it('is a SHA-256 over the previous hash and the content, independent of details key order', () => {
    const h = entryHash(GENESIS_HASH, content);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash(GENESIS_HASH, { ...content, details: { a: 2, z: 1 } })).toBe(h);
    expect(entryHash('1'.repeat(64), content)).not.toBe(h);
    expect(entryHash(GENESIS_HASH, { ...content, actor: 'user:2' })).not.toBe(h);
    expect(entryHash(GENESIS_HASH, { ...content, created_at: new Date('2026-06-01T12:00:00.001Z') })).not.toBe(h);
  });
});
