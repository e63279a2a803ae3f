// Kysely dialect for PGlite on a worker thread. PGlite has one session, so a transaction
// must run alone; ordinary queries need not wait for each other's round trips: they are
// posted at once and the worker runs them in arrival order, keeping it busy. A gate holds
// new ordinary queries while a transaction (or a migration script) owns the session.
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { PgliteThread } from './pglite-thread.js';

class Gate {
  private tail: Promise<void> = Promise.resolve();
  private held = false;
  private opened: Promise<void> = Promise.resolve();

  /** Resolves when no exclusive section is running. */
  waitOpen(): Promise<void> | undefined {
    return this.held ? this.opened : undefined;
  }

  /** Waits for earlier exclusive sections, then holds the gate until the returned release is called. */
  async close(): Promise<() => void> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => { release = resolve; });
    await previous;
    let open!: () => void;
    this.held = true;
    this.opened = new Promise<void>((resolve) => { open = resolve; });
    return () => {
      this.held = false;
      open();
      release();
    };
  }
}

class ThreadConnection implements DatabaseConnection {
  release?: () => void;
  constructor(private readonly client: PgliteThread, private readonly gate: Gate) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    // Inside a transaction this connection owns the session; otherwise wait out any transaction.
    if (!this.release) {
      while (this.gate.waitOpen()) await this.gate.waitOpen();
    }
    const result = await this.client.query(compiled.sql, [...compiled.parameters]);
    return { rows: result.rows as R[], ...(result.affectedRows ? { numAffectedRows: BigInt(result.affectedRows) } : {}) };
  }

  async *streamQuery<R>(compiled: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(compiled);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

class ThreadDriver implements Driver {
  readonly gate = new Gate();
  constructor(private readonly client: PgliteThread) {}

  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new ThreadConnection(this.client, this.gate);
  }
  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = conn as ThreadConnection;
    c.release = await this.gate.close();
    try {
      await c.executeQuery(CompiledQuery.raw(settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : 'begin'));
    } catch (err) {
      this.end(c);
      throw err;
    }
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    try {
      await conn.executeQuery(CompiledQuery.raw('commit'));
    } finally {
      this.end(conn as ThreadConnection);
    }
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    try {
      await conn.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.end(conn as ThreadConnection);
    }
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    await this.client.close();
  }

  /** Runs fn with the session to itself, e.g. a multi-statement migration script. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.gate.close();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private end(c: ThreadConnection) {
    c.release?.();
    c.release = undefined;
  }
}

export class PgliteThreadDialect implements Dialect {
  readonly driver: ThreadDriver;
  constructor(client: PgliteThread) {
    this.driver = new ThreadDriver(client);
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver() {
    return this.driver;
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
