import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoff, batches, utf8Length } from './send.js';

describe('backoff', () => {
  it('starts at 2 s, doubles, and stops at 5 minutes', () => {
    expect([0, 1, 2, 3, 7, 8, 20].map(backoff)).toEqual([2000, 4000, 8000, 16000, 256000, 300000, 300000]);
  });
});

describe('utf8Length', () => {
  const encoder = new TextEncoder();
  const bytes = (s: string) => encoder.encode(s).length;
  it('counts ASCII as one byte a character', () => {
    expect(utf8Length('')).toBe(0);
    expect(utf8Length('{"type":"click","x":12}')).toBe(23);
    expect(utf8Length('\x00\x7f')).toBe(2);
  });
  it('counts 2- and 3-byte characters', () => {
    for (const s of ['é', 'ß', '\x80', '\u07ff', '\u0800', '€', '日本語', '\ud7ff', '\ue000', '\uffff']) expect(utf8Length(s), s).toBe(bytes(s));
  });
  it('counts a surrogate pair as one 4-byte character', () => {
    for (const s of ['😀', '𝄞', '\u{10000}', '\u{10ffff}', 'a😀b👍🏽c']) expect(utf8Length(s), s).toBe(bytes(s));
  });
  it('counts a lone surrogate as the 3 bytes of U+FFFD, as a Blob does', () => {
    for (const s of ['\ud800', '\udfff', 'a\ud83d', '\ude00b', '\ude00\ud83d', '\ud83d\ud83d\ude00']) {
      expect(utf8Length(s), escape(s)).toBe(bytes(s));
      expect(utf8Length(s), escape(s)).toBe(new Blob([s]).size);
    }
  });
  it('agrees with TextEncoder and Blob for any UTF-16 string', () => {
    const codeUnits = (min: number, max: number) => fc.string({ unit: fc.integer({ min, max }).map((c) => String.fromCharCode(c)) });
    // Whole code points, any code unit (lone surrogates), and the neighbourhood of the surrogate range.
    const strings = fc.oneof(fc.string({ unit: 'binary' }), codeUnits(0, 0xffff), codeUnits(0xd7f0, 0xe010));
    fc.assert(
      fc.property(strings, (s) => {
        expect(utf8Length(s)).toBe(bytes(s));
        expect(utf8Length(s)).toBe(new Blob([s]).size);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('batches', () => {
  it('splits by count, keeping order', () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    const out = batches(items);
    expect(out.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(out.flat()).toEqual(items);
  });
  it('splits by size in UTF-8 bytes', () => {
    const item = { text: 'é'.repeat(10_000) }; // 20 KB in UTF-8, 10 K characters
    expect(batches([item, item, item, item]).map((b) => b.length)).toEqual([2, 2]);
    const emoji = { text: '😀'.repeat(5_000) }; // 20 KB in UTF-8, 10 K UTF-16 code units
    expect(batches([emoji, emoji, emoji, emoji]).map((b) => b.length)).toEqual([2, 2]);
  });
  it('fills a batch up to exactly maxBytes of JSON (each item counted with its comma)', () => {
    const item = (bytes: number) => 'x'.repeat(bytes - 3); // a JSON string: its quotes, plus the comma
    expect(batches([item(500), item(500)], 100, 1000).map((b) => b.length)).toEqual([2]);
    expect(batches([item(500), item(501)], 100, 1000).map((b) => b.length)).toEqual([1, 1]);
    // The same with multibyte characters: € is 3 bytes.
    const euros = (n: number) => '€'.repeat(n);
    expect(batches([euros(165), euros(166)], 100, 1000).map((b) => b.length)).toEqual([2]); // 498 + 501 bytes
    expect(batches([euros(166), euros(166)], 100, 1000).map((b) => b.length)).toEqual([1, 1]); // 501 + 501 bytes
  });
  it('sends an oversized item alone rather than never', () => {
    expect(batches([{ a: 'x'.repeat(70_000) }, { b: 1 }]).map((b) => b.length)).toEqual([1, 1]);
  });
  it('makes no batch of nothing', () => {
    expect(batches([])).toEqual([]);
  });
  it('keeps every request within its limits, and fills each one as far as they allow', () => {
    const item = fc.record({ n: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 400 }) });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 200, max: 5000 }), (items, max, maxBytes) => {
        const out = batches(items, max, maxBytes);
        expect(out.flat()).toEqual(items);
        // A batch's JSON array is its items, their commas and the brackets: counted bytes + 1.
        const size = (b: unknown[]) => new Blob([JSON.stringify(b)]).size - 1;
        out.forEach((b, i) => {
          expect(b.length).toBeGreaterThan(0);
          expect(b.length).toBeLessThanOrEqual(max);
          if (b.length > 1) expect(size(b)).toBeLessThanOrEqual(maxBytes);
          const next = out[i + 1];
          if (next && b.length < max) expect(size([...b, next[0]])).toBeGreaterThan(maxBytes);
        });
      }),
      { numRuns: 300 },
    );
  });
});
