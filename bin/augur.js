#!/usr/bin/env node
// `npx augur …`: builds dist/ from a source checkout when needed, then runs the CLI.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = `${root}dist/src/main.js`;
if (fs.existsSync(`${root}scripts/build.mjs`)) execFileSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: 'inherit' });
if (!fs.existsSync(main)) {
  console.error('Augur is not built; run npm run build');
  process.exit(1);
}
await import(main);
