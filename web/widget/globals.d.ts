// The page globals the banner shares with the tracker (t.js) and offers to the page.
interface Navigator {
  globalPrivacyControl?: boolean;
}

interface Window {
  augur?: { track?: unknown; consent?: { set?: (choice: Record<string, unknown>) => void } };
  augurConsentBanner?: { open: () => void };
}
