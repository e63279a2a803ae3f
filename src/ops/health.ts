// Health in the spec 003 shape: status, timestamp, and a check per configured dependency.
import type { AppContext } from '../context.js';
import { ping } from '../db/client.js';
import { checkJetStream } from '../platform/services.js';

export type CheckResult = 'healthy' | `unhealthy: ${string}`;

export interface Health {
  status: 'healthy' | 'unhealthy';
  timestamp: string;
  checks: Record<string, CheckResult>;
}

const TIMEOUT_MS = 2000;

async function run(check: () => Promise<unknown>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS); }),
    ]);
    return 'healthy';
  } catch (err) {
    // The first line only: enough to act on, without stack traces or connection strings.
    return `unhealthy: ${String((err as Error).message ?? err).split('\n')[0]!.slice(0, 200)}`;
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(ctx: AppContext): Promise<Health> {
  const checks: Record<string, () => Promise<unknown>> = { database: () => ping(ctx.db) };
  if (ctx.nats) {
    const nats = ctx.nats;
    checks.queue = () => checkJetStream(nats);
  }
  if (ctx.redis) {
    const redis = ctx.redis;
    checks.redis = () => redis.ping();
  }
  if (ctx.config.llmBaseUrl) {
    const url = `${ctx.config.llmBaseUrl.replace(/\/$/, '')}/models`;
    const headers: Record<string, string> = ctx.config.llmApiKey ? { authorization: `Bearer ${ctx.config.llmApiKey}` } : {};
    checks.llm = async () => {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!res.ok) throw new Error(`GET /models answered ${res.status}`);
    };
  }
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((n) => run(checks[n]!)));
  const out = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
  return {
    status: results.every((r) => r === 'healthy') ? 'healthy' : 'unhealthy',
    timestamp: new Date(ctx.clock.now()).toISOString(),
    checks: out,
  };
}
