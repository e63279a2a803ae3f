// Behaviour segments on simulated traffic: k-means over the segment features of every session, k chosen by silhouette
// in 2..8. Prints each k's silhouette, the segments with their names, sizes and the simulator's true intents in them
// (purity: the share of a segment's sessions of its most common intent), fit time and one-row assignment latency.
//   node scripts/build.mjs && node dist/bench/segments.js [--visitors 2000] [--seed 1]
import { createRng } from '../src/platform/random.js';
import { matrix } from '../src/ml/types.js';
import { deviceFacts } from '../src/tracking/identity.js';
import { simulateVisitor } from '../src/simulator/index.js';
import { createFeatureState, FEATURE_NAMES, SegmentModel, update, vector } from '../src/intent/index.js';
import { machine, percentile, round, table, writeResults } from './lib.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const visitors = arg('--visitors', 2000);
const seed = arg('--seed', 1);

const sessions = Array.from({ length: visitors }, (_, i) =>
  simulateVisitor(createRng(`segments:${seed}:${i}`), { origin: 'https://shop.example.com', surveyFraction: 0, rejectFraction: 0 }, Date.parse('2026-06-01T10:00:00Z') + i * 60_000).sessions,
).flat();
const x = matrix(sessions.length, FEATURE_NAMES.length);
sessions.forEach((session, i) => {
  const s = createFeatureState({ context: { ...deviceFacts(session.userAgent), language: session.context.language, timezone: session.context.timezone } });
  for (const batch of session.batches) for (const e of batch.events) update(s, e);
  x.data.set(vector(s), i * FEATURE_NAMES.length);
});

const t0 = performance.now();
const model = SegmentModel.fit(x, { rng: createRng(seed) });
const fitMs = performance.now() - t0;

const mix = model.segments.map(() => new Map<string, number>());
const rowOf = (i: number) => x.data.subarray(i * x.cols, (i + 1) * x.cols);
sessions.forEach((s, i) => {
  const m = mix[model.assign(rowOf(i)).id]!;
  m.set(s.truth.intent, (m.get(s.truth.intent) ?? 0) + 1);
});
// Latency of one live assignment (after a warm-up pass), per call.
for (let i = 0; i < x.rows; i++) model.assign(rowOf(i));
const latencies = new Float64Array(x.rows);
for (let i = 0; i < x.rows; i++) {
  const t = process.hrtime.bigint();
  for (let r = 0; r < 100; r++) model.assign(rowOf(i));
  latencies[i] = Number(process.hrtime.bigint() - t) / 100 / 1000;
}

const segments = model.segments.map((s) => {
  const intents = Object.fromEntries([...mix[s.id]!].sort((a, b) => b[1] - a[1]));
  const top = Math.max(...Object.values(intents));
  return { id: s.id, name: s.name, sessions: s.sessions, share: round(s.share, 3), purity: round(top / s.sessions, 3), intents, features: s.features.slice(0, 3) };
});
console.log(`${sessions.length} simulated sessions of ${visitors} visitors, ${(model.toJSON().columns as string[]).length} features; k = ${model.kmeans.k}, silhouette ${round(model.kmeans.silhouette!, 3)}; fit ${Math.round(fitMs)} ms`);
table(segments.map((s) => ({ segment: s.name, sessions: s.sessions, purity: s.purity, intents: Object.entries(s.intents).map(([k, v]) => `${k} ${v}`).join(', ') })));
const assign = { p50_us: round(percentile(latencies, 50), 2), p99_us: round(percentile(latencies, 99), 2) };
console.log(`assign one session: p50 ${assign.p50_us} µs, p99 ${assign.p99_us} µs`);
const file = writeResults('segments', { machine: machine(), visitors, sessions: sessions.length, seed, k: model.kmeans.k, silhouette: model.kmeans.silhouette, fitMs: Math.round(fitMs), assign, segments });
console.log(`wrote ${file}`);
