import { describe, expect, it } from 'vitest';
import { parseOnlineShoppers } from '../../bench/datasets/online-shoppers.js';
import { createFeatureState, update, type FeatureContext, type FeatureEvent, type FeatureState } from './features.js';
import { createPageStatsAccumulator, ONLINE_SHOPPERS_COLUMNS, onlineShoppersCsvLine, onlineShoppersRow, revenue } from './online-shoppers.js';

const T0 = Date.UTC(2026, 2, 14, 9, 30); // Saturday
const ORIGIN = 'https://shop.example';
const ev = (type: string, s: number, path: string, data?: Record<string, unknown>): FeatureEvent => ({ type, ts: T0 + s * 1000, url: `${ORIGIN}${path}`, ...(data ? { data } : {}) });
const session = (events: FeatureEvent[], context: FeatureContext = {}): FeatureState => {
  const s = createFeatureState({ context });
  for (const e of events) update(s, e);
  return s;
};
const HEADER = [...ONLINE_SHOPPERS_COLUMNS, 'Revenue'].join(',');

const bounced = () => session([ev('page_view', 0, '/'), ev('page_leave', 10, '/', { engaged_ms: 10_000 })]);
const bought = (context: FeatureContext = {}) =>
  session(
    [
      ev('page_view', 0, '/?utm_medium=cpc', { referrer: 'https://www.google.com/' }),
      ev('page_leave', 12, '/', { engaged_ms: 12_000 }),
      ev('page_view', 13, '/account'),
      ev('page_leave', 20, '/account', { engaged_ms: 7_000 }),
      ev('page_view', 21, '/pricing'),
      ev('click', 30, '/pricing', { tag: 'button' }),
      ev('conversion', 40, '/pricing', { type: 'purchase', value: 100 }),
      ev('page_leave', 41, '/pricing', { engaged_ms: 19_500 }),
    ],
    context,
  );
const browsedPricing = () => session([ev('page_view', 0, '/pricing'), ev('page_leave', 30, '/pricing', { engaged_ms: 30_000 })]);

describe('Online Shoppers columns', () => {
  it('maps page categories, durations, time, device and source to the dataset columns', () => {
    const row = onlineShoppersRow(bought({ os: 'macOS', browser: 'Safari', timezone: 'America/Sao_Paulo', previousSessions: 0 }));
    expect(row).toEqual({
      Administrative: 1, Administrative_Duration: 7, Informational: 1, Informational_Duration: 12, ProductRelated: 1, ProductRelated_Duration: 19.5,
      BounceRates: 0, ExitRates: 0, PageValues: 0, SpecialDay: 0, Month: 'Mar',
      OperatingSystems: 2, Browser: 2, Region: 1, TrafficType: 5, VisitorType: 'New_Visitor', Weekend: true,
    });
    expect(onlineShoppersRow(bounced()).VisitorType).toBe('Other'); // no visitor history (cookieless)
    expect(onlineShoppersRow(session([ev('page_view', 0, '/')], { previousSessions: 3 })).VisitorType).toBe('Returning_Visitor');
    expect(revenue(bought())).toBe(true);
    expect(revenue(bounced())).toBe(false);
  });

  it('takes bounce and exit rates and page values from the site page stats, as GA defines them', () => {
    const acc = createPageStatsAccumulator();
    for (const s of [bounced(), bought(), browsedPricing()]) acc.add(s);
    const stats = acc.stats();
    // "/": 2 entrances, 1 bounce; 2 views, 1 exit; 100 of value over 2 unique views.
    expect(stats.pages.get('/')).toEqual({ bounceRate: 0.5, exitRate: 0.5, pageValue: 50 });
    expect(stats.pages.get('/pricing')).toEqual({ bounceRate: 1, exitRate: 1, pageValue: 50 });
    expect(stats.pages.get('/account')).toEqual({ bounceRate: 0, exitRate: 0, pageValue: 100 });
    expect(acc.sessions).toBe(3);
    const row = onlineShoppersRow(bought(), stats);
    expect(row.BounceRates).toBeCloseTo((0.5 + 0 + 1) / 3, 12);
    expect(row.ExitRates).toBeCloseTo((0.5 + 0 + 1) / 3, 12);
    expect(row.PageValues).toBeCloseTo((50 + 100 + 50) / 3, 12);
    // A page the stats do not know takes the site-wide rates.
    const unknown = onlineShoppersRow(session([ev('page_view', 0, '/new')]), stats);
    expect(unknown.ExitRates).toBeCloseTo(stats.site!.exitRate, 12);
  });

  it('writes CSV lines the benchmark loader reads like the public data set', () => {
    const sessions = [bounced(), bought({ os: 'Windows', browser: 'Chrome', timezone: 'Europe/Berlin', previousSessions: 1 }), browsedPricing()];
    const csv = [HEADER, ...sessions.map((s) => onlineShoppersCsvLine(onlineShoppersRow(s), revenue(s)))].join('\n');
    const data = parseOnlineShoppers(csv);
    expect(data.rows).toBe(3);
    expect(Array.from(data.y)).toEqual([0, 1, 0]);
    expect(data.categorical.VisitorType).toEqual(['Other', 'Returning_Visitor', 'Other']);
    expect(data.numeric.data[data.numeric.cols + 5]).toBe(19.5); // ProductRelated_Duration of the purchase
  });
});
