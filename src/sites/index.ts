// What other features use of sites.
export { isAllowedOrigin, siteByPublicKey, invalidateSiteCache, type PublicSite } from './cache.js';
export { authorizeSiteSender, type SiteSender } from './sender.js';
export { createSite } from './service.js';
