// When the survey shows, kept per visitor in localStorage augur_survey: whether this visitor was drawn (once, at the
// site's survey_rate), from which page view on it was due then, how many pages they viewed with analytics consent,
// and whether they answered or dismissed it.
export type SurveyState = { s?: boolean; a?: number; n: number; d?: 1 };

const KEY = 'augur_survey';

export const loadState = (): SurveyState => {
  try {
    const s = JSON.parse(localStorage.getItem(KEY)!);
    return s && typeof s == 'object' && typeof s.n == 'number' ? s : { n: 0 };
  } catch {
    return { n: 0 };
  }
};

export const saveState = (s: SurveyState) => {
  try {
    localStorage.setItem(KEY, JSON.stringify(s));
  } catch {}
};

/** Analytics consent, from the tracker when it is on the page, else from the stored choice. */
export const analyticsConsent = () => {
  const tracker = window.augur && window.augur.consent;
  if (tracker && tracker.get) return !!tracker.get().analytics;
  try {
    return !!JSON.parse(localStorage.getItem('augur_consent')!).analytics;
  } catch {
    return false;
  }
};
