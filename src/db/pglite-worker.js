// Runs embedded PostgreSQL (PGlite) on its own thread. PGlite's query path is CPU-bound
// (wasm Postgres plus protocol parsing in JS, ~0.4 ms per query); on the main thread it
// competed with HTTP handling for one core. Plain JS: worker threads cannot load TypeScript.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const INT8_OID = 20;
const parseInt8 = (value) => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
};

const errorFields = (err) => ({
  message: err?.message ?? String(err),
  code: err?.code,
  detail: err?.detail,
  constraint: err?.constraint,
  table: err?.table,
  column: err?.column,
  severity: err?.severity,
});

let db;
try {
  db = await PGlite.create({ dataDir: workerData.dataDir, loadDataDir: workerData.loadDataDir, parsers: { [INT8_OID]: parseInt8 } });
  // Zero-filling each new 16 MB WAL segment through PGlite's file system stalled writes for
  // tens of ms (bench/ingest.ts: worst ingest ack 39–60 ms → 23–33 ms without it).
  await db.exec('SET wal_init_zero = off');
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ ready: false, error: errorFields(err) });
}

const ops = {
  async query({ sql, params }) {
    const r = await db.query(sql, params);
    return { rows: r.rows, affectedRows: r.affectedRows };
  },
  async exec({ sql }) {
    await db.exec(sql);
    return null;
  },
  dump: () => db.dumpDataDir('none'),
  async close() {
    if (!db.closed) await db.close();
    return null;
  },
};

parentPort.on('message', async (msg) => {
  try {
    parentPort.postMessage({ id: msg.id, result: await ops[msg.op](msg) });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: errorFields(err) });
  }
});
