import { describe, expect, it } from 'vitest';
import { optionLabel, SURVEY_TEXTS, surveyLang } from './survey-texts.js';

describe('survey texts', () => {
  it('speaks en, de and fr, each with every text', () => {
    expect(Object.keys(SURVEY_TEXTS).sort()).toEqual(['de', 'en', 'fr']);
    for (const t of Object.values(SURVEY_TEXTS)) expect(Object.keys(t).sort()).toEqual(['question', 'skip', 'thanks']);
    expect(surveyLang(null, 'de-AT')).toBe('de');
    expect(surveyLang('fr', 'de')).toBe('fr');
    expect(surveyLang('es', 'pt-BR')).toBe('en');
  });

  it("labels an option in the visitor's language, then its base language, then English, then by id", () => {
    const o = { id: 'pricing', labels: { en: 'See prices', de: 'Preise ansehen', 'fr-ca': 'Voir les prix (CA)' } };
    expect(optionLabel(o, 'de')).toBe('Preise ansehen');
    expect(optionLabel(o, 'fr-ca')).toBe('Voir les prix (CA)');
    expect(optionLabel(o, 'de-at')).toBe('Preise ansehen');
    expect(optionLabel(o, 'fr')).toBe('See prices');
    expect(optionLabel({ id: 'demo', labels: { de: 'Demo' } }, 'fr')).toBe('demo');
  });
});
