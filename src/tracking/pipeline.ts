// The event pipeline. Embedded: requests wait for a group commit into the database. Scale
// (QUEUE_URL): API nodes publish to JetStream and return once it is stored; workers write in
// batches and ack after the commit. Either way the 202 means durable, and writes are idempotent.
import type { AppContext } from '../context.js';
import { unavailable } from '../errors.js';
import { createGroupCommit, QueueFullError } from '../platform/group-commit.js';
import { consumeBatches, ensureWorkQueue, publishDurable, type BatchConsumer, type Consumed } from '../platform/jetstream.js';
import { compileStrict } from '../platform/validation.js';
import type { IngestBatch } from './ingest.js';
import { IngestBatchSchema } from './schemas.js';
import type { StoredBatch } from './sessionizer.js';
import { newWriterState, writeBatches } from './writer.js';

export interface EventPipeline {
  /** Resolves once the batch is durable; throws a 503 AppError when the pipeline is saturated. */
  enqueue(batch: IngestBatch): Promise<void>;
  /** Events accepted but not yet durable. */
  depth(): number;
  close(): Promise<void>;
}

/** The stream (QUEUE_STREAM), its subject prefix and the workers' durable consumer. */
export function queueNames(ctx: AppContext) {
  const stream = ctx.config.queueStream;
  // The default stream keeps the subject it was first deployed with.
  const subject = stream === 'AUGUR_EVENTS' ? 'augur.events' : stream.toLowerCase();
  return { stream, subject, durable: 'augur-writer', maxBytes: ctx.config.queueMaxBytes, ackWaitMs: ctx.config.queueAckWaitMs };
}
const MAX_WRITE_EVENTS = 5000;

const queueFull = () => unavailable('TRACK_QUEUE_FULL', 'Too many events are waiting to be stored; retry shortly with the same event ids', 1);

/** Work done once events are committed: live session state, live views, counters. */
export function afterCommit(ctx: AppContext, stored: StoredBatch[]): void {
  ctx.sessionStates.apply(stored);
  for (const { batch, events } of stored) {
    ctx.metrics.trackStored.inc(events.length);
    const channel = `site.${batch.site_id}`;
    if (!ctx.live.wanted(channel)) continue;
    try {
      ctx.live.publish(channel, {
        type: 'events',
        session_id: batch.session_id,
        visitor_id: batch.visitor_id,
        device_type: batch.device.device_type,
        events: events.map((e) => ({ event_id: e.event_id, type: e.type, ts: e.ts, url: e.url })),
      });
    } catch {
      // Live views are best effort; the events are stored either way.
      ctx.metrics.trackLiveErrors.inc();
    }
  }
}

export function embeddedPipeline(ctx: AppContext): EventPipeline {
  const state = newWriterState();
  const queue = createGroupCommit<IngestBatch, StoredBatch[]>({
    write: async (batches) => {
      const end = ctx.metrics.trackWriteDuration.startTimer();
      const stored = await writeBatches(ctx.db, state, batches);
      end();
      ctx.metrics.trackWriteSize.observe(batches.reduce((n, b) => n + b.events.length, 0));
      return stored;
    },
    onWritten: (stored) => afterCommit(ctx, stored),
    weight: (b) => b.events.length,
    maxPending: ctx.config.trackQueueMaxEvents,
    maxBatch: MAX_WRITE_EVENTS,
  });
  return {
    async enqueue(batch) {
      try {
        await queue.submit(batch);
      } catch (err) {
        if (err instanceof QueueFullError) throw queueFull();
        throw unavailable('TRACK_STORE_UNAVAILABLE', 'The event store is not answering; retry shortly with the same event ids', 2);
      }
    },
    depth: () => queue.depth(),
    close: () => queue.drain(),
  };
}

/** API side of scale mode: publish to JetStream, bounded by the events in flight. */
export async function jetStreamPipeline(ctx: AppContext): Promise<EventPipeline> {
  const nc = ctx.nats!;
  const queue = queueNames(ctx);
  await ensureWorkQueue(nc, queue, queue.durable);
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  return {
    async enqueue(batch) {
      if (inFlight + batch.events.length > ctx.config.trackQueueMaxEvents) throw queueFull();
      inFlight += batch.events.length;
      const published = publishDurable(nc, `${queue.subject}.${batch.site_id}`, batch);
      pending.add(published);
      try {
        await published;
      } catch (err) {
        // Stream full (discard: new) or JetStream unreachable: the client retries.
        const full = /maximum (bytes|messages)/i.test(String((err as Error).message));
        throw full ? queueFull() : unavailable('TRACK_QUEUE_UNAVAILABLE', 'The event queue is not answering; retry shortly with the same event ids', 2);
      } finally {
        inFlight -= batch.events.length;
        pending.delete(published);
      }
    },
    depth: () => inFlight,
    async close() {
      await Promise.allSettled([...pending]);
    },
  };
}

const isBatch = compileStrict<IngestBatch>(IngestBatchSchema);

/** Worker side of scale mode: JetStream → batch writer, ack after commit. */
export async function startTrackingWorker(ctx: AppContext, onError: (err: unknown) => void): Promise<BatchConsumer> {
  const nc = ctx.nats!;
  const queue = queueNames(ctx);
  await ensureWorkQueue(nc, queue, queue.durable);
  const state = newWriterState();

  async function writeAndAck(items: Consumed<IngestBatch>[]): Promise<void> {
    // A slow commit must not look like a dead worker: tell JetStream we are still on it.
    const heartbeat = setInterval(() => items.forEach((i) => i.msg.working()), Math.max(500, queue.ackWaitMs / 3));
    try {
      const end = ctx.metrics.trackWriteDuration.startTimer();
      const stored = await writeBatches(ctx.db, state, items.map((i) => i.data!));
      end();
      ctx.metrics.trackWriteSize.observe(items.reduce((n, i) => n + i.data!.events.length, 0));
      for (const i of items) i.msg.ack();
      afterCommit(ctx, stored);
    } catch (err) {
      // One bad message must not hold back its neighbours: retry them one by one.
      if (items.length > 1) {
        for (const i of items) await writeAndAck([i]);
        return;
      }
      ctx.metrics.trackWriteErrors.inc();
      onError(err);
      items[0]!.msg.nak(2000);
    } finally {
      clearInterval(heartbeat);
    }
  }

  return consumeBatches<IngestBatch>(nc, queue.stream, queue.durable, { maxBatch: 500, lingerMs: 20 }, async (items) => {
    const good: Consumed<IngestBatch>[] = [];
    for (const item of items) {
      if (item.data !== undefined && isBatch(item.data)) good.push(item);
      else {
        // Never retried: it can only fail again. Counted, not silent.
        ctx.metrics.trackPoisonMessages.inc();
        item.msg.term();
      }
    }
    if (good.length > 0) await writeAndAck(good);
  });
}
