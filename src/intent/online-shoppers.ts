// The Online Shoppers Purchasing Intention columns (UCI 468, ../shared/datasets/online_shoppers_intention), computed
// from the same feature state as the live features, so the public data set and live traffic go through one
// pipeline. The dataset came from Google Analytics; where GA knew something we do not, the approximation is said
// next to the column (and in docs/models.md "Features").
import { isBounce, sessionLocalTime, type FeatureState } from './features.js';
import { PAGE_CATEGORIES, type PageCategory } from './page-categories.js';
import { BROWSERS, indexIn, REGIONS, regionClass, SOURCE_CLASSES, SYSTEMS, trafficSource } from './visit-context.js';

/** The dataset's columns in its order, without the label Revenue. */
export const ONLINE_SHOPPERS_COLUMNS = [
  'Administrative', 'Administrative_Duration', 'Informational', 'Informational_Duration', 'ProductRelated', 'ProductRelated_Duration',
  'BounceRates', 'ExitRates', 'PageValues', 'SpecialDay', 'Month', 'OperatingSystems', 'Browser', 'Region', 'TrafficType', 'VisitorType', 'Weekend',
] as const;

export type ShoppersPageType = 'Administrative' | 'Informational' | 'ProductRelated';
/**
 * The dataset's three page types from our categories: account pages are administrative; pages about the site, its
 * content and how to reach it are informational; everything on the way to buying is product related.
 */
export const SHOPPERS_PAGE_TYPE: Record<PageCategory, ShoppersPageType> = {
  account: 'Administrative',
  other: 'Informational', home: 'Informational', blog: 'Informational', docs: 'Informational', support: 'Informational',
  careers: 'Informational', contact: 'Informational', about: 'Informational',
  listing: 'ProductRelated', product: 'ProductRelated', pricing: 'ProductRelated', search: 'ProductRelated',
  cart: 'ProductRelated', checkout: 'ProductRelated', thanks: 'ProductRelated',
};

/** Month names as the dataset spells them (it has "June", and no Jan or Apr rows). */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'June', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
export type VisitorType = 'Returning_Visitor' | 'New_Visitor' | 'Other';

export interface OnlineShoppersRow {
  Administrative: number;
  Administrative_Duration: number;
  Informational: number;
  Informational_Duration: number;
  ProductRelated: number;
  ProductRelated_Duration: number;
  BounceRates: number;
  ExitRates: number;
  PageValues: number;
  SpecialDay: number;
  Month: (typeof MONTHS)[number];
  OperatingSystems: number;
  Browser: number;
  Region: number;
  TrafficType: number;
  VisitorType: VisitorType;
  Weekend: boolean;
}

/** GA's per-page metrics: bounce rate (bounces / entrances), exit rate (exits / views), page value (value / unique views). */
export interface PageRates {
  bounceRate: number;
  exitRate: number;
  pageValue: number;
}

/** A site's page metrics by path, with site-wide rates for pages not listed. */
export interface SitePageStats {
  pages: ReadonlyMap<string, PageRates>;
  site?: PageRates;
}

/**
 * The row of a session. Without `pageStats`, BounceRates, ExitRates and PageValues are 0 (as the dataset's
 * PageValues is for pages without value): train and predict on rows built the same way.
 */
export function onlineShoppersRow(s: FeatureState, pageStats?: SitePageStats): OnlineShoppersRow {
  const counts = { Administrative: 0, Informational: 0, ProductRelated: 0 };
  const ms = { Administrative: 0, Informational: 0, ProductRelated: 0 };
  PAGE_CATEGORIES.forEach((category, i) => {
    const type = SHOPPERS_PAGE_TYPE[category];
    counts[type] += s.catPages[i]!;
    ms[type] += s.catMs[i]!;
  });
  const rates = pageStats ? meanRates(s, pageStats) : { bounceRate: 0, exitRate: 0, pageValue: 0 };
  const local = sessionLocalTime(s);
  const ctx = s.context;
  return {
    Administrative: counts.Administrative,
    Administrative_Duration: ms.Administrative / 1000,
    Informational: counts.Informational,
    Informational_Duration: ms.Informational / 1000,
    ProductRelated: counts.ProductRelated,
    ProductRelated_Duration: ms.ProductRelated / 1000,
    BounceRates: rates.bounceRate,
    ExitRates: rates.exitRate,
    PageValues: rates.pageValue,
    SpecialDay: 0, // closeness to holidays is calendar- and market-specific; not modelled
    Month: MONTHS[local.month - 1]!,
    // Our own codes (1-based, 7 = Other/unknown): the dataset's codes are anonymous, so codes never mean the same there.
    OperatingSystems: indexIn(SYSTEMS, ctx.os) + 1,
    Browser: indexIn(BROWSERS, ctx.browser) + 1,
    Region: REGIONS.indexOf(regionClass(ctx.timezone)) + 1, // from the time zone: we keep no IP geolocation
    TrafficType: SOURCE_CLASSES.indexOf(trafficSource(s.referrer, s.utm)) + 1,
    VisitorType: ctx.previousSessions === undefined ? 'Other' : ctx.previousSessions > 0 ? 'Returning_Visitor' : 'New_Visitor',
    Weekend: local.weekday === 0 || local.weekday === 6,
  };
}

// Mean rates over the session's page views (each view of a listed page counts once; views beyond the state's
// tracked paths are left out).
function meanRates(s: FeatureState, stats: SitePageStats): PageRates {
  const sum = { bounceRate: 0, exitRate: 0, pageValue: 0 };
  let views = 0;
  for (const [path, n] of s.pageViews) {
    const r = stats.pages.get(path) ?? stats.site;
    if (!r) continue;
    sum.bounceRate += n * r.bounceRate;
    sum.exitRate += n * r.exitRate;
    sum.pageValue += n * r.pageValue;
    views += n;
  }
  return views === 0 ? sum : { bounceRate: sum.bounceRate / views, exitRate: sum.exitRate / views, pageValue: sum.pageValue / views };
}

/** The row as a CSV line in the dataset's column order (booleans as TRUE/FALSE), with Revenue when given. */
export function onlineShoppersCsvLine(row: OnlineShoppersRow, revenue?: boolean): string {
  const cell = (v: unknown) => (typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v));
  const cells = ONLINE_SHOPPERS_COLUMNS.map((c) => cell(row[c]));
  if (revenue !== undefined) cells.push(cell(revenue));
  return cells.join(',');
}

/** The dataset's label for a session: it ended in a purchase. */
export function revenue(s: FeatureState): boolean {
  return s.purchases > 0;
}

interface PageCounts {
  entrances: number;
  bounces: number;
  views: number;
  exits: number;
  uniqueViews: number;
  value: number;
}

export interface PageStatsAccumulator {
  /** Folds in a finished session. */
  add(s: FeatureState): void;
  stats(): SitePageStats;
  readonly sessions: number;
}

/**
 * GA's page metrics from finished sessions, kept as counts per path (at most `maxPaths`; other paths count toward
 * the site-wide rates only). Page value credits a converting session's value to every page it viewed, not only
 * those viewed before the conversion (the state does not keep that order per page).
 */
export function createPageStatsAccumulator(maxPaths = 10_000): PageStatsAccumulator {
  const byPath = new Map<string, PageCounts>();
  const site: PageCounts = { entrances: 0, bounces: 0, views: 0, exits: 0, uniqueViews: 0, value: 0 };
  let sessions = 0;
  const countsOf = (path: string): PageCounts | undefined => {
    let c = byPath.get(path);
    if (!c && byPath.size < maxPaths) byPath.set(path, (c = { entrances: 0, bounces: 0, views: 0, exits: 0, uniqueViews: 0, value: 0 }));
    return c;
  };
  const bump = (path: string | null, field: keyof PageCounts, by = 1) => {
    if (path === null) return;
    site[field] += by;
    const c = countsOf(path);
    if (c) c[field] += by;
  };
  return {
    get sessions() {
      return sessions;
    },
    add(s) {
      if (s.pages === 0) return;
      sessions += 1;
      bump(s.entryPath, 'entrances');
      if (isBounce(s)) bump(s.entryPath, 'bounces');
      bump(s.lastPath, 'exits');
      for (const [path, n] of s.pageViews) {
        bump(path, 'views', n);
        bump(path, 'uniqueViews');
        if (s.conversionValue > 0) bump(path, 'value', s.conversionValue);
      }
    },
    stats() {
      const rates = (c: PageCounts): PageRates => ({
        bounceRate: c.entrances > 0 ? c.bounces / c.entrances : 0,
        exitRate: c.views > 0 ? c.exits / c.views : 0,
        pageValue: c.uniqueViews > 0 ? c.value / c.uniqueViews : 0,
      });
      return { pages: new Map([...byPath].map(([path, c]) => [path, rates(c)])), site: rates(site) };
    },
  };
}
