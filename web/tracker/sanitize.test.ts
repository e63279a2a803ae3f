import { describe, expect, it } from 'vitest';
import { cleanText, cut, props } from './sanitize.js';

describe('cleanText', () => {
  it('collapses whitespace and trims', () => {
    expect(cleanText('\n   Add to\t\tcart \n ')).toBe('Add to cart');
    expect(cleanText(null)).toBe('');
  });
  it('cuts to the limit without a trailing space', () => {
    const text = cleanText('word '.repeat(100));
    expect(text.length).toBeLessThanOrEqual(64);
    expect(text).toBe(text.trim());
    expect(cleanText('abcdef', 3)).toBe('abc');
  });
  it('finds the text of a large container behind leading whitespace', () => {
    expect(cleanText(' '.repeat(500) + 'Buy ' + 'x'.repeat(1e6))).toMatch(/^Buy x+$/);
  });
});

describe('cut', () => {
  it('cuts strings and omits empty ones', () => {
    expect(cut('abcdef', 4)).toBe('abcd');
    expect(cut('', 4)).toBeUndefined();
    expect(cut(null, 4)).toBeUndefined();
    expect(cut(42, 4)).toBe('42');
  });
});

describe('props', () => {
  it('keeps scalar values within the protocol limits', () => {
    const p = props({ plan: 'pro', seats: 3, delta: -1.5, trial: false, coupon: null, long: 'x'.repeat(300), ['k'.repeat(70)]: 1 });
    expect(p).toEqual({ plan: 'pro', seats: 3, delta: -1.5, trial: false, coupon: null, long: 'x'.repeat(256), ['k'.repeat(64)]: 1 });
  });
  it('drops values the server would reject', () => {
    expect(props({ nested: { a: 1 }, list: [1], nan: NaN, inf: Infinity, fn: () => 1, undef: undefined })).toEqual({});
  });
  it('keeps at most 20 keys', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => ['k' + i, i]));
    expect(Object.keys(props(many)!)).toHaveLength(20);
  });
  it('ignores non-objects', () => {
    expect(props(undefined)).toBeUndefined();
    expect(props('x')).toBeUndefined();
  });
});
