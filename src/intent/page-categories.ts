// Page categories: ordered per-site URL rules (first match wins) map a page's path to one of a fixed set of
// categories. The set is closed so that feature columns, n-gram buckets and sequence tokens stay stable across
// sites and model versions; sites choose which of these categories their pages are, not new ones.
import { Type, type Static } from '@sinclair/typebox';
import { badRequest } from '../errors.js';
import { compilePathPattern, MAX_PATTERN_LENGTH, PatternError, type PathPattern } from './path-pattern.js';

export const PAGE_CATEGORIES = [
  'other', 'home', 'listing', 'product', 'pricing', 'cart', 'checkout', 'thanks', 'search',
  'blog', 'docs', 'support', 'careers', 'contact', 'about', 'account',
] as const;
export type PageCategory = (typeof PAGE_CATEGORIES)[number];
export const MAX_PAGE_RULES = 200;

export const PageRule = Type.Object(
  {
    pattern: Type.String({ minLength: 1, maxLength: MAX_PATTERN_LENGTH, description: 'path prefix (/blog), glob (/docs/**) or regex-lite (re:^/p/\\d+$)' }),
    category: Type.Union(PAGE_CATEGORIES.map((c) => Type.Literal(c))),
  },
  { additionalProperties: false },
);
export type PageRule = Static<typeof PageRule>;
export const PageRules = Type.Array(PageRule, { maxItems: MAX_PAGE_RULES });

// A keyword as a whole path segment, or the start of a file name (/cart, /en/cart/, /demo/cart.html).
const seg = (word: string) => `re:/(${word})([/.?#]|$)`;

/**
 * Applied after a site's own rules. Common paths in any position (so /en/pricing and /demo/pricing.html count);
 * order matters: thanks before checkout (/checkout/thank-you), listings before products (/products vs /products/42).
 */
export const DEFAULT_PAGE_RULES: readonly PageRule[] = [
  { pattern: 're:^/((index|default)\\.(html?|php))?$', category: 'home' },
  { pattern: 're:^/[a-z]{2}(-[a-z]{2})?/?$', category: 'home' },
  { pattern: 're:/(index|default)\\.(html?|php)$', category: 'home' },
  { pattern: seg('thanks?|thank-you|order-(confirmation|complete|received)|success'), category: 'thanks' },
  { pattern: seg('checkout|payment'), category: 'checkout' },
  { pattern: seg('cart|basket|bag'), category: 'cart' },
  { pattern: seg('pricing|plans|prices'), category: 'pricing' },
  { pattern: seg('search|find'), category: 'search' },
  { pattern: seg('account|my-account|profile|settings|login|log-in|signin|sign-in|register|orders'), category: 'account' },
  { pattern: seg('careers?|jobs?|join-us|vacancies'), category: 'careers' },
  { pattern: seg('contact|contact-us|contact-sales|sales'), category: 'contact' },
  { pattern: seg('about|about-us|company|team'), category: 'about' },
  { pattern: seg('docs?|documentation|guides?|manual|api|reference'), category: 'docs' },
  { pattern: seg('help|support|faqs?|help-center|helpcentre|returns'), category: 'support' },
  { pattern: seg('blog|news|articles?|journal|posts?|stories'), category: 'blog' },
  { pattern: 're:/blog-[a-z0-9-]+(\\.html?)?$', category: 'blog' },
  { pattern: 're:/(products?|shop|store|collections?|categor(y|ies))/?$', category: 'listing' },
  { pattern: 're:/(products|shop|store|collections?|categor(y|ies))\\.html?$', category: 'listing' },
  { pattern: 're:/(products?|p|items?|dp)/[^/]+', category: 'product' },
  { pattern: 're:/(product|item)[-_][^/]*$', category: 'product' },
  { pattern: seg('shop|store|collections?|categor(y|ies)'), category: 'listing' },
];

export interface PageCategorizer {
  /** The category of a page URL (absolute) or path. */
  categorize(urlOrPath: string): PageCategory;
  readonly rules: readonly PageRule[];
}

export interface RuleProblem {
  index: number;
  message: string;
}

/** Problems with a site's rules, one per bad rule (empty when they compile). */
export function checkPageRules(rules: readonly unknown[]): RuleProblem[] {
  if (!Array.isArray(rules)) return [{ index: -1, message: 'rules: must be an array' }];
  if (rules.length > MAX_PAGE_RULES) return [{ index: -1, message: `rules: at most ${MAX_PAGE_RULES}` }];
  const problems: RuleProblem[] = [];
  rules.forEach((rule, index) => {
    const r = rule as Partial<PageRule> | null;
    if (typeof r !== 'object' || r === null) return problems.push({ index, message: 'rule: must be an object {pattern, category}' });
    if (!PAGE_CATEGORIES.includes(r.category as PageCategory)) return problems.push({ index, message: `category: must be one of ${PAGE_CATEGORIES.join(', ')}` });
    try {
      compilePathPattern(r.pattern as string);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      problems.push({ index, message: err.message });
    }
    return undefined;
  });
  return problems;
}

const CACHE_SIZE = 1_000;

/**
 * A categorizer for a site's rules, tried in order before the defaults (unless `defaults` is false).
 * Throws a 400 INTENT_BAD_PAGE_RULE naming each bad rule. Results are cached per path (bounded, oldest dropped).
 */
export function createPageCategorizer(siteRules: readonly PageRule[] = [], options: { defaults?: boolean } = {}): PageCategorizer {
  const problems = checkPageRules(siteRules);
  if (problems.length > 0) {
    throw badRequest('INTENT_BAD_PAGE_RULE', problems.map((p) => (p.index >= 0 ? `rules[${p.index}].${p.message}` : p.message)).join('; '), problems);
  }
  const rules = [...siteRules, ...(options.defaults === false ? [] : DEFAULT_PAGE_RULES)];
  const compiled: [PathPattern, PageCategory][] = rules.map((r) => [compilePathPattern(r.pattern), r.category]);
  const cache = new Map<string, PageCategory>();
  return {
    rules,
    categorize(urlOrPath) {
      const path = pathOf(urlOrPath);
      let category = cache.get(path);
      if (category !== undefined) return category;
      category = compiled.find(([pattern]) => pattern.test(path))?.[1] ?? 'other';
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(path, category);
      return category;
    },
  };
}

/** The path of an absolute URL (or the path itself), without query or fragment; at most 500 characters. */
export function pathOf(urlOrPath: string): string {
  let rest = urlOrPath;
  const scheme = rest.indexOf('://');
  if (scheme >= 0) {
    const slash = rest.indexOf('/', scheme + 3);
    rest = slash < 0 ? '/' : rest.slice(slash);
  }
  const end = rest.search(/[?#]/);
  const path = end < 0 ? rest : rest.slice(0, end);
  return (path || '/').slice(0, 500);
}
