import { describe, expect, it } from 'vitest';
import { readingWpm } from './capture-scroll.js';

describe('readingWpm', () => {
  it('is the words above the milestone per minute of visible time', () => {
    expect(readingWpm(1000, 50, 2 * 60e3)).toBe(250);
  });
  it('stays within 0–5000', () => {
    expect(readingWpm(100_000, 100, 1000)).toBe(5000);
    expect(readingWpm(1000, 25, 0)).toBe(0);
    expect(readingWpm(0, 100, 60e3)).toBe(0);
  });
});
