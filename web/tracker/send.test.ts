import { describe, expect, it } from 'vitest';
import { backoff, batches } from './send.js';

describe('backoff', () => {
  it('starts at 2 s, doubles, and stops at 5 minutes', () => {
    expect([0, 1, 2, 3, 7, 8, 20].map(backoff)).toEqual([2000, 4000, 8000, 16000, 256000, 300000, 300000]);
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
  });
  it('sends an oversized item alone rather than never', () => {
    expect(batches([{ a: 'x'.repeat(70_000) }, { b: 1 }]).map((b) => b.length)).toEqual([1, 1]);
  });
  it('makes no batch of nothing', () => {
    expect(batches([])).toEqual([]);
  });
});
