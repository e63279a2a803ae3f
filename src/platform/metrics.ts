// Prometheus metrics. One registry per app instance so tests can build many apps.
import client from 'prom-client';

export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<'method' | 'route' | 'status'>;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  /** Spec 003 AI counters; the chat and intent features increment them. */
  aiRequests: client.Counter<'operation' | 'status'>;
  aiResponseTime: client.Histogram<'operation'>;
  aiTokensUsed: client.Counter<'direction'>;
  /** Ingest outcomes per event: accepted, rejected, dropped_consent, dropped_bot. */
  trackEvents: client.Counter<'outcome'>;
  trackStored: client.Counter;
  trackWriteDuration: client.Histogram;
  trackWriteSize: client.Histogram;
  trackWriteErrors: client.Counter;
  trackPoisonMessages: client.Counter;
  trackLiveErrors: client.Counter;
  /** Rows removed by the retention purge, by kind (events, sessions, consent_records, audit_entries). */
  retentionPurged: client.Counter<'kind'>;
  retentionPartitionsDropped: client.Counter;
  /** Scheduled job runs by job and outcome (ok, failed), and how long they took. */
  jobRuns: client.Counter<'job' | 'status'>;
  jobDuration: client.Histogram<'job'>;
  /** Set by the pipeline: events accepted but not yet durable. */
  queueDepth: { read: () => number };
}

export function createMetrics(poolStats: () => { total: number; idle: number; waiting: number }): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number) =>
    new client.Gauge({ name, help, registers, collect() { this.set(read()); } });
  gauge('db_connections_active', 'Database connections in use', () => { const s = poolStats(); return s.total - s.idle; });
  gauge('db_pool_connections_total', 'Database connections open', () => poolStats().total);
  gauge('db_pool_connections_idle', 'Database connections idle', () => poolStats().idle);
  gauge('db_pool_waiting_requests', 'Queries waiting for a database connection', () => poolStats().waiting);
  const queueDepth = { read: () => 0 };
  gauge('track_queue_depth_events', 'Events accepted but not yet durable', () => queueDepth.read());
  return {
    registry,
    queueDepth,
    trackEvents: new client.Counter({ name: 'track_events_total', help: 'Ingested events by outcome (accepted, rejected, dropped_consent, dropped_bot)', labelNames: ['outcome'], registers }),
    trackStored: new client.Counter({ name: 'track_events_stored_total', help: 'Events newly written to user_events (duplicates excluded)', registers }),
    trackWriteDuration: new client.Histogram({ name: 'track_write_duration_seconds', help: 'Time to commit one batch write', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers }),
    trackWriteSize: new client.Histogram({ name: 'track_write_events', help: 'Events per batch write', buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000], registers }),
    trackWriteErrors: new client.Counter({ name: 'track_write_errors_total', help: 'Batch writes that failed (events are retried)', registers }),
    trackPoisonMessages: new client.Counter({ name: 'track_poison_messages_total', help: 'Queue messages that failed validation and were discarded', registers }),
    trackLiveErrors: new client.Counter({ name: 'track_live_errors_total', help: 'Live-view notifications that failed', registers }),
    retentionPurged: new client.Counter({ name: 'retention_purged_rows_total', help: 'Rows removed by the retention purge', labelNames: ['kind'], registers }),
    retentionPartitionsDropped: new client.Counter({ name: 'retention_partitions_dropped_total', help: 'Expired user_events month partitions dropped whole', registers }),
    jobRuns: new client.Counter({ name: 'scheduled_job_runs_total', help: 'Scheduled job runs by outcome', labelNames: ['job', 'status'], registers }),
    jobDuration: new client.Histogram({ name: 'scheduled_job_duration_seconds', help: 'Scheduled job run time', labelNames: ['job'], buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800], registers }),
    httpRequests: new client.Counter({ name: 'http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers }),
    httpDuration: new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    aiRequests: new client.Counter({ name: 'ai_requests_total', help: 'AI requests (LLM, embeddings, moderation)', labelNames: ['operation', 'status'], registers }),
    aiResponseTime: new client.Histogram({ name: 'ai_response_time_seconds', help: 'AI response time', labelNames: ['operation'], registers }),
    aiTokensUsed: new client.Counter({ name: 'ai_tokens_used_total', help: 'AI tokens used', labelNames: ['direction'], registers }),
  };
}
