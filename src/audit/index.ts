// What other features use of the audit log: appending entries, and retention of the log itself.
export { actorLabel, appendAudit, type AuditEntry } from './log.js';
export { pruneAuditPrefix } from './prune.js';
export { verifyAudit } from './log.js';
