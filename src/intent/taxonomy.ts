// The site's intent taxonomy and survey settings, from the free-form `settings.intent`: the options of the widget's
// "What brings you here today?" prompt (the visit-reason labels models learn) and how often to ask. Site settings can
// be written unvalidated (the settings PATCH), so everything is checked here as src/privacy/banner.ts does.
import { INTENTS, type Intent } from '../simulator/index.js';
import { isRecord } from '../platform/validation.js';

export interface IntentOption {
  id: string;
  /** Label per language ("en", "de", "fr-CA", …); the survey falls back to English, then to the id. */
  labels: Record<string, string>;
}
export interface IntentSettings {
  taxonomy: IntentOption[];
  /** Share of consenting visitors asked (decided once per visitor, in the browser). */
  survey_rate: number;
  /** The prompt appears from this page view of the visitor on. */
  survey_after_pages: number;
}

export const INTENT_ID = /^[a-z][a-z0-9_]{0,31}$/;
export const LANG = /^[a-z]{2}(-[A-Za-z]{2,4})?$/;
export const MAX_OPTIONS = 12;
export const MAX_LABEL = 80;
export const MAX_AFTER_PAGES = 100;
export const DEFAULT_SURVEY_RATE = 0.05;
export const DEFAULT_AFTER_PAGES = 2;

// Keyed by the simulator's intents, so simulated survey answers are always options of the default taxonomy.
const DEFAULT_LABELS: Record<Intent, Record<'en' | 'de' | 'fr', string>> = {
  buy: { en: 'Buy something', de: 'Etwas kaufen', fr: 'Acheter quelque chose' },
  research: { en: 'Compare and research products', de: 'Produkte vergleichen und recherchieren', fr: 'Comparer et me renseigner' },
  support: { en: 'Get help with an order or product', de: 'Hilfe zu einer Bestellung oder einem Produkt', fr: 'Obtenir de l’aide sur une commande ou un produit' },
  jobs: { en: 'Look for a job', de: 'Einen Job suchen', fr: 'Chercher un emploi' },
  browse: { en: 'Just browsing', de: 'Nur stöbern', fr: 'Je regarde simplement' },
};

export const DEFAULT_TAXONOMY: IntentOption[] = INTENTS.map((id) => ({ id, labels: { ...DEFAULT_LABELS[id] } }));


function labels(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [lang, text] of Object.entries(v)) {
    if (LANG.test(lang) && typeof text === 'string' && text.trim()) out[lang.toLowerCase()] = text.trim().slice(0, MAX_LABEL);
  }
  return out;
}

/** Valid options in their order: ids well-formed and unique, at least one label each; at most MAX_OPTIONS. */
function taxonomy(v: unknown): IntentOption[] {
  if (!Array.isArray(v)) return [];
  const seen = new Set<string>();
  const out: IntentOption[] = [];
  for (const entry of v) {
    if (!isRecord(entry) || typeof entry.id !== 'string' || !INTENT_ID.test(entry.id) || seen.has(entry.id)) continue;
    const l = labels(entry.labels);
    if (!Object.keys(l).length) continue;
    seen.add(entry.id);
    out.push({ id: entry.id, labels: l });
    if (out.length === MAX_OPTIONS) break;
  }
  return out;
}

/** The intent settings of a site; what is missing or malformed takes its default (an empty taxonomy too). */
export function intentSettings(settings: Record<string, unknown> | null | undefined): IntentSettings {
  const intent = isRecord(settings?.intent) ? settings.intent : {};
  const rate = intent.survey_rate;
  const after = intent.survey_after_pages;
  const options = taxonomy(intent.taxonomy);
  return {
    taxonomy: options.length ? options : DEFAULT_TAXONOMY.map((o) => ({ id: o.id, labels: { ...o.labels } })),
    survey_rate: typeof rate === 'number' && rate >= 0 && rate <= 1 ? rate : DEFAULT_SURVEY_RATE,
    survey_after_pages: Number.isInteger(after) && (after as number) >= 1 && (after as number) <= MAX_AFTER_PAGES ? (after as number) : DEFAULT_AFTER_PAGES,
  };
}

/** Why a taxonomy written through the API is refused (the schema checks shapes; this checks what it cannot). */
export function taxonomyProblem(options: IntentOption[]): string | null {
  const ids = new Set<string>();
  for (const [i, o] of options.entries()) {
    if (ids.has(o.id)) return `taxonomy/${i}/id: "${o.id}" appears twice`;
    ids.add(o.id);
    if (!Object.values(o.labels).some((l) => l.trim())) return `taxonomy/${i}/labels: needs at least one non-blank label`;
    for (const lang of Object.keys(o.labels)) if (!LANG.test(lang)) return `taxonomy/${i}/labels: "${lang}" is not a language tag`;
  }
  return null;
}
