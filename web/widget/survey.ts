// Augur visit-reason survey, served as /survey.js and loaded by the consent banner (widget.js) once the visitor has
// granted analytics, so pages without consent never download it. Asks "What brings you here today?" with the site's
// intent taxonomy as options, to the site's survey_rate of visitors (drawn once and remembered), from their
// survey_after_pages-th page view on, and never again after an answer or a dismissal. The answer is sent through the
// tracker (augur.survey), so it is a `survey` event: the visit-reason label intent models learn from.
import { analyticsConsent, loadState, saveState } from './survey-state.js';
import { SURVEY_TEXTS, surveyLang } from './survey-texts.js';
import { showSurvey, type Option } from './survey-ui.js';

type Config = { taxonomy: Option[]; survey_rate: number; survey_after_pages: number };

export const QUESTION = 'visit_reason';

const script = (document.currentScript || document.querySelector('script[src*="survey.js"][data-site]')) as HTMLScriptElement | null;
const attr = (name: string) => script && script.getAttribute('data-' + name);
const site = attr('site');

const start = async () => {
  const state = loadState();
  if (state.d || state.s === false || !analyticsConsent()) return;
  state.n++;
  saveState(state);
  // Visitors not drawn fetch the configuration once, to be drawn; drawn ones again only when the prompt is due.
  if (state.s && state.n < state.a!) return;
  const api = attr('api') || new URL(script!.src, location.href).origin;
  const config: Config | null = await fetch(`${api}/api/v1/intent/survey?site=${encodeURIComponent(site!)}`, { referrerPolicy: 'origin' })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  if (!config) return;
  if (state.s == null) saveState({ ...state, s: (state.s = Math.random() < config.survey_rate), a: config.survey_after_pages });
  const tracker = window.augur;
  if (!state.s || state.n < config.survey_after_pages || !tracker || !tracker.survey || !analyticsConsent()) return;
  const lang = surveyLang(attr('lang'), navigator.language);
  showSurvey(SURVEY_TEXTS[lang]!, config.taxonomy, lang, (answer) => {
    // Asked once: an answer or a dismissal ends it for this visitor.
    saveState({ ...loadState(), d: 1 });
    if (answer) tracker.survey!(QUESTION, answer);
  });
};

if (site && !window.augurSurvey) {
  window.augurSurvey = true;
  if (document.readyState == 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
