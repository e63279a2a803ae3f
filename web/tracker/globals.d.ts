// Browser APIs newer than TypeScript's DOM library, and the page globals the tracker shares.
interface Navigator {
  globalPrivacyControl?: boolean;
  userAgentData?: { mobile: boolean; platform: string; brands: { brand: string; version: string }[] };
}

interface Window {
  augur?: { track?: unknown };
  augurQueue?: unknown;
}
