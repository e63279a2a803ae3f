// Scroll depth: the page's maximum for page_leave, and milestone events with a rough reading speed.
import { analytics } from './consent.js';
import { engaged, onLeave, onStart, track } from './page.js';

const MILESTONES = [25, 50, 75, 90, 100];
let reached = 0; // milestones already sent for this page
let maxDepth = 0;
let words = -1; // counted once per page, when first needed

/** How far down the document the viewport's bottom edge is, in percent. */
const depth = () =>
  Math.min(100, Math.round(((scrollY + innerHeight) / document.documentElement.scrollHeight) * 100) || 0);

/** Words per minute, assuming the share of the main text above the milestone was read in the visible time so far. */
export const readingWpm = (words: number, depth: number, ms: number) =>
  ms > 0 ? Math.min(5000, Math.round((words * depth) / 100 / (ms / 60e3))) : 0;

const countWords = () => {
  const main = document.querySelector<HTMLElement>('main,article,[role=main]') || document.body;
  return (main.innerText.match(/\S+/g) || []).length;
};

const onScroll = () => {
  const d = depth();
  maxDepth = Math.max(maxDepth, d);
  if (!analytics()) return;
  while (reached < MILESTONES.length && MILESTONES[reached]! <= d) {
    const milestone = MILESTONES[reached++]!;
    const ms = engaged();
    if (words < 0) words = countWords();
    track('scroll', { depth: milestone, reading_wpm: readingWpm(words, milestone, ms), px_per_s: ms ? Math.round((Math.max(0, scrollY) / ms) * 1000) : 0 });
  }
};

export const initScroll = () => {
  let frame = 0;
  addEventListener(
    'scroll',
    () => {
      if (!frame)
        frame = requestAnimationFrame(() => {
          frame = 0;
          onScroll();
        });
    },
    { passive: true },
  );
  onStart(() => {
    reached = maxDepth = 0;
    words = -1;
  });
  onLeave((d) => (d.max_scroll = Math.max(maxDepth, depth())));
};
