// The page globals the banner and the survey share with the tracker (t.js) and offer to the page.
interface Navigator {
  globalPrivacyControl?: boolean;
}

interface Window {
  augur?: {
    track?: unknown;
    survey?: (question: string, answer: string) => boolean;
    consent?: { set?: (choice: Record<string, unknown>) => void; get?: () => { analytics: boolean } };
  };
  augurConsentBanner?: { open: () => void };
  /** Set once survey.js runs, so a second copy does not ask twice. */
  augurSurvey?: boolean;
}
