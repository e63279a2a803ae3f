// Behaviour segments: k-means (k chosen by silhouette) on a nameable subset of the session features, standardized,
// each segment named after the features that most set it apart (mean z-score of its sessions), e.g. "long reads,
// blog-heavy" or "pricing + checkout". assign() places a live session's feature vector in real time.
import { createRng, type Rng } from '../platform/random.js';
import { chooseK, KMeans } from '../ml/kmeans.js';
import { expectModel, readStrings } from '../ml/model-json.js';
import { Standardizer } from '../ml/preprocess.js';
import { matrix, type Matrix, type SerializedModel } from '../ml/types.js';
import { FEATURE_NAMES } from './features.js';

/** How a segment far above (or below) average on a feature is called; features of one topic name a segment once. */
type Phrase = { high?: string; low?: string; funnel?: true; topic?: string };
const SHARES = ['home', 'listing', 'product', 'pricing', 'search', 'blog', 'docs', 'support', 'careers', 'contact', 'about', 'account'] as const;

/**
 * The columns clustered, with how a segment far above (or below) the average on them is called. Behaviour only: no
 * hashed bigrams (not nameable), no device or locale (who, not how), no conversion outcome.
 */
export const SEGMENT_FEATURES: Readonly<Record<string, Phrase>> = {
  duration_s: { high: 'long visits', low: 'short visits' },
  pages: { high: 'many pages', low: 'one page' },
  engaged_s: { high: 'long engaged time' },
  clicks_per_page: { high: 'many clicks', low: 'few clicks' },
  scroll_mean: { high: 'long reads', low: 'skimming' },
  form_focus: { high: 'fills in forms' },
  ...Object.fromEntries(SHARES.map((c) => [`share_${c}`, { high: `${c}-heavy`, topic: c }])),
  // In funnel order, the order their names are joined in ("pricing + checkout").
  reached_pricing: { high: 'pricing', funnel: true, topic: 'pricing' },
  add_to_cart: { high: 'adds to cart', funnel: true, topic: 'cart' },
  reached_cart: { high: 'cart', funnel: true, topic: 'cart' },
  reached_checkout: { high: 'checkout', funnel: true },
  returning: { high: 'returning', low: 'first visit' },
  bounce: { high: 'bounces' },
};
const COLUMNS = Object.keys(SEGMENT_FEATURES);
const INDEX = COLUMNS.map((name) => {
  const i = FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`segments: ${name} is not a feature`);
  return i;
});
// Heavy-tailed seconds and counts: on a log scale, so one hour-long visit does not make its own segment.
const LOG1P = ['duration_s', 'pages', 'engaged_s', 'clicks_per_page'].map((n) => COLUMNS.indexOf(n));
/** How far (in standard deviations) a segment's mean must be from the average to be named after it. */
const NAMING_Z = 0.5;

export interface Segment {
  id: number;
  name: string;
  sessions: number;
  share: number;
  /** The most distinguishing features: mean z-score of the segment's sessions, largest |z| first. */
  features: { name: string; z: number }[];
}

export interface SegmentOptions {
  minK?: number;
  maxK?: number;
  rng?: Rng;
}

/** The name of a segment from its mean z-scores: its two most distinguishing nameable features. */
export function segmentName(z: ArrayLike<number>): string {
  const phrase = (f: { name: string; z: number }) => SEGMENT_FEATURES[f.name]![f.z > 0 ? 'high' : 'low'];
  const candidates = COLUMNS.map((name, j) => ({ name, z: z[j]! }))
    .filter((f) => Math.abs(f.z) >= NAMING_Z && phrase(f))
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
  // One word per topic: "pricing" and "pricing-heavy" say the same thing twice.
  const topic = (f: { name: string }) => SEGMENT_FEATURES[f.name]!.topic ?? f.name;
  const picked: typeof candidates = [];
  for (const f of candidates) if (picked.length < 2 && !picked.some((p) => topic(p) === topic(f))) picked.push(f);
  if (!picked.length) return 'average behaviour';
  const funnel = picked.every((f) => f.z > 0 && SEGMENT_FEATURES[f.name]!.funnel);
  if (funnel) picked.sort((a, b) => COLUMNS.indexOf(a.name) - COLUMNS.indexOf(b.name));
  return picked.map((f) => phrase(f)!).join(funnel ? ' + ' : ', ');
}

export class SegmentModel {
  static readonly KIND = 'behaviour-segments';
  static readonly VERSION = 1;
  private readonly scratch = new Float64Array(COLUMNS.length);
  private readonly standardized = new Float64Array(COLUMNS.length);

  private constructor(
    private readonly scaler: Standardizer,
    readonly kmeans: KMeans,
    readonly segments: Segment[],
  ) {}

  /** Clusters session feature vectors (rows in FEATURE_NAMES order) and names the segments. */
  static fit(features: Matrix, opts: SegmentOptions = {}): SegmentModel {
    if (features.cols !== FEATURE_NAMES.length) throw new Error(`segments: rows need ${FEATURE_NAMES.length} columns, got ${features.cols}`);
    const x = matrix(features.rows, COLUMNS.length);
    for (let i = 0; i < features.rows; i++) for (let j = 0; j < COLUMNS.length; j++) x.data[i * COLUMNS.length + j] = features.data[i * features.cols + INDEX[j]!]!;
    const scaler = new Standardizer({ log1p: LOG1P }).fit(x);
    const z = scaler.transform(x);
    const { model } = chooseK(z, opts.minK ?? 2, opts.maxK ?? 8, { rng: opts.rng ?? createRng(0) });
    const d = COLUMNS.length;
    const segments = Array.from({ length: model.k }, (_, c) => {
      const mean = model.centroids.subarray(c * d, (c + 1) * d);
      return {
        id: c,
        name: segmentName(mean),
        sessions: model.sizes[c]!,
        share: model.sizes[c]! / features.rows,
        features: COLUMNS.map((name, j) => ({ name, z: round(mean[j]!) })).sort((a, b) => Math.abs(b.z) - Math.abs(a.z)).slice(0, 5),
      };
    });
    distinctNames(segments);
    return new SegmentModel(scaler, model, segments);
  }

  /** The segment of one session's feature vector (FEATURE_NAMES order); no allocation. */
  assign(vector: ArrayLike<number>): Segment {
    for (let j = 0; j < COLUMNS.length; j++) this.scratch[j] = vector[INDEX[j]!]!;
    return this.segments[this.kmeans.assign(this.scaler.transformRow(this.scratch, this.standardized))]!;
  }

  toJSON(): SerializedModel {
    return { kind: SegmentModel.KIND, version: SegmentModel.VERSION, columns: COLUMNS, scaler: this.scaler.toJSON(), kmeans: this.kmeans.toJSON(), segments: this.segments };
  }

  static fromJSON(json: unknown): SegmentModel {
    const m = expectModel(json, SegmentModel.KIND, SegmentModel.VERSION);
    if (readStrings(m, 'columns').join() !== COLUMNS.join()) throw new Error('segments: clustered on other columns than this build uses');
    const kmeans = KMeans.fromJSON(m.kmeans);
    const segments = m.segments as Segment[];
    const valid = (s: Segment, i: number) => s?.id === i && typeof s.name === 'string' && Number.isFinite(s.share) && Array.isArray(s.features);
    if (!Array.isArray(segments) || segments.length !== kmeans.k || !segments.every(valid)) throw new Error('segments: segment list does not match the clustering');
    return new SegmentModel(Standardizer.fromJSON(m.scaler), kmeans, segments);
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** Segments that would share a name are numbered: "long visits", "long visits (2)". */
function distinctNames(segments: Segment[]): void {
  const seen = new Map<string, number>();
  for (const s of segments) {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    if (n > 1) s.name = `${s.name} (${n})`;
  }
}
