// Transpiles src/ and bench/ to dist/ with esbuild (~0.2 s; type checking is `npm run typecheck`)
// and copies the SQL migrations and the PGlite worker (plain JS) next to the code that loads them.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const walk = (dir) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
      })
    : [];

const entryPoints = [...walk(path.join(root, 'src')), ...walk(path.join(root, 'bench'))];
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({ entryPoints, outdir: path.join(root, 'dist'), outbase: root, platform: 'node', format: 'esm', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
fs.cpSync(path.join(root, 'src/db/migrations'), path.join(root, 'dist/src/db/migrations'), { recursive: true });
fs.copyFileSync(path.join(root, 'src/db/pglite-worker.js'), path.join(root, 'dist/src/db/pglite-worker.js'));
