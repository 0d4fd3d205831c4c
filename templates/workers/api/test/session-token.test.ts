// The session verifier on its own (src/lib/session-token.ts): the known-answer vectors with their fixed
// "now", the option bounds, the claim checks and the EdDSA path through a JWKS fetcher.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  authFromClaims,
  createSessionVerifier,
  readBearerToken,
  sessionFailureStatus,
  sessionVerifierFromEnv,
  type SessionVerifierOptions,
} from '../src/lib/session-token.js';
import { jwtVectors } from './fixtures/jwt-vectors.js';

const vectorOptions: SessionVerifierOptions = {
  algorithm: 'HS256',
  secret: jwtVectors.secret,
  issuer: jwtVectors.issuer,
  audience: jwtVectors.audience,
  // The vectors were computed for a verifier without skew allowance (exp = now - 1 must fail).
  clockToleranceSeconds: 0,
  now: () => new Date(jwtVectors.nowUnix * 1000),
};

describe('HS256 known-answer vectors (RFC 8725 cases, fixed now)', () => {
  const verify = createSessionVerifier(vectorOptions);

  it.each(jwtVectors.cases)('$name -> $expect', async ({ token, expect: expected }) => {
    const result = await verify(token);
    expect(result.ok ? 'accept' : 'reject').toBe(expected);
  });

  it('holds both accepting and refusing cases, so the table cannot pass by refusing everything', () => {
    expect(jwtVectors.cases.filter((c) => c.expect === 'accept').length).toBeGreaterThanOrEqual(2);
    expect(jwtVectors.cases.filter((c) => c.expect === 'reject').length).toBeGreaterThanOrEqual(20);
  });

  it('gives the precise reason to the caller (for the log) while the wire mapping stays generic', async () => {
    const byName = (name: string) => jwtVectors.cases.find((c) => c.name.startsWith(name))!.token;
    const reasons = {
      alg_none_empty_sig: 'wrong_algorithm',
      alg_HS512: 'wrong_algorithm',
      wrong_secret: 'bad_signature',
      'expired ': 'expired',
      wrong_iss: 'wrong_issuer',
      wrong_aud: 'wrong_audience',
      missing_sub: 'missing_claim',
      nbf_in_future: 'not_yet_valid',
      typ_mismatch: 'wrong_type',
      kid_path_traversal: 'unsupported_header',
      jku_header_present: 'unsupported_header',
      oversized_token: 'too_long',
    } as const;
    for (const [name, reason] of Object.entries(reasons)) {
      const result = await verify(byName(name));
      expect(result, name).toMatchObject({ ok: false, reason });
      if (!result.ok) expect(sessionFailureStatus(result.reason)).toEqual({ status: 401, code: 'invalid_token' });
    }
  });

  it('honours the clock only through the injected now', async () => {
    const valid = jwtVectors.cases.find((c) => c.name === 'valid')!.token;
    // The same valid token, checked against the real clock (years later), is expired.
    const realClock = createSessionVerifier({ ...vectorOptions, now: undefined });
    expect(await realClock(valid)).toMatchObject({ ok: false, reason: 'expired' });
  });
});

describe('verifier bounds', () => {
  it('refuses an over-long token before parsing it', async () => {
    const verify = createSessionVerifier(vectorOptions);
    // Not even a JWT: a parser would call it malformed; the length bound answers first.
    expect(await verify('x'.repeat(4097))).toMatchObject({ ok: false, reason: 'too_long' });
    expect(await verify('x'.repeat(4096))).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('fails closed on a configuration outside the allowed bounds', async () => {
    const token = jwtVectors.cases[0]!.token;
    for (const bad of [
      { clockToleranceSeconds: 31 },
      { maxTokenLength: 8192 },
      { secret: 'too-short-secret' },
      { secret: undefined },
      { issuer: '' },
      { algorithm: 'RS256' as 'HS256' },
      { algorithm: 'EdDSA' as const },
    ]) {
      const verify = createSessionVerifier({ ...vectorOptions, ...bad });
      const result = await verify(token);
      expect(result, JSON.stringify(bad)).toMatchObject({ ok: false, reason: 'misconfigured' });
      if (!result.ok) expect(sessionFailureStatus(result.reason).status).toBe(500);
    }
  });

  it('accepts a token signed with either rotation slot, and nothing else', async () => {
    const sign = (secret: string) =>
      new SignJWT({ roles: [] })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject('user-1')
        .setIssuer(jwtVectors.issuer)
        .setAudience(jwtVectors.audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
    const [current, next, other] = ['c', 'n', 'o'].map((letter) => `hs256_1700000000_${letter.repeat(43)}`) as [string, string, string];
    const both = sessionVerifierFromEnv({
      SESSION_JWT_ALG: 'HS256',
      SESSION_JWT_ISSUER: jwtVectors.issuer,
      SESSION_JWT_AUDIENCE: jwtVectors.audience,
      SESSION_JWT_SECRET: current,
      SESSION_JWT_SECRET_NEXT: next,
    });
    expect(await both(await sign(current))).toMatchObject({ ok: true, auth: { userId: 'user-1' } });
    expect(await both(await sign(next))).toMatchObject({ ok: true, auth: { userId: 'user-1' } });
    expect(await both(await sign(other))).toMatchObject({ ok: false, reason: 'bad_signature' });
    // After a finished rotation only the slot that is left holds a secret.
    const nextOnly = sessionVerifierFromEnv({
      SESSION_JWT_ALG: 'HS256',
      SESSION_JWT_ISSUER: jwtVectors.issuer,
      SESSION_JWT_AUDIENCE: jwtVectors.audience,
      SESSION_JWT_SECRET_NEXT: next,
    });
    expect(await nextOnly(await sign(next))).toMatchObject({ ok: true });
    expect(await nextOnly(await sign(current))).toMatchObject({ ok: false, reason: 'bad_signature' });
    // A second slot too short to be a key fails closed, like the first.
    const short = createSessionVerifier({ ...vectorOptions, secondSecret: 'short' });
    expect(await short(await sign(current))).toMatchObject({ ok: false, reason: 'misconfigured' });
  });

  it('allows the configured skew and no more (default 5 s, at most 30 s)', async () => {
    const now = jwtVectors.nowUnix;
    const secret = new TextEncoder().encode(jwtVectors.secret);
    const sign = (exp: number) =>
      new SignJWT({ roles: [] })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject('user_1')
        .setIssuer(jwtVectors.issuer)
        .setAudience(jwtVectors.audience)
        .setIssuedAt(now - 60)
        .setExpirationTime(exp)
        .sign(secret);
    const withDefault = createSessionVerifier({ ...vectorOptions, clockToleranceSeconds: undefined });
    expect((await withDefault(await sign(now - 4))).ok).toBe(true);
    expect(await withDefault(await sign(now - 6))).toMatchObject({ ok: false, reason: 'expired' });
    const widest = createSessionVerifier({ ...vectorOptions, clockToleranceSeconds: 30 });
    expect(await widest(await sign(now - 31))).toMatchObject({ ok: false, reason: 'expired' });
  });
});

describe('claims -> AuthContext', () => {
  it('maps the contract claims', () => {
    expect(authFromClaims({ sub: 'u1', email: 'a@example.com', roles: ['admin'], tenant: 'acme' })).toMatchObject({
      ok: true,
      auth: { userId: 'u1', email: 'a@example.com', roles: ['admin'], tenant: 'acme' },
    });
    expect(authFromClaims({ sub: 'u1' })).toMatchObject({ ok: true, auth: { userId: 'u1', roles: [] } });
  });

  it.each([
    ['sub with a path separator', { sub: 'a/b' }],
    ['sub that is a dot-dot segment', { sub: '..' }],
    ['empty sub', { sub: '' }],
    ['roles not a list', { sub: 'u1', roles: 'admin' }],
    ['roles with a non-string', { sub: 'u1', roles: ['admin', 1] }],
    ['tenant with a separator', { sub: 'u1', tenant: 'acme/../other' }],
    ['email not a string', { sub: 'u1', email: ['a@example.com'] }],
  ])('refuses %s', (_name, claims) => {
    expect(authFromClaims(claims)).toMatchObject({ ok: false, reason: 'invalid_claim' });
  });
});

describe('Authorization header parsing', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['Basic dXNlcjpwYXNz', null],
    ['Bearer', null],
    ['Bearer a b', null],
    ['', null],
  ])('%j -> %j', (header, token) => {
    expect(readBearerToken(header)).toBe(token);
  });
});

describe('EdDSA with the JWKS from the auth shim binding', () => {
  async function setup(fetchImpl?: (request: Request) => Promise<Response>) {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
    let fetches = 0;
    const fetcher = {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        fetches += 1;
        const request = new Request(input, init);
        if (fetchImpl) return fetchImpl(request);
        expect(new URL(request.url).pathname).toBe('/.well-known/jwks.json');
        return Response.json({ keys: [publicJwk] });
      },
      connect: () => {
        throw new Error('not used');
      },
    } as unknown as Fetcher;
    const verify = createSessionVerifier({ algorithm: 'EdDSA', jwksFetcher: fetcher, issuer: 'shim', audience: 'api' });
    const sign = (kid: string, key: CryptoKey = privateKey) =>
      new SignJWT({ roles: ['member'] })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid })
        .setSubject('user_ed')
        .setIssuer('shim')
        .setAudience('api')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(key);
    return { verify, sign, fetches: () => fetches, publicJwk };
  }

  it('accepts a token signed by the published key and caches the key set', async () => {
    const { verify, sign, fetches } = await setup();
    expect(await verify(await sign('k1'))).toMatchObject({ ok: true, auth: { userId: 'user_ed', roles: ['member'] } });
    expect(await verify(await sign('k1'))).toMatchObject({ ok: true });
    expect(fetches()).toBe(1);
  });

  it('refuses a key id the shim does not publish, and another key under a published id', async () => {
    const { verify, sign } = await setup();
    expect(await verify(await sign('k-unknown'))).toMatchObject({ ok: false, reason: 'unknown_key' });
    const other = await generateKeyPair('EdDSA');
    expect(await verify(await sign('k1', other.privateKey))).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const { verify, publicJwk } = await setup();
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'k1' })
      .setSubject('admin')
      .setIssuer('shim')
      .setAudience('api')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    expect(await verify(forged)).toMatchObject({ ok: false, reason: 'wrong_algorithm' });
  });

  it('reports an unreachable or failing auth shim as keys_unavailable (502), not as a bad token', async () => {
    const down = await setup(async () => {
      throw new Error('connection refused');
    });
    const broken = await setup(async () => new Response('oops', { status: 500 }));
    for (const { verify, sign } of [down, broken]) {
      const result = await verify(await sign('k1'));
      expect(result).toMatchObject({ ok: false, reason: 'keys_unavailable' });
      if (!result.ok) expect(sessionFailureStatus(result.reason)).toEqual({ status: 502, code: 'upstream_failed' });
    }
  });
});
