// Connections to the optional shared services. Each fails fast at start-up with a
// message naming the variable, rather than starting a node that cannot do its job.
import { Redis } from 'ioredis';
import { connect, type NatsConnection } from 'nats';

export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false, connectTimeout: 3000 });
  redis.on('error', () => {}); // reported through /health; ioredis keeps reconnecting
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Cannot reach Redis at REDIS_URL: ${(err as Error).message}`);
  }
  return redis;
}

export async function connectNats(url: string): Promise<NatsConnection> {
  const u = new URL(url);
  try {
    return await connect({
      servers: `${u.hostname}:${u.port || 4222}`,
      user: u.username ? decodeURIComponent(u.username) : undefined,
      pass: u.password ? decodeURIComponent(u.password) : undefined,
      name: 'augur',
      timeout: 3000,
      maxReconnectAttempts: -1,
    });
  } catch (err) {
    throw new Error(`Cannot reach NATS at QUEUE_URL: ${(err as Error).message}`);
  }
}

/** Round trip to the JetStream API: proves both the connection and that JetStream is enabled. */
export async function checkJetStream(nc: NatsConnection): Promise<void> {
  const jsm = await nc.jetstreamManager({ timeout: 2000 });
  await jsm.getAccountInfo();
}
