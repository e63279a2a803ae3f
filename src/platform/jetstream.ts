// A durable work queue on NATS JetStream: publishers wait for the stream's acknowledgement
// (the message is on disk), consumers ack only after they have committed what it says.
import { AckPolicy, DiscardPolicy, JSONCodec, RetentionPolicy, StorageType, nanos, type JsMsg, type NatsConnection } from 'nats';

export interface WorkQueueSpec {
  stream: string;
  subject: string;
  /** How long a pulled message may stay unacked before it is redelivered (a dead consumer's). */
  ackWaitMs: number;
  /** Bytes the stream may hold; beyond that publishing fails (and the API answers 503). */
  maxBytes: number;
}

const codec = JSONCodec();

/** Creates the stream and its durable consumer if missing (idempotent, safe from many nodes). */
export async function ensureWorkQueue(nc: NatsConnection, spec: WorkQueueSpec, durable: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const config = {
    name: spec.stream,
    subjects: [`${spec.subject}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    max_bytes: spec.maxBytes,
    discard: DiscardPolicy.New,
  };
  const existing = await jsm.streams.info(spec.stream).catch(() => undefined);
  if (!existing) {
    await jsm.streams.add(config).catch(async (err) => {
      // Another node created it first.
      if (!(await jsm.streams.info(spec.stream).catch(() => undefined))) throw err;
    });
  } else if (existing.config.subjects?.join() !== config.subjects.join() || existing.config.max_bytes !== config.max_bytes) {
    await jsm.streams.update(spec.stream, { subjects: config.subjects, max_bytes: config.max_bytes });
  }
  // Adding an existing durable with new settings updates it.
  await jsm.consumers.add(spec.stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: nanos(spec.ackWaitMs), max_ack_pending: 20_000, max_deliver: -1 });
}

/** Publishes and waits for JetStream's acknowledgement that the message is stored. */
export async function publishDurable(nc: NatsConnection, subject: string, payload: unknown): Promise<void> {
  await nc.jetstream().publish(subject, codec.encode(payload), { timeout: 5000 });
}

export interface Consumed<T> {
  /** Undefined when the message is not valid JSON. */
  data: T | undefined;
  msg: JsMsg;
}

export interface BatchConsumer {
  /** Stops pulling and waits for the batch in hand to finish. */
  stop(): Promise<void>;
}

/**
 * Hands messages to handle in batches: up to maxBatch, or whatever arrived within lingerMs of
 * the first. handle must ack or nak each message; unacked ones are redelivered after ack_wait.
 * Batches are handled one at a time, in order; JetStream's max_ack_pending bounds what waits.
 */
export async function consumeBatches<T>(
  nc: NatsConnection,
  stream: string,
  durable: string,
  opts: { maxBatch: number; lingerMs: number },
  handle: (batch: Consumed<T>[]) => Promise<void>,
): Promise<BatchConsumer> {
  const consumer = await nc.jetstream().consumers.get(stream, durable);
  const messages = await consumer.consume({ max_messages: opts.maxBatch * 2 });
  let buffer: Consumed<T>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = buffer;
    buffer = [];
    // handle answers each message itself; a throw must not stop later batches.
    if (batch.length > 0) chain = chain.then(() => handle(batch)).catch(() => {});
  };
  const loop = (async () => {
    for await (const msg of messages) {
      let data: T | undefined;
      try {
        data = codec.decode(msg.data) as T;
      } catch {
        data = undefined;
      }
      buffer.push({ data, msg });
      if (buffer.length >= opts.maxBatch) flush();
      else timer ??= setTimeout(flush, opts.lingerMs);
    }
  })();
  return {
    async stop() {
      await messages.close();
      await loop.catch(() => {});
      flush();
      await chain;
    },
  };
}
