// A fitted tree as flat typed arrays (no object per node), shared by the CART tree, the forest and gradient boosting:
// cheap to walk, to serialize and to keep by the thousand.

/**
 * Node i splits on feature[i] (−1 at a leaf): rows with x ≤ threshold[i] (raw value; NaN too) or, on binned data,
 * code ≤ bin[i] go to left[i], the others to right[i]. value holds `width` numbers per node (class probabilities for
 * CART, a raw score for boosting), internal nodes included (path attribution needs them).
 */
export interface TreeNodes {
  width: number;
  feature: Int32Array;
  threshold: Float64Array;
  bin: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** Grows a tree's arrays as nodes are added; build() trims them. */
export class NodeBuilder {
  private size = 0;
  private feature = new Int32Array(64);
  private threshold = new Float64Array(64);
  private bin = new Uint8Array(64);
  private left = new Int32Array(64);
  private right = new Int32Array(64);
  private value: Float64Array;

  constructor(readonly width: number) {
    this.value = new Float64Array(64 * width);
  }

  get count(): number {
    return this.size;
  }

  /** Adds a leaf and returns its id. */
  add(): number {
    if (this.size === this.feature.length) this.grow();
    const id = this.size++;
    this.feature[id] = -1;
    return id;
  }

  /** Turns leaf `id` into a split on feature ≤ threshold (raw) / code ≤ bin (binned). */
  setSplit(id: number, feature: number, bin: number, threshold: number, left: number, right: number): void {
    this.feature[id] = feature;
    this.bin[id] = bin;
    this.threshold[id] = threshold;
    this.left[id] = left;
    this.right[id] = right;
  }

  /** The node's value slots, to write into. */
  values(id: number): Float64Array {
    return this.value.subarray(id * this.width, (id + 1) * this.width);
  }

  /** The finished tree, arrays trimmed to the node count. */
  build(): TreeNodes {
    const n = this.size;
    return {
      width: this.width,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      bin: this.bin.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n * this.width),
    };
  }

  private grow() {
    const cap = this.feature.length * 2;
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.feature = widen(this.feature, cap);
    this.threshold = widen(this.threshold, cap);
    this.bin = widen(this.bin, cap);
    this.left = widen(this.left, cap);
    this.right = widen(this.right, cap);
    this.value = widen(this.value, cap * this.width);
  }
}

/** The leaf reached by the row starting at data[offset] (raw features). */
export function leafOf(tree: TreeNodes, data: Float64Array, offset: number): number {
  const { feature, threshold, left, right } = tree;
  let node = 0;
  for (let f = feature[0]!; f >= 0; f = feature[node]!) node = data[offset + f]! > threshold[node]! ? right[node]! : left[node]!;
  return node;
}

/** The leaf reached by the binned row starting at codes[offset]. */
export function leafOfBinned(tree: TreeNodes, codes: Uint8Array, offset: number): number {
  const { feature, bin, left, right } = tree;
  let node = 0;
  for (let f = feature[0]!; f >= 0; f = feature[node]!) node = codes[offset + f]! > bin[node]! ? right[node]! : left[node]!;
  return node;
}

/** The tree's depth (a lone leaf has depth 0). */
export function depthOf(tree: TreeNodes): number {
  const depth = new Int32Array(tree.feature.length);
  let max = 0;
  // Children are always added after their parent, so one pass in id order sees each parent's depth first.
  for (let i = 0; i < depth.length; i++) {
    if (tree.feature[i]! < 0) continue;
    depth[tree.left[i]!] = depth[tree.right[i]!] = depth[i]! + 1;
    max = Math.max(max, depth[i]! + 1);
  }
  return max;
}

/** How many leaves the tree has. */
export function leafCount(tree: TreeNodes): number {
  let n = 0;
  for (let i = 0; i < tree.feature.length; i++) if (tree.feature[i]! < 0) n++;
  return n;
}

export interface SerializedTree {
  width: number;
  feature: number[];
  threshold: number[];
  bin: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** The tree as plain arrays. */
export function treeToJSON(t: TreeNodes): SerializedTree {
  return {
    width: t.width,
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold),
    bin: Array.from(t.bin),
    left: Array.from(t.left),
    right: Array.from(t.right),
    value: Array.from(t.value),
  };
}

/** Reads a serialized tree back, checking every field, that each node has `width` values, features and links. */
export function treeFromJSON(json: unknown, width: number, features: number): TreeNodes {
  if (!json || typeof json !== 'object') throw new Error('tree: not a serialized tree');
  const j = json as Record<string, unknown>;
  const numbers = (field: keyof SerializedTree): number[] => {
    const v = j[field];
    if (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) throw new Error(`tree: ${field} is not an array of finite numbers`);
    return v as number[];
  };
  const t: TreeNodes = {
    width,
    feature: Int32Array.from(numbers('feature')),
    threshold: Float64Array.from(numbers('threshold')),
    bin: Uint8Array.from(numbers('bin')),
    left: Int32Array.from(numbers('left')),
    right: Int32Array.from(numbers('right')),
    value: Float64Array.from(numbers('value')),
  };
  const n = t.feature.length;
  if (j.width !== width || n === 0 || [t.threshold, t.bin, t.left, t.right].some((a) => a.length !== n) || t.value.length !== n * width) {
    throw new Error(`tree: arrays of inconsistent length for ${n} nodes of width ${width}`);
  }
  // Children come after their parent, so every walk ends at a leaf.
  for (let i = 0; i < n; i++) {
    if (t.feature[i]! >= features) throw new Error(`tree: feature ${t.feature[i]} of ${features}`);
    if (t.feature[i]! >= 0 && !(t.left[i]! > i && t.left[i]! < n && t.right[i]! > i && t.right[i]! < n)) throw new Error('tree: bad child link');
  }
  return t;
}

/** Throws unless x has the columns the model was fitted on. */
export function checkColumns(kind: string, x: { cols: number }, features: number): void {
  if (x.cols !== features) throw new Error(`${kind}: ${x.cols} columns, fitted on ${features}`);
}
