import { describe, expect, it } from 'vitest';
import { PAGE_CATEGORIES } from './page-categories.js';
import { createTokenRing, eventTokenId, OUTCOME_TOKENS, PAD, pageTokenId, pushToken, SEQUENCE_VOCABULARY, tokenNames, tokenSequence } from './sequence.js';

describe('token sequences', () => {
  it('reserves 0 for padding and gives every page category and event kind its own id', () => {
    expect(PAD).toBe(0);
    expect(SEQUENCE_VOCABULARY[0]).toBe('<pad>');
    const ids = [...PAGE_CATEGORIES.map(pageTokenId), eventTokenId('click'), eventTokenId('conversion')];
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.min(...ids)).toBe(1);
    expect(Math.max(...ids)).toBeLessThan(SEQUENCE_VOCABULARY.length);
    for (const t of OUTCOME_TOKENS) expect(SEQUENCE_VOCABULARY).toContain(t);
  });

  it('keeps the last N tokens in order, left-padded', () => {
    const ring = createTokenRing(3);
    expect(Array.from(tokenSequence(ring))).toEqual([0, 0, 0]);
    pushToken(ring, 5);
    expect(Array.from(tokenSequence(ring))).toEqual([0, 0, 5]);
    for (const id of [6, 7, 8, 9]) pushToken(ring, id);
    expect(Array.from(tokenSequence(ring))).toEqual([7, 8, 9]);
    expect(Array.from(tokenSequence(ring, 2))).toEqual([8, 9]);
    expect(Array.from(tokenSequence(ring, 5))).toEqual([0, 0, 7, 8, 9]); // never more than the ring kept
    expect(ring.ids).toHaveLength(3);
    expect(tokenNames([0, pageTokenId('cart')])).toEqual(['<pad>', 'page:cart']);
    expect(() => createTokenRing(0)).toThrow(RangeError);
  });
});
