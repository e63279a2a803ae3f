// The only reader of process.env. Every variable is parsed and validated here; a bad
// value stops start-up with a message that names the variable.
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl?: string;
  databasePoolMax: number;
  queueUrl?: string;
  redisUrl?: string;
  llmBaseUrl?: string;
  llmApiKey?: string;
  /** HS256 secret for access tokens; from JWT_SECRET or generated into DATA_DIR. */
  jwtSecret?: string;
  /** Field-encryption key ring, first key active; from ENCRYPTION_KEYS or generated into DATA_DIR. */
  encryptionKeys?: EncryptionKey[];
  /** Key of the blind indexes (keyed hashes for equality lookups of encrypted fields); never rotates with encryptionKeys. */
  blindIndexKey?: Buffer;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  allowSignup: boolean;
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerIp: number;
  loginWindowMinutes: number;
  trustProxy: boolean;
  corsOrigins: string[];
  metricsToken?: string;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
  /** Events accepted but not yet durable before ingest answers 503. */
  trackQueueMaxEvents: number;
  /** Ingest requests per minute per client IP. */
  ingestRateLimitPerMinute: number;
  /** Bytes the JetStream event stream may hold (scale mode). */
  queueMaxBytes: number;
  /** JetStream stream name; its subjects are named after it. */
  queueStream: string;
  /** How long before events pulled by a worker that died are delivered again. */
  queueAckWaitMs: number;
  /** Create a demo site (served at /demo/) on start. */
  demoSite: boolean;
  /** How often the retention purge runs (roles all and worker). */
  retentionIntervalMinutes: number;
  /** Rows per purge transaction: bounds how long each holds its locks. */
  retentionBatchRows: number;
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };
  const bool = (name: string, fallback: boolean) => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    throw new ConfigError(name, `must be true or false, got "${raw}"`);
  };
  const url = (name: string, protocols: string[]) => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(name, 'must be a URL');
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
    }
    return raw;
  };

  const name = (variable: string, fallback: string) => {
    const raw = read(variable) ?? fallback;
    if (!/^[A-Za-z0-9_]{1,64}$/.test(raw)) throw new ConfigError(variable, `must be letters, digits and _ (at most 64), got "${raw}"`);
    return raw;
  };

  const port = int('PORT', 8080, 0, 65535);
  const logLevel = (read('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', 'must be one of fatal, error, warn, info, debug, trace, silent');
  }
  const jwtSecret = read('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  }
  const encryptionKeys = parseEncryptionKeys(read('ENCRYPTION_KEYS'));
  const blindIndexKey = parseBlindIndexKey(read('BLIND_INDEX_KEY'));
  // Installs that give their secrets by environment (several nodes) get no generated secrets.json,
  // and a key each node generated for itself would make sign-in fail on the others.
  if (jwtSecret !== undefined && encryptionKeys !== undefined && blindIndexKey === undefined) {
    throw new ConfigError('BLIND_INDEX_KEY', 'must be set when JWT_SECRET and ENCRYPTION_KEYS are: give every node the same value, made once with `openssl rand -base64 32`, and never change it');
  }
  const corsOrigins = (read('CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((origin) => {
      const normalized = normalizeOrigin(origin);
      if (!normalized) throw new ConfigError('CORS_ORIGINS', `has "${origin}", which is not an origin like https://example.com`);
      return normalized;
    });

  return {
    host: read('HOST') ?? '0.0.0.0',
    port,
    publicUrl: (url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/$/, ''),
    dataDir: path.resolve(read('DATA_DIR') ?? './data'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolMax: int('DATABASE_POOL_MAX', 10, 1, 500),
    queueUrl: url('QUEUE_URL', ['nats:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    llmBaseUrl: url('LLM_BASE_URL', ['http:', 'https:']),
    llmApiKey: read('LLM_API_KEY'),
    jwtSecret,
    encryptionKeys,
    blindIndexKey,
    accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 900, 60, 86_400),
    refreshTokenTtlDays: int('REFRESH_TOKEN_TTL_DAYS', 30, 1, 365),
    allowSignup: bool('ALLOW_SIGNUP', false),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    rateLimitPerMinute: int('RATE_LIMIT_PER_MINUTE', 1200, 1, 10_000_000),
    loginMaxFailuresPerAccount: int('LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 1000),
    loginMaxFailuresPerIp: int('LOGIN_MAX_FAILURES_PER_IP', 50, 1, 100_000),
    loginWindowMinutes: int('LOGIN_WINDOW_MINUTES', 15, 1, 1440),
    trustProxy: bool('TRUST_PROXY', false),
    corsOrigins,
    metricsToken: read('METRICS_TOKEN'),
    logLevel,
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    trackQueueMaxEvents: int('TRACK_QUEUE_MAX_EVENTS', 50_000, 100, 10_000_000),
    ingestRateLimitPerMinute: int('INGEST_RATE_LIMIT_PER_MINUTE', 6000, 1, 100_000_000),
    queueMaxBytes: int('QUEUE_MAX_BYTES', 1_073_741_824, 1_048_576, 1_099_511_627_776),
    queueStream: name('QUEUE_STREAM', 'AUGUR_EVENTS'),
    queueAckWaitMs: int('QUEUE_ACK_WAIT_MS', 10_000, 1000, 600_000),
    demoSite: bool('DEMO_SITE', true),
    retentionIntervalMinutes: int('RETENTION_INTERVAL_MINUTES', 60, 1, 10_080),
    retentionBatchRows: int('RETENTION_BATCH_ROWS', 5000, 10, 1_000_000),
  };
}

/** ENCRYPTION_KEYS="id:base64key,id2:base64key" — the first key encrypts, all decrypt. */
export function parseEncryptionKeys(raw: string | undefined): EncryptionKey[] | undefined {
  if (raw === undefined) return undefined;
  const keys = raw.split(',').map((entry) => {
    const [id, material, ...rest] = entry.trim().split(':');
    if (!id || !material || rest.length > 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new ConfigError('ENCRYPTION_KEYS', 'must be a comma-separated list of id:base64key');
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) throw new ConfigError('ENCRYPTION_KEYS', `key "${id}" must decode to 32 bytes`);
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new ConfigError('ENCRYPTION_KEYS', 'has a duplicate key id');
  }
  return keys;
}

/** BLIND_INDEX_KEY: base64 of at least 32 random bytes. */
export function parseBlindIndexKey(raw: string | undefined): Buffer | undefined {
  if (raw === undefined) return undefined;
  const key = Buffer.from(raw, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw) || key.length < 32) {
    throw new ConfigError('BLIND_INDEX_KEY', 'must be base64 of at least 32 bytes (openssl rand -base64 32)');
  }
  return key;
}

/** Returns scheme://host[:port] or undefined when the value is not a bare web origin. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}
