// The token sequence the sequence models (GRU, transformer) read: one token per page view (its category) and one
// per meaningful interaction, kept as the last N in a ring buffer so a session's state stays bounded. Id 0 is
// padding; sequences are left-padded so the newest token is always last. Scroll, section, mouse and leave events
// are summarised by the tabular features instead: as tokens they would crowd the pages out of the window.
import { PAGE_CATEGORIES, type PageCategory } from './page-categories.js';

export const PAD = 0;
const EVENT_TOKENS = ['click', 'link_click', 'cta_click', 'scroll_deep', 'form_focus', 'form_submit', 'form_abandon', 'custom', 'add_to_cart', 'identify', 'conversion'] as const;
export type EventToken = (typeof EVENT_TOKENS)[number];

/** Token names by id: index 0 is padding, then `page:<category>`, then `event:<kind>`. */
export const SEQUENCE_VOCABULARY: readonly string[] = ['<pad>', ...PAGE_CATEGORIES.map((c) => `page:${c}`), ...EVENT_TOKENS.map((e) => `event:${e}`)];
/** Tokens that are the outcome itself: leave them out (or cut the sequence before them) when the label is conversion. */
export const OUTCOME_TOKENS: readonly string[] = ['page:thanks', 'event:form_submit', 'event:identify', 'event:conversion'];
export const DEFAULT_SEQUENCE_LENGTH = 50;

const pageToken = new Map(PAGE_CATEGORIES.map((c, i) => [c, i + 1]));
const eventToken = new Map(EVENT_TOKENS.map((e, i) => [e, PAGE_CATEGORIES.length + 1 + i]));

export function pageTokenId(category: PageCategory): number {
  return pageToken.get(category)!;
}

export function eventTokenId(kind: EventToken): number {
  return eventToken.get(kind)!;
}

export interface TokenRing {
  ids: Int32Array;
  /** Tokens pushed so far (the ring keeps the last ids.length). */
  count: number;
}

export function createTokenRing(capacity = DEFAULT_SEQUENCE_LENGTH): TokenRing {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 10_000) throw new RangeError('sequence length: an integer in 1..10000');
  return { ids: new Int32Array(capacity), count: 0 };
}

export function pushToken(ring: TokenRing, id: number): void {
  ring.ids[ring.count % ring.ids.length] = id;
  ring.count += 1;
}

/** The last `length` tokens, oldest first, left-padded with 0 (length defaults to the ring's capacity). */
export function tokenSequence(ring: TokenRing, length = ring.ids.length): Int32Array {
  const out = new Int32Array(length);
  const n = Math.min(length, ring.count, ring.ids.length);
  for (let k = 0; k < n; k++) out[length - n + k] = ring.ids[(ring.count - n + k) % ring.ids.length]!;
  return out;
}

/** Token names of a sequence, for explanations and tests. */
export function tokenNames(ids: ArrayLike<number>): string[] {
  return Array.from(ids, (id) => SEQUENCE_VOCABULARY[id] ?? `<${id}>`);
}

/** A session's token sequence (features.ts keeps the ring in its state). */
export function sequence(state: { tokens: TokenRing }, length = state.tokens.ids.length): Int32Array {
  return tokenSequence(state.tokens, length);
}
