// Publish/subscribe for live views (dashboards): in-process by default; over NATS core subjects
// when QUEUE_URL is set, so a worker's writes reach the API node that holds the WebSocket.
import { EventEmitter } from 'node:events';
import { JSONCodec, type NatsConnection, type Subscription } from 'nats';

export interface LiveBus {
  /** Whether a message on the channel could reach anyone; callers skip building it when not. */
  wanted(channel: string): boolean;
  publish(channel: string, message: unknown): void;
  /** Returns the unsubscribe function. */
  subscribe(channel: string, listener: (message: unknown) => void): () => void;
}

export function memoryLiveBus(): LiveBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    wanted: (channel) => emitter.listenerCount(channel) > 0,
    publish: (channel, message) => void emitter.emit(channel, message),
    subscribe(channel, listener) {
      emitter.on(channel, listener);
      return () => void emitter.off(channel, listener);
    },
  };
}

const codec = JSONCodec();

export function natsLiveBus(nc: NatsConnection, prefix = 'augur.live'): LiveBus {
  return {
    // Subscribers may be on any node.
    wanted: () => true,
    publish: (channel, message) => nc.publish(`${prefix}.${channel}`, codec.encode(message)),
    subscribe(channel, listener) {
      const sub: Subscription = nc.subscribe(`${prefix}.${channel}`, {
        callback: (err, msg) => {
          if (err) return;
          try {
            listener(codec.decode(msg.data));
          } catch {
            // A malformed message is skipped; live views are best effort.
          }
        },
      });
      return () => sub.unsubscribe();
    },
  };
}
