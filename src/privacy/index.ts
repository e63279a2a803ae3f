// What other features use of privacy.
export { recordedConsent, type Categories } from './consent.js';
