// What other features may use from auth: who the caller is, the canX checks, API keys.
export type { Actor } from './actor.js';
export * from './access.js';
export { createApiKey, listApiKeys, revokeApiKey, verifyApiKey, type ApiKeyView } from './apikeys.js';
export { findAccountByEmail, openAccount } from './account-fields.js';
