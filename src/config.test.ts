import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, normalizeOrigin, parseEncryptionKeys } from './config.js';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

/** The ConfigError loadConfig throws for env, or a failure when it does not throw one. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw new Error(`expected a ConfigError, got ${String(err)}`);
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('has working defaults for a single-machine install', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      publicUrl: 'http://localhost:8080',
      dataDir: path.resolve('./data'),
      databasePoolMax: 10,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlDays: 30,
      allowSignup: false,
      bodyLimitBytes: 1_048_576,
      rateLimitPerMinute: 1200,
      loginMaxFailuresPerAccount: 5,
      loginMaxFailuresPerIp: 50,
      loginWindowMinutes: 15,
      trustProxy: false,
      corsOrigins: [],
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
    });
    for (const optional of ['databaseUrl', 'queueUrl', 'redisUrl', 'llmBaseUrl', 'llmApiKey', 'jwtSecret', 'encryptionKeys', 'metricsToken'] as const) {
      expect(config[optional], optional).toBeUndefined();
    }
  });

  it('does not read process.env when given an env object', () => {
    const saved = process.env.PORT;
    process.env.PORT = 'not-a-port';
    try {
      expect(loadConfig({}).port).toBe(8080);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('parses valid values, trims them, and treats empty as unset', () => {
    const config = loadConfig({
      PORT: ' 3000 ',
      PUBLIC_URL: 'https://augur.example.com/',
      DATABASE_URL: 'postgresql://u:p@db:5432/augur',
      REDIS_URL: 'rediss://cache:6380',
      QUEUE_URL: 'nats://queue:4222',
      LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      JWT_SECRET: 'x'.repeat(32),
      ENCRYPTION_KEYS: `k2:${KEY_B}, k1:${KEY_A}`,
      BLIND_INDEX_KEY: KEY_A,
      ALLOW_SIGNUP: 'YES',
      TRUST_PROXY: 'off',
      CORS_ORIGINS: 'https://a.example.com, http://localhost:5173/',
      LOG_LEVEL: 'debug',
      METRICS_TOKEN: '',
    });
    expect(config).toMatchObject({
      port: 3000,
      publicUrl: 'https://augur.example.com',
      databaseUrl: 'postgresql://u:p@db:5432/augur',
      allowSignup: true,
      trustProxy: false,
      corsOrigins: ['https://a.example.com', 'http://localhost:5173'],
      logLevel: 'debug',
      metricsToken: undefined,
    });
    expect(config.encryptionKeys!.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(config.encryptionKeys![0]!.key.equals(Buffer.alloc(32, 2))).toBe(true);
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
  });

  // Each bad value stops start-up with a ConfigError naming the variable.
  const bad: [variable: string, value: string][] = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://cache:6379'],
    ['QUEUE_URL', 'amqp://queue'],
    ['LLM_BASE_URL', 'ftp://models'],
    ['PUBLIC_URL', 'example.com'],
    ['JWT_SECRET', 'too-short-secret'],
    ['JWT_SECRET', 'x'.repeat(31)],
    ['ENCRYPTION_KEYS', 'no-colon-here'],
    ['ENCRYPTION_KEYS', `k1:${KEY_A}:extra`],
    ['ENCRYPTION_KEYS', `:${KEY_A}`],
    ['ENCRYPTION_KEYS', `bad id!:${KEY_A}`],
    ['ENCRYPTION_KEYS', `k1:${Buffer.alloc(16, 1).toString('base64')}`],
    ['ENCRYPTION_KEYS', `k1:${Buffer.alloc(33, 1).toString('base64')}`],
    ['ENCRYPTION_KEYS', `k1:${KEY_A},k1:${KEY_B}`],
    ['ENCRYPTION_KEYS', `k1:${KEY_A},`],
    ['BLIND_INDEX_KEY', Buffer.alloc(31, 1).toString('base64')],
    ['BLIND_INDEX_KEY', 'not base64!'],
    ['LOG_LEVEL', 'loud'],
    ['ALLOW_SIGNUP', 'maybe'],
    ['TRUST_PROXY', '2'],
    ['CORS_ORIGINS', 'https://a.example.com/app'],
    ['CORS_ORIGINS', 'https://a.example.com,*'],
    ['CORS_ORIGINS', 'https://a.example.com?x=1'],
    ['CORS_ORIGINS', 'ftp://a.example.com'],
    ['BODY_LIMIT_BYTES', '10'],
    ['RATE_LIMIT_PER_MINUTE', '0'],
    ['ACCESS_TOKEN_TTL_SECONDS', '15m'],
  ];
  it.each(bad)('refuses %s=%s with a ConfigError naming the variable', (variable, value) => {
    const err = configError({ [variable]: value });
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
    expect(err.message).toMatch(/^Invalid configuration: /);
  });

  it('does not echo secret values in its errors', () => {
    const err = configError({ JWT_SECRET: 'short-but-secret' });
    expect(err.message).not.toContain('short-but-secret');
    const keyErr = configError({ ENCRYPTION_KEYS: `k1:${Buffer.alloc(16, 5).toString('base64')}` });
    expect(keyErr.message).not.toContain(Buffer.alloc(16, 5).toString('base64'));
  });

  it('needs BLIND_INDEX_KEY when JWT_SECRET and ENCRYPTION_KEYS come from the environment (several nodes)', () => {
    const err = configError({ JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEYS: `k1:${KEY_A}` });
    expect(err.variable).toBe('BLIND_INDEX_KEY');
    expect(err.message).toContain('openssl rand -base64 32');
    // Alone, or beside a generated secrets file, it is optional.
    expect(loadConfig({ ENCRYPTION_KEYS: `k1:${KEY_A}` }).blindIndexKey).toBeUndefined();
    expect(loadConfig({ BLIND_INDEX_KEY: Buffer.alloc(48, 2).toString('base64') }).blindIndexKey).toHaveLength(48);
  });

  it('accepts the range limits', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toHaveLength(32);
  });
});

describe('parseEncryptionKeys', () => {
  it('keeps the order (first key active) and decodes 32-byte keys', () => {
    const keys = parseEncryptionKeys(`new:${KEY_B},old:${KEY_A}`)!;
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
    expect(parseEncryptionKeys(undefined)).toBeUndefined();
  });
});

describe('normalizeOrigin', () => {
  it('returns scheme://host[:port] for bare origins only', () => {
    expect(normalizeOrigin('https://Shop.Example.com')).toBe('https://shop.example.com');
    expect(normalizeOrigin('https://shop.example.com:443/')).toBe('https://shop.example.com');
    expect(normalizeOrigin('http://localhost:5173')).toBe('http://localhost:5173');
    for (const bad of ['https://shop.example.com/path', 'https://user:pw@shop.example.com', 'https://shop.example.com#x', 'javascript:alert(1)', 'shop.example.com', '']) {
      expect(normalizeOrigin(bad), bad).toBeUndefined();
    }
  });
});
