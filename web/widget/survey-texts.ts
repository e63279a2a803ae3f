// The survey's own texts (en, de, fr). Its options are the site's intent taxonomy, labelled per language by the site.
export type SurveyTexts = { question: string; skip: string; thanks: string };

export const SURVEY_TEXTS: Record<string, SurveyTexts> = {
  en: { question: 'What brings you here today?', skip: 'No thanks', thanks: 'Thank you!' },
  de: { question: 'Was führt Sie heute zu uns?', skip: 'Nein, danke', thanks: 'Vielen Dank!' },
  fr: { question: 'Qu’est-ce qui vous amène aujourd’hui ?', skip: 'Non merci', thanks: 'Merci !' },
};

/** The first preferred language (e.g. "de-AT" → "de") the survey speaks; else English. */
export const surveyLang = (...preferred: (string | null | undefined)[]) => {
  for (const tag of preferred) {
    const base = String(tag || '').toLowerCase().split(/[-_]/)[0]!;
    if (SURVEY_TEXTS[base]) return base;
  }
  return 'en';
};

/** An option's label in lang (exact tag, then its base language), else English, else its id. */
export const optionLabel = (o: { id: string; labels: Record<string, string> }, lang: string) =>
  o.labels[lang] || o.labels[lang.split('-')[0]!] || o.labels.en || o.id;
