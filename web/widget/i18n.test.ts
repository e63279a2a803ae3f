import { describe, expect, it } from 'vitest';
import { pickLang, textsFor } from './i18n.js';
import { mustAsk } from './choice.js';

describe('banner language and texts', () => {
  it('picks the first built-in language, by base tag, else English', () => {
    expect(pickLang(null, 'de-AT')).toBe('de');
    expect(pickLang('fr', 'de-DE')).toBe('fr');
    expect(pickLang('xx', 'es-ES')).toBe('en');
  });

  it("lays the site's texts for the language over the built-in ones", () => {
    const t = textsFor('de', { de: { title: 'Datenschutz', analytics: 'Wir zählen Besuche.' }, en: { title: 'Privacy' } });
    expect(t.title).toBe('Datenschutz');
    expect(t.analytics).toEqual(['Statistik', 'Wir zählen Besuche.']);
    expect(t.marketing[0]).toBe('Marketing');
    expect(textsFor('fr').accept).toBe('Tout accepter');
  });

  it('has every text in every built-in language, the data-rights ones included', () => {
    const en = textsFor('en');
    for (const lang of ['de', 'fr']) {
      const t = textsFor(lang);
      expect(Object.keys(t).sort()).toEqual(Object.keys(en).sort());
      for (const key of ['download', 'erase', 'confirm', 'yes', 'no', 'failed'] as const) {
        expect(t[key].length, `${lang}.${key}`).toBeGreaterThan(2);
        expect(t[key], `${lang}.${key}`).not.toBe(en[key]);
      }
    }
  });
});

describe('when the banner asks', () => {
  const choice = { analytics: true, marketing: false, personalization: false, at: 1 };
  it('asks without a choice and when the policy version changed', () => {
    expect(mustAsk(null, '1')).toBe(true);
    expect(mustAsk({ ...choice, policy_version: '1' }, '1')).toBe(false);
    expect(mustAsk({ ...choice, policy_version: '1' }, '2')).toBe(true);
    expect(mustAsk(choice, '1')).toBe(true);
  });
});
