import { describe, expect, it } from 'vitest';
import { INTENTS } from '../simulator/index.js';
import { DEFAULT_TAXONOMY, intentSettings, MAX_OPTIONS, taxonomyProblem } from './taxonomy.js';

describe('intentSettings', () => {
  it("defaults to the simulator's intents with en/de/fr labels, a 5 % rate and 2 pages", () => {
    const s = intentSettings(undefined);
    expect(s.taxonomy.map((o) => o.id)).toEqual([...INTENTS]);
    for (const o of s.taxonomy) expect(Object.keys(o.labels).sort()).toEqual(['de', 'en', 'fr']);
    expect(s).toMatchObject({ survey_rate: 0.05, survey_after_pages: 2 });
    // A copy: callers may not change the defaults.
    s.taxonomy[0]!.labels.en = 'changed';
    expect(DEFAULT_TAXONOMY[0]!.labels.en).toBe('Buy something');
  });

  it('keeps valid options in order and drops malformed ones, duplicates and bad values', () => {
    const s = intentSettings({
      intent: {
        taxonomy: [
          { id: 'pricing', labels: { en: ' See prices ', DE: 'x', 'fr-CA': 'Voir les prix', xx_bad: 'no', es: 3 } },
          { id: 'pricing', labels: { en: 'again' } },
          { id: 'Bad-Id', labels: { en: 'no' } },
          { id: 'empty', labels: { en: '  ' } },
          'junk',
          { id: 'demo', labels: { en: 'x'.repeat(200) } },
        ],
        survey_rate: 1.5,
        survey_after_pages: 2.5,
      },
    });
    expect(s.taxonomy).toEqual([
      { id: 'pricing', labels: { en: 'See prices', 'fr-ca': 'Voir les prix' } },
      { id: 'demo', labels: { en: 'x'.repeat(80) } },
    ]);
    expect(s).toMatchObject({ survey_rate: 0.05, survey_after_pages: 2 });
    expect(intentSettings({ intent: { survey_rate: 0, survey_after_pages: 1 } })).toMatchObject({ survey_rate: 0, survey_after_pages: 1 });
  });

  it('falls back to the defaults when nothing valid is left, and caps the number of options', () => {
    expect(intentSettings({ intent: { taxonomy: [{ id: '1x', labels: { en: 'a' } }] } }).taxonomy).toHaveLength(INTENTS.length);
    const many = Array.from({ length: 20 }, (_, i) => ({ id: `o${i}`, labels: { en: `O ${i}` } }));
    expect(intentSettings({ intent: { taxonomy: many } }).taxonomy).toHaveLength(MAX_OPTIONS);
    expect(intentSettings({ intent: 'nope' }).taxonomy).toHaveLength(INTENTS.length);
  });

  it('names what a written taxonomy gets wrong', () => {
    expect(taxonomyProblem(DEFAULT_TAXONOMY)).toBeNull();
    expect(taxonomyProblem([{ id: 'a', labels: { en: 'A' } }, { id: 'a', labels: { en: 'B' } }])).toMatch(/taxonomy\/1\/id: "a" appears twice/);
    expect(taxonomyProblem([{ id: 'a', labels: { en: '  ' } }])).toMatch(/non-blank/);
  });
});
