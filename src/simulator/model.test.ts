import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isbot } from 'isbot';
import { BEHAVIOUR, CATEGORIES, ENTRY, FORM_SUBMIT, INTENT_PRIOR, INTENTS, PAGES, PAGE_TITLES, RETURN_INTENT, sectionsOf, TRANSITIONS } from './model.js';
import { DEVICE_MIX, DEVICES, LOCALES, RETURN_SOURCE_MIX, SOURCE_MIX, trafficWeight } from './traffic.js';

const sum = (row: Partial<Record<string, number>>) => Object.values(row).reduce<number>((s, p) => s + (p ?? 0), 0);
const isDistribution = (row: Partial<Record<string, number>>) => {
  expect(Object.values(row).every((p) => p !== undefined && p >= 0 && p <= 1)).toBe(true);
  expect(sum(row)).toBeCloseTo(1, 9);
};

describe('simulator model', () => {
  it('has probability distributions everywhere a choice is drawn', () => {
    isDistribution(INTENT_PRIOR);
    for (const intent of INTENTS) {
      for (const category of CATEGORIES) isDistribution(TRANSITIONS[intent][category]);
      isDistribution(ENTRY[intent]);
      isDistribution(DEVICE_MIX[intent]);
      isDistribution(SOURCE_MIX[intent]);
      isDistribution(RETURN_INTENT[intent]);
    }
    isDistribution(RETURN_SOURCE_MIX);
    isDistribution(Object.fromEntries(LOCALES.map((l, i) => [i, l.weight])));
    for (const kind of Object.keys(DEVICES) as (keyof typeof DEVICES)[]) isDistribution(Object.fromEntries(DEVICES[kind].map((d, i) => [i, d.weight])));
  });

  it('reaches thanks only through checkout, and every chain can end', () => {
    for (const intent of INTENTS) {
      for (const category of CATEGORIES) {
        if (category !== 'checkout') expect(TRANSITIONS[intent][category].thanks ?? 0).toBe(0);
        // From every page, exit is reachable: no absorbing loop.
        const seen = new Set<string>([category]);
        const stack: string[] = [category];
        let exits = false;
        while (stack.length) {
          const row = TRANSITIONS[intent][stack.pop() as (typeof CATEGORIES)[number]];
          for (const [next, p] of Object.entries(row)) {
            if (!p) continue;
            if (next === 'exit') exits = true;
            else if (!seen.has(next)) { seen.add(next); stack.push(next); }
          }
        }
        expect(exits).toBe(true);
      }
      for (const p of Object.values(FORM_SUBMIT[intent])) expect(p).toBeLessThanOrEqual(1);
      expect(BEHAVIOUR[intent].returnRate).toBeLessThan(1);
    }
  });

  it('matches the demo site: every page, title and section exists in web/demo', () => {
    const demo = path.resolve('web/demo');
    if (!fs.existsSync(demo)) return; // the demo ships separately in some checkouts
    for (const category of CATEGORIES) {
      for (const file of PAGES[category]) {
        const html = fs.readFileSync(path.join(demo, file), 'utf8');
        expect(html).toContain(`<title>${PAGE_TITLES[file]!.replace('&', '&amp;')}`);
        for (const section of sectionsOf(category, file)) expect(html, `${file} ${section}`).toContain(`data-augur-section="${section}"`);
      }
    }
  });

  it('uses browser User-Agents that no bot filter mistakes for crawlers', () => {
    for (const options of Object.values(DEVICES)) for (const { device } of options) expect(isbot(device.userAgent)).toBe(false);
  });

  it('weights office hours over the night and weekdays over Sundays', () => {
    expect(trafficWeight(11, 2)).toBeGreaterThan(3 * trafficWeight(4, 2));
    expect(trafficWeight(11, 0)).toBeLessThan(trafficWeight(11, 2));
    for (let h = 0; h < 24; h += 0.5) expect(trafficWeight(h, 3)).toBeLessThan(1.2);
  });
});
