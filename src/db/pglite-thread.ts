// The main-thread side of src/db/pglite-worker.js: the slice of PGlite's API that Kysely's
// PGlite dialect and our migrator use, answered by the worker.
import { Worker } from 'node:worker_threads';

type Pending = { resolve: (value: any) => void; reject: (err: Error) => void };

export interface QueryResult {
  rows: Record<string, unknown>[];
  affectedRows?: number;
}

export class PgliteThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  closed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: { id?: number; result?: unknown; error?: Record<string, unknown> }) => {
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error) p.reject(Object.assign(new Error(String(msg.error.message)), msg.error));
      else p.resolve(msg.result);
    });
    worker.on('error', (err: Error) => this.failAll(err));
    worker.on('exit', () => this.failAll(new Error('The embedded database thread stopped')));
  }

  /** Starts the worker and waits until PGlite has opened (or failed to open) the data directory. */
  static async start(options: { dataDir?: string; loadDataDir?: Blob }): Promise<PgliteThread> {
    const worker = new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData: options });
    const ready = await new Promise<{ ready: boolean; error?: { message: string } }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!ready.ready) {
      await worker.terminate();
      throw new Error(`Cannot open the embedded database: ${ready.error?.message}`);
    }
    return new PgliteThread(worker);
  }

  query(sql: string, params: unknown[] = []): Promise<QueryResult> {
    return this.call('query', { sql, params });
  }

  exec(sql: string): Promise<void> {
    return this.call('exec', { sql });
  }

  dumpDataDir(): Promise<Blob> {
    return this.call('dump', {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.call('close', {});
    this.closed = true;
    await this.worker.terminate();
  }

  private call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The embedded database is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...args });
    });
  }

  private failAll(err: Error) {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
