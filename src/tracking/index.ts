// What other features use of tracking.
export { deleteSiteEvents } from './queries.js';
export type { SessionState } from './session-state.js';
