// Builds the AppContext from configuration: database, secrets, optional Redis and NATS.
import crypto from 'node:crypto';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase, type DbHandle } from './db/client.js';
import { createTokenSigner } from './auth/tokens.js';
import { systemClock, type Clock } from './platform/clock.js';
import { memoryCounters, redisCounters } from './platform/counters.js';
import { createFieldCipher } from './platform/crypto.js';
import { createBlindIndex } from './platform/blind-index.js';
import { createMetrics } from './platform/metrics.js';
import { resolveSecrets } from './platform/secrets.js';
import { connectNats, connectRedis } from './platform/services.js';
import { memoryLiveBus, natsLiveBus } from './platform/live-bus.js';
import { createSessionStates } from './tracking/session-state.js';
import { createVisitorTokens } from './privacy/visitor-token.js';

export interface ContextOverrides {
  dbHandle?: DbHandle;
  clock?: Clock;
}

export async function openContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const clock = overrides.clock ?? systemClock;
  const secrets = resolveSecrets(config);
  const dbHandle = overrides.dbHandle ?? (await openDatabase({ databaseUrl: config.databaseUrl, poolMax: config.databasePoolMax, dataDir: config.dataDir }));
  try {
    const redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
    const nats = config.queueUrl ? await connectNats(config.queueUrl) : undefined;
    return {
      config,
      db: dbHandle.db,
      dbHandle,
      clock,
      cipher: createFieldCipher(secrets.encryptionKeys),
      blindIndex: createBlindIndex(secrets.blindIndexKey),
      tokens: createTokenSigner(secrets.jwtSecret, config.accessTokenTtlSeconds, () => clock.now()),
      pseudonymize: pseudonymizer(secrets.jwtSecret),
      visitorTokens: createVisitorTokens(secrets.jwtSecret, () => clock.now()),
      counters: redis ? redisCounters(redis) : memoryCounters(clock),
      metrics: createMetrics(() => dbHandle.poolStats()),
      live: nats ? natsLiveBus(nats) : memoryLiveBus(),
      sessionStates: createSessionStates(),
      redis,
      nats,
    };
  } catch (err) {
    await dbHandle.close();
    throw err;
  }
}

// A key of its own, derived from the shared secret, so digests never double as token signatures.
function pseudonymizer(secret: string): (value: string) => string {
  const key = crypto.createHmac('sha256', secret).update('augur pseudonymous ids').digest();
  return (value) => crypto.createHmac('sha256', key).update(value).digest('base64url').slice(0, 22);
}

/** Closes connections in reverse order of opening. */
export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.nats?.drain().catch(() => {});
  ctx.redis?.disconnect();
  await ctx.dbHandle.close();
}
