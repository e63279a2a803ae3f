// What other features use of tracking.
export { deleteSiteEvents } from './queries.js';
export { truncateIp } from './identity.js';
export type { SessionState } from './session-state.js';
export type { DeviceContext, EventType, IngestAnswer, TrackEnvelope, TrackEvent } from './schemas.js';
