// Our HS256 implementation must interoperate with a reference JWT library (jose) both ways.
import { describe, expect, it } from 'vitest';
import { SignJWT, jwtVerify } from 'jose';
import { createTokenSigner } from './tokens.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const signer = createTokenSigner(SECRET, 900, () => NOW);
const key = new TextEncoder().encode(SECRET);

const joseToken = (claims: Record<string, unknown>, alg = 'HS256', secret = key) =>
  new SignJWT({ email: 'a@example.com', role: 'operator', type: 'access', sid: 'fam', ...claims })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject('7')
    .setIssuer('augur')
    .setAudience('augur-api')
    .setIssuedAt(NOW / 1000)
    .setExpirationTime(NOW / 1000 + 900)
    .sign(secret);

describe('access tokens', () => {
  it('are valid JWTs for a reference verifier, with the spec claims', async () => {
    const { token } = await signer.sign({ userId: 7, email: 'a@example.com', role: 'operator', familyId: 'fam' });
    const { payload, protectedHeader } = await jwtVerify(token, key, { issuer: 'augur', audience: 'augur-api', currentDate: new Date(NOW) });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: '7', email: 'a@example.com', role: 'operator', type: 'access', sid: 'fam', iat: NOW / 1000, exp: NOW / 1000 + 900 });
  });

  it('accept tokens a reference signer made, and reject every forgery', async () => {
    expect((await signer.verify(await joseToken({}))).sub).toBe('7');
    const bad = [
      await joseToken({}, 'HS256', new TextEncoder().encode('another-secret-another-secret-0123456789')),
      await joseToken({}, 'HS512'),
      await joseToken({ type: 'refresh' }),
      await joseToken({ role: 'root' }),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${(await joseToken({})).split('.')[1]}.`,
    ];
    for (const token of bad) await expect(signer.verify(token)).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    const expired = createTokenSigner(SECRET, 900, () => NOW + 901_000);
    await expect(expired.verify(await joseToken({}))).rejects.toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
  });
});
