// Clicks, seen in the capture phase so that handlers which stop propagation do not hide them.
import { analytics } from './consent.js';
import { clickTarget, describe } from './descriptor.js';
import { track } from './page.js';

export const initClicks = () =>
  document.addEventListener(
    'click',
    (e) => {
      const el = analytics() && clickTarget(e.target);
      if (el) track('click', { ...describe(el), x: Math.max(0, Math.round(e.pageX)), y: Math.max(0, Math.round(e.pageY)) });
    },
    true,
  );
