// Fixed-window counters shared by login throttling and other limits: in memory on one
// node, in Redis when REDIS_URL is set so every node sees the same counts.
import type { Redis } from 'ioredis';
import type { Clock } from './clock.js';

export interface CounterStore {
  /** Adds one to key's window and returns the count and ms until the window resets. */
  increment(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  /** Current count without changing it. */
  peek(key: string): Promise<{ count: number; resetInMs: number }>;
  reset(key: string): Promise<void>;
}

export function memoryCounters(clock: Clock): CounterStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string) => {
    const w = windows.get(key);
    if (w && w.resetAt <= clock.now()) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  // Drop expired windows now and then so the map cannot grow without bound.
  const sweep = setInterval(() => { for (const key of windows.keys()) live(key); }, 60_000);
  sweep.unref();
  return {
    async increment(key, windowMs) {
      const w = live(key) ?? { count: 0, resetAt: clock.now() + windowMs };
      w.count += 1;
      windows.set(key, w);
      return { count: w.count, resetInMs: w.resetAt - clock.now() };
    },
    async peek(key) {
      const w = live(key);
      return w ? { count: w.count, resetInMs: w.resetAt - clock.now() } : { count: 0, resetInMs: 0 };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

const INCREMENT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

export function redisCounters(redis: Redis, prefix = 'augur:counter:'): CounterStore {
  return {
    async increment(key, windowMs) {
      const [count, ttl] = (await redis.eval(INCREMENT_SCRIPT, 1, prefix + key, windowMs)) as [number, number];
      return { count, resetInMs: Math.max(0, ttl) };
    },
    async peek(key) {
      const [count, ttl] = await Promise.all([redis.get(prefix + key), redis.pttl(prefix + key)]);
      return { count: Number(count ?? 0), resetInMs: Math.max(0, ttl) };
    },
    async reset(key) {
      await redis.del(prefix + key);
    },
  };
}
