// Everything a feature needs at run time, built once by main.ts (or a test) and passed
// to buildApp. Features take what they use from it; nothing reads process.env.
import type { Redis } from 'ioredis';
import type { NatsConnection } from 'nats';
import type { Config } from './config.js';
import type { Db, DbHandle } from './db/client.js';
import type { TokenSigner } from './auth/tokens.js';
import type { Clock } from './platform/clock.js';
import type { CounterStore } from './platform/counters.js';
import type { FieldCipher } from './platform/crypto.js';
import type { BlindIndex } from './platform/blind-index.js';
import type { Metrics } from './platform/metrics.js';
import type { LiveBus } from './platform/live-bus.js';
import type { SessionStates } from './tracking/session-state.js';
import type { VisitorTokens } from './privacy/visitor-token.js';

export interface AppContext {
  config: Config;
  db: Db;
  dbHandle: DbHandle;
  clock: Clock;
  cipher: FieldCipher;
  /** Keyed hashes for equality lookups of encrypted fields (email, username). */
  blindIndex: BlindIndex;
  tokens: TokenSigner;
  counters: CounterStore;
  metrics: Metrics;
  /** A keyed digest of an identifier (an IP for rate limits): same on every node, unreadable without the secret. */
  pseudonymize(value: string): string;
  /** Signs and checks the visitor tokens that let a tracked visitor export or erase their own data. */
  visitorTokens: VisitorTokens;
  /** Live-view messages: in process, or over NATS in scale mode. */
  live: LiveBus;
  /** Behaviour state of live sessions, kept where events are written. */
  sessionStates: SessionStates;
  redis?: Redis;
  nats?: NatsConnection;
}
