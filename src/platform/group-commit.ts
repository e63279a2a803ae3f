// Group commit: callers submit items and wait; whatever arrived while the previous write ran is
// written together in the next one. Under load, writes grow large on their own; when idle, an
// item is written at once. Bounded: past maxPending the caller is refused (to answer 503), never
// queued without limit.

export class QueueFullError extends Error {
  constructor() {
    super('The write queue is full');
  }
}

export interface GroupCommitOptions<T, R> {
  /** Writes the items durably (one transaction); its result goes to onWritten. */
  write(items: T[]): Promise<R>;
  /** Called after each successful write, outside the callers' wait. */
  onWritten?(result: R): void;
  /** Size of an item in the bound's units (e.g. events per request). */
  weight(item: T): number;
  maxPending: number;
  maxBatch: number;
  onError?(err: unknown): void;
}

interface Pending<T> {
  item: T;
  weight: number;
  resolve(): void;
  reject(err: unknown): void;
}

export interface GroupCommit<T> {
  /** Resolves once the item is written; rejects with QueueFullError when over the bound. */
  submit(item: T): Promise<void>;
  /** Items waiting or being written, in weight units. */
  depth(): number;
  /** Waits until everything submitted so far is written. */
  drain(): Promise<void>;
}

export function createGroupCommit<T, R>(opts: GroupCommitOptions<T, R>): GroupCommit<T> {
  const queue: Pending<T>[] = [];
  let queued = 0;
  let inFlight = 0;
  let running: Promise<void> | undefined;

  async function writeGroup(group: Pending<T>[]): Promise<void> {
    try {
      const result = await opts.write(group.map((p) => p.item));
      group.forEach((p) => p.resolve());
      opts.onWritten?.(result);
    } catch (err) {
      if (group.length === 1) {
        opts.onError?.(err);
        group[0]!.reject(err);
        return;
      }
      // One bad item must not fail its neighbours: write each on its own.
      for (const p of group) await writeGroup([p]);
    }
  }

  async function run(): Promise<void> {
    while (queue.length > 0) {
      const group: Pending<T>[] = [];
      let weight = 0;
      while (queue.length > 0 && (group.length === 0 || weight + queue[0]!.weight <= opts.maxBatch)) {
        const next = queue.shift()!;
        weight += next.weight;
        group.push(next);
      }
      queued -= weight;
      inFlight = weight;
      await writeGroup(group);
      inFlight = 0;
    }
    running = undefined;
  }

  return {
    submit(item) {
      const weight = opts.weight(item);
      if (queued + inFlight + weight > opts.maxPending) return Promise.reject(new QueueFullError());
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, weight, resolve, reject });
        queued += weight;
        running ??= run();
      });
    },
    depth: () => queued + inFlight,
    async drain() {
      while (running) await running;
    },
  };
}
