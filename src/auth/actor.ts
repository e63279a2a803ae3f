// Who is calling: an account with a JWT access token, or a site-scoped API key.
import type { SiteRole, UserRole } from '../db/schema.js';

export type Actor =
  | { kind: 'user'; userId: number; email: string; role: UserRole; familyId: string }
  | { kind: 'apiKey'; keyId: string; siteId: string; role: SiteRole };
