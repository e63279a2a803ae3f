// Trimming to the protocol's field limits: the server rejects an event with an over-long field, so the tracker
// cuts rather than loses it.

export type Props = Record<string, string | number | boolean | null>;

/** s cut to max characters; undefined when empty (omitted from the JSON). */
export const cut = (s: unknown, max: number) => (s == null ? '' : String(s)).slice(0, max) || undefined;

/** Whitespace collapsed and trimmed, cut to max characters. */
export const cleanText = (s: string | null, max = 64) =>
  (s || '')
    .slice(0, 2000) // a click on a large container must not collapse all of its text first
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)
    .trim();

/** Custom event props / identify traits: at most 20 keys of ≤ 64 characters; strings ≤ 256, finite numbers, booleans, null. */
export const props = (p: unknown): Props | undefined => {
  if (!p || typeof p != 'object') return;
  const out: Props = {};
  let n = 0;
  for (const [k, v] of Object.entries(p))
    if (n < 20 && (v === null || typeof v == 'boolean' || typeof v == 'string' || (typeof v == 'number' && isFinite(v)))) {
      out[k.slice(0, 64)] = typeof v == 'string' ? v.slice(0, 256) : v;
      n++;
    }
  return out;
};
