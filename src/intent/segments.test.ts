import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { matrix } from '../ml/types.js';
import { deviceFacts } from '../tracking/identity.js';
import { simulateVisitor } from '../simulator/visitor.js';
import { createFeatureState, FEATURE_NAMES, update, vector } from './features.js';
import { SEGMENT_FEATURES, segmentName, SegmentModel } from './segments.js';

const COLUMNS = Object.keys(SEGMENT_FEATURES);
const zOf = (values: Record<string, number>) => COLUMNS.map((c) => values[c] ?? 0);

// Three planted behaviours: readers of the blog, visitors heading for pricing and checkout, one-page bounces.
const KINDS: Record<string, Record<string, number>> = {
  reader: { duration_s: 600, pages: 5, scroll_mean: 90, share_blog: 0.8, engaged_s: 400 },
  buyer: { duration_s: 200, pages: 4, scroll_mean: 50, share_blog: 0.1, reached_pricing: 1, reached_checkout: 1, engaged_s: 150 },
  bouncer: { duration_s: 10, pages: 1, scroll_mean: 10, bounce: 1, engaged_s: 8 },
};
function session(kind: string, rng: ReturnType<typeof createRng>): Float64Array {
  const v = new Float64Array(FEATURE_NAMES.length);
  for (const [name, value] of Object.entries(KINDS[kind]!)) v[FEATURE_NAMES.indexOf(name)] = value < 1.5 && value > 0 && value !== 1 ? value + rng.normal(0, 0.03) : value * (1 + rng.normal(0, 0.05));
  return v;
}

describe('behaviour segments', () => {
  it('names a segment after its most distinguishing features', () => {
    expect(segmentName(zOf({ scroll_mean: 2, share_blog: 1.5, pages: 0.4 }))).toBe('long reads, blog-heavy');
    expect(segmentName(zOf({ reached_pricing: 1.0, reached_checkout: 1.2, duration_s: 0.3 }))).toBe('pricing + checkout');
    expect(segmentName(zOf({ reached_pricing: 1.2, share_pricing: 1.15, duration_s: 1.1 }))).toBe('pricing, long visits');
    // Below average counts too, when there is a word for it; "less engaged time" has none.
    expect(segmentName(zOf({ duration_s: -1.3, engaged_s: -2, bounce: 0.9 }))).toBe('short visits, bounces');
    expect(segmentName(zOf({ pages: 0.3, returning: -0.2 }))).toBe('average behaviour');
  });

  it('finds planted behaviours, names them and assigns new sessions in real time', () => {
    const rng = createRng('segments');
    const kinds = Object.keys(KINDS);
    const rows = Array.from({ length: 240 }, (_, i) => session(kinds[i % 3]!, rng));
    const x = matrix(rows.length, FEATURE_NAMES.length);
    rows.forEach((r, i) => x.data.set(r, i * FEATURE_NAMES.length));
    const model = SegmentModel.fit(x, { rng: createRng(7) });
    expect(model.segments).toHaveLength(3);
    const byKind = Object.fromEntries(kinds.map((k) => [k, model.assign(session(k, rng))]));
    expect(new Set(Object.values(byKind).map((s) => s.id)).size).toBe(3);
    expect(byKind.reader!.name.split(', ').sort()).toEqual(['blog-heavy', 'long reads']);
    expect(byKind.buyer!.name).toBe('pricing + checkout');
    expect(byKind.bouncer!.name).toMatch(/bounces/);
    for (const s of model.segments) {
      expect(s.sessions).toBe(80);
      expect(s.share).toBeCloseTo(1 / 3, 12);
    }
    expect(byKind.buyer!.features.map((f) => f.name).slice(0, 2).sort()).toEqual(['reached_checkout', 'reached_pricing']);

    const back = SegmentModel.fromJSON(JSON.parse(JSON.stringify(model)));
    for (const k of kinds) expect(back.assign(session(k, rng))).toEqual(byKind[k]);
    expect(() => SegmentModel.fromJSON({ ...model.toJSON(), columns: ['pages'] })).toThrow(/other columns/);
  });

  it('segments simulated sessions deterministically, every segment with its own name', () => {
    const vectors = Array.from({ length: 150 }, (_, i) => simulateVisitor(createRng(`seg:${i}`), { origin: 'https://shop.example.com', surveyFraction: 0, rejectFraction: 0 }, Date.parse('2026-06-01T10:00:00Z') + i * 60_000).sessions)
      .flat()
      .map((session) => {
        const s = createFeatureState({ context: { ...deviceFacts(session.userAgent), language: session.context.language, timezone: session.context.timezone } });
        for (const batch of session.batches) for (const e of batch.events) update(s, e);
        return vector(s);
      });
    const x = matrix(vectors.length, FEATURE_NAMES.length);
    vectors.forEach((v, i) => x.data.set(v, i * FEATURE_NAMES.length));
    const a = SegmentModel.fit(x, { rng: createRng(1), maxK: 6 });
    const b = SegmentModel.fit(x, { rng: createRng(1), maxK: 6 });
    expect(b.segments).toEqual(a.segments);
    expect(new Set(a.segments.map((s) => s.name)).size).toBe(a.segments.length);
    expect(a.segments.reduce((sum, s) => sum + s.share, 0)).toBeCloseTo(1, 12);
    expect(a.kmeans.silhouette).toBeGreaterThan(0);
  });
});
