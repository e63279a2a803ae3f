// What other features use of the audit log: appending entries.
export { actorLabel, appendAudit, type AuditEntry } from './log.js';
