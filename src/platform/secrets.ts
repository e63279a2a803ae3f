// Secrets not given in the environment are generated once and kept in DATA_DIR/secrets.json
// (mode 0600), so a single-machine install works without setup and survives restarts.
// Several nodes sharing PostgreSQL must share JWT_SECRET and ENCRYPTION_KEYS instead.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config, EncryptionKey } from '../config.js';

export interface Secrets {
  jwtSecret: string;
  encryptionKeys: EncryptionKey[];
}

interface SecretsFile {
  jwtSecret: string;
  encryptionKey: { id: string; key: string };
}

export function resolveSecrets(config: Config): Secrets & { generatedFile?: string } {
  if (config.jwtSecret && config.encryptionKeys) {
    return { jwtSecret: config.jwtSecret, encryptionKeys: config.encryptionKeys };
  }
  const file = path.join(config.dataDir, 'secrets.json');
  let stored: SecretsFile;
  if (fs.existsSync(file)) {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as SecretsFile;
  } else {
    stored = {
      jwtSecret: crypto.randomBytes(48).toString('base64url'),
      encryptionKey: { id: 'k1', key: crypto.randomBytes(32).toString('base64') },
    };
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
  }
  return {
    jwtSecret: config.jwtSecret ?? stored.jwtSecret,
    encryptionKeys: config.encryptionKeys ?? [{ id: stored.encryptionKey.id, key: Buffer.from(stored.encryptionKey.key, 'base64') }],
    generatedFile: file,
  };
}
