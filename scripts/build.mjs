// Transpiles src/ and bench/ to dist/ with esbuild (~0.2 s; type checking is `npm run typecheck`), copies the SQL
// migrations and the PGlite worker (plain JS) next to the code that loads them, and bundles the browser tracker
// into dist/web/t.js, failing when it outgrows its gzipped size budget.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const walk = (dir) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
      })
    : [];

// Server, CLI and benchmarks.
// Built into a fresh directory and swapped in at the end, so a process running from dist/ (a
// test suite, a server) never sees it half-written.
const entryPoints = [...walk(path.join(root, 'src')), ...walk(path.join(root, 'bench'))];
const out = fs.mkdtempSync(path.join(root, '.dist-'));
await build({ entryPoints, outdir: out, outbase: root, platform: 'node', format: 'esm', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
fs.cpSync(path.join(root, 'src/db/migrations'), path.join(out, 'src/db/migrations'), { recursive: true });
fs.copyFileSync(path.join(root, 'src/db/pglite-worker.js'), path.join(out, 'src/db/pglite-worker.js'));

// The tracker: one minified script that every tracked page loads, so its size is a feature.
const TRACKER_GZIP_LIMIT = 5 * 1024;
const trackerFile = path.join(out, 'web/t.js');
await build({ entryPoints: [path.join(root, 'web/tracker/index.ts')], outfile: trackerFile, bundle: true, format: 'iife', minify: true, target: 'es2019', logLevel: 'warning' });
const tracker = fs.readFileSync(trackerFile);
const gzipped = zlib.gzipSync(tracker).length;
const kb = (bytes) => (bytes / 1024).toFixed(1) + ' KB';
console.log(`t.js: ${kb(tracker.length)}, ${kb(gzipped)} gzipped (limit ${kb(TRACKER_GZIP_LIMIT)})`);
if (gzipped > TRACKER_GZIP_LIMIT) {
  console.error(`t.js is ${gzipped - TRACKER_GZIP_LIMIT} bytes over its gzipped size limit`);
  fs.rmSync(out, { recursive: true, force: true });
  process.exit(1);
}

const dist = path.join(root, 'dist');
const old = `${out}-old`;
if (fs.existsSync(dist)) fs.renameSync(dist, old);
fs.renameSync(out, dist);
fs.rmSync(old, { recursive: true, force: true });
