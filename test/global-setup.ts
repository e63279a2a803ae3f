// Runs once before all suites: builds dist/ (the CLI tests run the real binary) and a
// migrated PGlite data directory that every PGlite suite loads in ~0.5 s instead of
// running initdb (~3 s) and migrations again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { openPglite } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-test-'));
  const handle = await openPglite({});
  await migrate(handle);
  const file = path.join(dir, 'template.tar');
  const blob = await handle.dumpDataDir!();
  fs.writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  await handle.close();
  project.provide('pgliteTemplate', file);
  if (!process.env.TEST_DATABASE_URL) console.log('\n[augur] TEST_DATABASE_URL is not set: PostgreSQL variants of the DB suites are SKIPPED (CI sets it).');
  if (!process.env.TEST_REDIS_URL) console.log('[augur] TEST_REDIS_URL is not set: Redis suites are SKIPPED.');
  if (!process.env.TEST_NATS_URL) console.log('[augur] TEST_NATS_URL is not set: NATS suites are SKIPPED.\n');
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
