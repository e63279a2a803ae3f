// What other features use of privacy.
export { recordedConsent, type Categories } from './consent.js';
export { forgetConsent } from './consent.js';
export { SUBJECT_TABLES, NOT_SUBJECT_DATA, type SubjectTable } from './personal-data.js';
export { RETENTION_JOB, runRetention, type PurgeReport } from './retention-purge.js';
export { AUDIT_VERIFY_JOB } from './score.js';
