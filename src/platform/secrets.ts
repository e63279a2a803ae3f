// Secrets not given in the environment are generated once and kept in DATA_DIR/secrets.json
// (mode 0600), so a single-machine install works without setup and survives restarts.
// Several nodes sharing PostgreSQL must share JWT_SECRET, ENCRYPTION_KEYS and BLIND_INDEX_KEY instead.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config, EncryptionKey } from '../config.js';

export interface Secrets {
  jwtSecret: string;
  encryptionKeys: EncryptionKey[];
  blindIndexKey: Buffer;
}

interface SecretsFile {
  jwtSecret: string;
  encryptionKey: { id: string; key: string };
  /** Added by Augur versions with encrypted personal fields; older files lack it. */
  blindIndexKey?: string;
}

const newBlindIndexKey = () => crypto.randomBytes(32).toString('base64');

export function resolveSecrets(config: Config): Secrets & { generatedFile?: string } {
  if (config.jwtSecret && config.encryptionKeys && config.blindIndexKey) {
    return { jwtSecret: config.jwtSecret, encryptionKeys: config.encryptionKeys, blindIndexKey: config.blindIndexKey };
  }
  const file = path.join(config.dataDir, 'secrets.json');
  let stored: SecretsFile;
  if (fs.existsSync(file)) {
    stored = readSecretsFile(file);
    if (!stored.blindIndexKey && !config.blindIndexKey) stored = addBlindIndexKey(file);
  } else {
    stored = {
      jwtSecret: crypto.randomBytes(48).toString('base64url'),
      encryptionKey: { id: 'k1', key: crypto.randomBytes(32).toString('base64') },
      blindIndexKey: newBlindIndexKey(),
    };
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
  }
  return {
    jwtSecret: config.jwtSecret ?? stored.jwtSecret,
    encryptionKeys: config.encryptionKeys ?? [{ id: stored.encryptionKey.id, key: Buffer.from(stored.encryptionKey.key, 'base64') }],
    blindIndexKey: config.blindIndexKey ?? Buffer.from(stored.blindIndexKey!, 'base64'),
    generatedFile: file,
  };
}

function readSecretsFile(file: string): SecretsFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SecretsFile;
}

/**
 * Adds a blind-index key to a secrets file written by an older version. Two processes starting
 * at once must not each keep a different key, so the change is made under an exclusive lock
 * file, re-reads the file inside it, and replaces it atomically (write, fsync, rename).
 */
function addBlindIndexKey(file: string): SecretsFile {
  return withFileLock(`${file}.lock`, () => {
    const current = readSecretsFile(file);
    if (current.blindIndexKey) return current;
    const updated: SecretsFile = { ...current, blindIndexKey: newBlindIndexKey() };
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, JSON.stringify(updated, null, 2));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    return updated;
  });
}

const LOCK_WAIT_MS = 10_000;
// A lock older than this was left by a process that died while holding it (the work takes milliseconds).
const LOCK_STALE_MS = 30_000;

function withFileLock<T>(lockFile: string, fn: () => T): T {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lockFile, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (fs.statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) fs.rmSync(lockFile, { force: true });
      else if (Date.now() > deadline) throw new Error(`${lockFile} is held by another Augur process; remove it if no other process is starting`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}
