// Transpiles src/ and bench/ to dist/ with esbuild (~0.2 s; type checking is `npm run typecheck`), copies the SQL
// migrations and the PGlite worker (plain JS) next to the code that loads them, and bundles the browser tracker, the
// consent banner and the survey it loads into dist/web/t.js, widget.js and survey.js, failing when one outgrows its
// gzipped size budget.
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

// The browser scripts: the tracker and the consent banner, one minified script each that tracked pages load, so
// their size is a feature.
const kb = (bytes) => (bytes / 1024).toFixed(1) + ' KB';
const browserScripts = [
  { name: 't.js', entry: 'web/tracker/index.ts', gzipLimit: 5 * 1024 },
  { name: 'widget.js', entry: 'web/widget/index.ts', gzipLimit: 6 * 1024 },
  // Loaded by widget.js only for visitors who granted analytics (docs/decisions.md: inline it would not fit).
  { name: 'survey.js', entry: 'web/widget/survey.ts', gzipLimit: 3 * 1024 },
];
for (const { name, entry, gzipLimit } of browserScripts) {
  const file = path.join(out, 'web', name);
  await build({ entryPoints: [path.join(root, entry)], outfile: file, bundle: true, format: 'iife', minify: true, target: 'es2019', logLevel: 'warning' });
  const body = fs.readFileSync(file);
  const gzipped = zlib.gzipSync(body).length;
  console.log(`${name}: ${kb(body.length)}, ${kb(gzipped)} gzipped (limit ${kb(gzipLimit)})`);
  if (gzipped > gzipLimit) {
    console.error(`${name} is ${gzipped - gzipLimit} bytes over its gzipped size limit`);
    fs.rmSync(out, { recursive: true, force: true });
    process.exit(1);
  }
}

const dist = path.join(root, 'dist');
const old = `${out}-old`;
if (fs.existsSync(dist)) fs.renameSync(dist, old);
fs.renameSync(out, dist);
fs.rmSync(old, { recursive: true, force: true });
