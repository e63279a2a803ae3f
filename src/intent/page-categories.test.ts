import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { CATEGORIES, PAGES } from '../simulator/model.js';
import { checkPageRules, createPageCategorizer, pathOf } from './page-categories.js';
import { compilePathPattern, PatternError } from './path-pattern.js';

describe('path patterns', () => {
  it('path prefixes match on a segment boundary; "/" alone is the home page', () => {
    const p = compilePathPattern('/blog');
    expect(['/blog', '/blog/', '/blog/a/b', '/BLOG/x'].map((x) => p.test(x))).toEqual([true, true, true, true]);
    expect(['/blogger', '/en/blog', '/'].map((x) => p.test(x))).toEqual([false, false, false]);
    const home = compilePathPattern('/');
    expect(['/', '/pricing'].map((x) => home.test(x))).toEqual([true, false]);
  });

  it('globs match the whole path: * within a segment, ** across, ? one character', () => {
    expect(compilePathPattern('/docs/*').test('/docs/intro')).toBe(true);
    expect(compilePathPattern('/docs/*').test('/docs/a/b')).toBe(false);
    expect(compilePathPattern('/docs/**').test('/docs/a/b')).toBe(true);
    expect(compilePathPattern('**/product-?.html').test('/demo/product-7.html')).toBe(true);
    expect(compilePathPattern('**/product-?.html').test('/demo/product-17.html')).toBe(false);
  });

  it('regex-lite agrees with RegExp (case-insensitive search) on random paths', () => {
    const patterns = ['^/p/\\d+$', '/(cart|basket)([/.]|$)', 'a[b-d]{2,3}e?$', '^/[a-z]{2}(-[a-z]{2})?/?$', '(x|y)+z', '^(/[^/]+){3}$', '\\.html?$', 'co.*t'];
    const path = fc.stringMatching(/^(\/[a-zA-Z0-9.\-]{0,6}){0,5}$/);
    for (const source of patterns) {
      const ours = compilePathPattern(`re:${source}`);
      const theirs = new RegExp(source, 'i');
      fc.assert(fc.property(path, (p) => ours.test(p) === theirs.test(p)), { numRuns: 300, seed: 7 });
    }
  });

  it('rejects what could be unsafe or is not regex-lite', () => {
    const bad = ['re:(?=a)b', 're:(a)\\1', 're:a{1000}', 're:a{2,50}', 're:a**', 're:a+?', 're:((((((((((a))))))))))', 're:((a{20}){20}){20}', 're:\\bword', 're:[z-a]', 're:(a', 're:a)', 're:*a', `/${'a'.repeat(200)}`, 'blog', ''];
    for (const source of bad) expect(() => compilePathPattern(source), source).toThrow(PatternError);
  });

  it('patterns that backtrack catastrophically in RegExp stay linear here', () => {
    const evil = compilePathPattern('re:^(a+)+$');
    const input = `/${'a'.repeat(4_000)}!`;
    const t0 = performance.now();
    expect(evil.test(input)).toBe(false);
    expect(compilePathPattern('re:(.*a){20}$').test(input)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1_000); // RegExp would need ~2^4000 steps for the first
  });
});

describe('page categories', () => {
  it('default rules map common paths', () => {
    const { categorize } = createPageCategorizer();
    const cases: [string, string][] = [
      ['https://shop.example/', 'home'], ['/en/', 'home'], ['/pricing', 'pricing'], ['/en/plans/', 'pricing'], ['/cart', 'cart'],
      ['/checkout/shipping', 'checkout'], ['/checkout/thank-you', 'thanks'], ['/blog/how-to', 'blog'], ['/docs/api/auth', 'docs'],
      ['/products', 'listing'], ['/products/42', 'product'], ['/product/red-shoe', 'product'], ['/account/orders', 'account'],
      ['/contact', 'contact'], ['/about-us', 'about'], ['/search', 'search'], ['/cartography', 'other'], ['/xyz', 'other'],
      ['https://a.example/help?q=1#top', 'support'],
    ];
    for (const [url, category] of cases) expect(categorize(url), url).toBe(category);
  });

  it('default rules give every demo page the category the simulator means', () => {
    const { categorize } = createPageCategorizer();
    for (const category of CATEGORIES) for (const file of PAGES[category]) expect(categorize(`https://demo.example/demo/${file}`), file).toBe(category);
  });

  it('site rules come first, in order; the first match wins', () => {
    const site = createPageCategorizer([
      { pattern: '/blog/pricing-*', category: 'blog' },
      { pattern: '/blog/**', category: 'docs' },
      { pattern: '/blog/special', category: 'about' },
    ]);
    expect(site.categorize('/blog/pricing-changes')).toBe('blog');
    expect(site.categorize('/blog/special')).toBe('docs');
    expect(site.categorize('/pricing')).toBe('pricing'); // defaults still apply after the site's rules
    expect(createPageCategorizer([], { defaults: false }).categorize('/pricing')).toBe('other');
  });

  it('bad rules are refused with a 400 naming each one', () => {
    const rules = [{ pattern: '/ok', category: 'home' }, { pattern: 're:(?!x)', category: 'home' }, { pattern: '/x', category: 'nope' }];
    expect(checkPageRules(rules).map((p) => p.index)).toEqual([1, 2]);
    try {
      createPageCategorizer(rules as never);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ status: 400, code: 'INTENT_BAD_PAGE_RULE' });
      expect((err as AppError).message).toMatch(/rules\[1\]\.pattern.*rules\[2\]\.category/);
    }
    expect(checkPageRules(Array.from({ length: 201 }, () => ({ pattern: '/', category: 'home' })))).toHaveLength(1);
  });

  it('paths drop scheme, host, query and fragment', () => {
    expect(pathOf('https://a.example/x/y?utm_source=z#f')).toBe('/x/y');
    expect(pathOf('https://a.example')).toBe('/');
    expect(pathOf('/p?q')).toBe('/p');
  });
});
