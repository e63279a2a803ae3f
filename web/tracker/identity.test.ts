import { describe, expect, it } from 'vitest';
import { randomId, uuid4 } from './identity.js';

describe('ids', () => {
  it('makes 22-character base64url ids that the protocol accepts', () => {
    const ids = Array.from({ length: 1000 }, randomId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(1000);
  });
  it('makes version 4 UUIDs without crypto.randomUUID', () => {
    const ids = Array.from({ length: 1000 }, uuid4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(1000);
  });
});
