// A per-page summary of mouse movement (sampled every 100 ms): how far, how fast, how often it paused. No paths.
import { analytics } from './consent.js';
import { onLeave, track } from './page.js';

let samples = 0;
let first = 0;
let last = 0;
let x = 0;
let y = 0;
let distance = 0;
let hesitations = 0;

export const initMouse = () => {
  document.addEventListener(
    'mousemove',
    (e) => {
      const t = Date.now();
      if (t - last < 100 || !analytics()) return;
      if (samples++) {
        distance += Math.hypot(e.clientX - x, e.clientY - y);
        if (t - last > 500) hesitations++;
      } else first = t;
      x = e.clientX;
      y = e.clientY;
      last = t;
    },
    { passive: true },
  );
  onLeave(() => {
    const duration = Math.min(last - first, 864e5);
    if (samples)
      track('mouse', {
        distance_px: Math.round(distance),
        avg_speed_px_s: duration ? Math.round((distance / duration) * 1000) : 0,
        hesitations,
        samples,
        duration_ms: duration,
      });
    samples = distance = hesitations = 0;
  });
};
