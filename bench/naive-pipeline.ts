// The ingest benchmark's baseline: what a straightforward server does with the same requests.
// Each event of a request is written on its own, one after another, in its own transaction —
// the production batch writer (writeBatches) called with a one-event batch: BEGIN; INSERT one
// row INTO user_events … ON CONFLICT DO NOTHING RETURNING; upsert its user_sessions row; COMMIT.
// So it does the same work per event as the real pipeline (idempotent insert, session
// aggregates, live state), but with no batching within a request and none across requests.
// Concurrent requests still write concurrently (PostgreSQL: up to the pool size; PGlite has
// one connection), and the request is answered after its last event is committed (202 =
// durable, as in the real pipeline).
import type { AppContext } from '../src/context.js';
import { unavailable } from '../src/errors.js';
import type { IngestBatch } from '../src/tracking/ingest.js';
import { afterCommit, type EventPipeline } from '../src/tracking/pipeline.js';
import { ensurePartitions, newWriterState, writeBatches } from '../src/tracking/writer.js';

export function naivePipeline(ctx: AppContext): EventPipeline {
  const state = newWriterState();
  // The monthly partitions exist before the first request (as they would after a day of traffic).
  const now = ctx.clock.now();
  const ready = ensurePartitions(ctx.db, state, [now - 86_400_000, now, now + 86_400_000]);
  let pending = 0;
  const running = new Set<Promise<void>>();

  async function writeOneByOne(batch: IngestBatch): Promise<void> {
    let left = batch.events.length;
    try {
      await ready;
      for (const event of batch.events) {
        const stored = await writeBatches(ctx.db, state, [{ ...batch, events: [event] }]);
        afterCommit(ctx, stored);
        left -= 1;
        pending -= 1;
      }
    } finally {
      pending -= left;
    }
  }

  return {
    async enqueue(batch) {
      pending += batch.events.length;
      const done = writeOneByOne(batch);
      running.add(done);
      try {
        await done;
      } catch {
        throw unavailable('TRACK_STORE_UNAVAILABLE', 'The event store is not answering; retry shortly with the same event ids', 2);
      } finally {
        running.delete(done);
      }
    },
    depth: () => pending,
    async close() {
      await Promise.allSettled([...running]);
    },
  };
}
