import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { resolveSecrets } from './secrets.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-secrets-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('generated secrets', () => {
  it('generates every secret once, including the blind-index key, into a private file', () => {
    const dir = tempDir();
    const first = resolveSecrets(loadConfig({ DATA_DIR: dir }));
    const second = resolveSecrets(loadConfig({ DATA_DIR: dir }));
    expect(first.blindIndexKey).toHaveLength(32);
    expect(second.blindIndexKey.equals(first.blindIndexKey)).toBe(true);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('adds a blind-index key to a file from an older version, keeping the other secrets and the mode', () => {
    const dir = tempDir();
    const file = path.join(dir, 'secrets.json');
    const old = { jwtSecret: 'j'.repeat(64), encryptionKey: { id: 'k1', key: Buffer.alloc(32, 1).toString('base64') } };
    fs.writeFileSync(file, JSON.stringify(old), { mode: 0o600 });
    const secrets = resolveSecrets(loadConfig({ DATA_DIR: dir }));
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(stored).toMatchObject(old);
    expect(Buffer.from(stored.blindIndexKey, 'base64').equals(secrets.blindIndexKey)).toBe(true);
    expect(secrets.jwtSecret).toBe(old.jwtSecret);
    expect(secrets.encryptionKeys[0]!.key.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['secrets.json']);
    // Later starts keep that key.
    expect(resolveSecrets(loadConfig({ DATA_DIR: dir })).blindIndexKey.equals(secrets.blindIndexKey)).toBe(true);
  });

  const writeOldFile = (file: string) =>
    fs.writeFileSync(file, JSON.stringify({ jwtSecret: 'j'.repeat(64), encryptionKey: { id: 'k1', key: Buffer.alloc(32, 1).toString('base64') } }), { mode: 0o600 });

  it('waits while another process holds the lock, then uses the key that process wrote', () => {
    const dir = tempDir();
    const file = path.join(dir, 'secrets.json');
    writeOldFile(file);
    fs.writeFileSync(`${file}.lock`, '');
    const theirs = Buffer.alloc(32, 8).toString('base64');
    // The other process: adds its key a little later, then releases the lock.
    const other = spawn(process.execPath, ['-e', `
      const fs = require('node:fs');
      setTimeout(() => {
        const s = JSON.parse(fs.readFileSync(${JSON.stringify(file)}, 'utf8'));
        fs.writeFileSync(${JSON.stringify(file)}, JSON.stringify({ ...s, blindIndexKey: ${JSON.stringify(theirs)} }));
        fs.rmSync(${JSON.stringify(`${file}.lock`)});
      }, 300);`]);
    try {
      expect(resolveSecrets(loadConfig({ DATA_DIR: dir })).blindIndexKey.toString('base64')).toBe(theirs);
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left behind by a process that died', () => {
    const dir = tempDir();
    const file = path.join(dir, 'secrets.json');
    writeOldFile(file);
    fs.writeFileSync(`${file}.lock`, '');
    const minuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(`${file}.lock`, minuteAgo, minuteAgo);
    expect(resolveSecrets(loadConfig({ DATA_DIR: dir })).blindIndexKey).toHaveLength(32);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes a BLIND_INDEX_KEY from the environment over the file, and never writes one then', () => {
    const dir = tempDir();
    const key = Buffer.alloc(32, 6);
    const secrets = resolveSecrets(loadConfig({ DATA_DIR: dir, BLIND_INDEX_KEY: key.toString('base64') }));
    expect(secrets.blindIndexKey.equals(key)).toBe(true);
  });
});
