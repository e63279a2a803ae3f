import { describe, expect, it } from 'vitest';
import { createGroupCommit, QueueFullError } from './group-commit.js';

describe('group commit', () => {
  it('writes what arrives during a write as one group, and resolves callers after their write', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = createGroupCommit<number, void>({
      write: async (items) => {
        groups.push(items);
        if (groups.length === 1) await gate;
      },
      weight: () => 1,
      maxPending: 100,
      maxBatch: 100,
    });
    const first = gc.submit(1);
    const rest = [2, 3, 4].map((i) => gc.submit(i));
    expect(gc.depth()).toBe(4);
    release();
    await Promise.all([first, ...rest]);
    expect(groups).toEqual([[1], [2, 3, 4]]);
    expect(gc.depth()).toBe(0);
  });

  it('refuses work beyond its bound instead of queueing it', async () => {
    const gc = createGroupCommit<number, void>({ write: () => new Promise(() => {}), weight: (n) => n, maxPending: 10, maxBatch: 10 });
    void gc.submit(6);
    await expect(gc.submit(5)).rejects.toBeInstanceOf(QueueFullError);
    void gc.submit(4);
    expect(gc.depth()).toBe(10);
  });

  it('isolates a failing item: its neighbours in the group are still written', async () => {
    const written: number[] = [];
    let calls = 0;
    const gc = createGroupCommit<number, void>({
      write: async (items) => {
        calls += 1;
        if (calls === 1) await new Promise((r) => setTimeout(r, 5));
        if (items.includes(13)) throw new Error('poison');
        written.push(...items);
      },
      weight: () => 1,
      maxPending: 100,
      maxBatch: 100,
    });
    const first = gc.submit(1);
    const results = await Promise.allSettled([first, gc.submit(12), gc.submit(13), gc.submit(14)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(written.sort((a, b) => a - b)).toEqual([1, 12, 14]);
  });

  it('drain waits for everything submitted', async () => {
    const written: number[] = [];
    const gc = createGroupCommit<number, void>({ write: async (items) => { await new Promise((r) => setTimeout(r, 2)); written.push(...items); }, weight: () => 1, maxPending: 100, maxBatch: 2 });
    for (let i = 0; i < 7; i++) void gc.submit(i);
    await gc.drain();
    expect(written).toHaveLength(7);
  });
});
