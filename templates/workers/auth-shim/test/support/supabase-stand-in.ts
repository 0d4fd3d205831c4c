/// <reference types="node" />
import { randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { failingToken, slowResponseMs, slowToken, type SupabaseFixture } from '../provider-fixtures.js';
import { startStandIn, type RunningStandIn, type StandInRequest, type StandInResponse } from './stand-in-server.js';

export interface RunningSupabaseStandIn extends RunningStandIn {
  fixture: SupabaseFixture;
}

interface SupabaseUserRecord {
  id: string;
  email: string;
}

/**
 * A stand-in for Supabase Auth (GoTrue behind the API gateway) on 127.0.0.1, answering
 * `GET /auth/v1/user` as the real service does: the gateway wants the project's `apikey` (401
 * `{"message": "Invalid API key"}` otherwise); GoTrue wants `Authorization: Bearer <access token>` (401
 * `no_authorization`), verifies the HS256 JWT with the project's secret and its expiry (403 `bad_jwt`), loads the
 * user of `sub` (403 `user_not_found`) and answers the user object. `slowToken` is answered after
 * `slowResponseMs`; `failingToken` gets a 500.
 *
 * @example
 * const supabase = await startSupabaseStandIn();
 * await fetch(`${supabase.fixture.url}/auth/v1/user`, {
 *   headers: { apikey: supabase.fixture.anonKey, authorization: `Bearer ${supabase.fixture.accessToken}` },
 * });
 * await supabase.close();
 */
export async function startSupabaseStandIn(): Promise<RunningSupabaseStandIn> {
  const jwtSecret = randomBytes(32);
  const anonKey = await new SignJWT({ role: 'anon' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('supabase')
    .sign(jwtSecret);
  const user: SupabaseUserRecord = { id: randomUUID(), email: 'grace@example.com' };
  const users = new Map([[user.id, user]]);
  const accessToken = (sub: string, expiresIn: string | number, key: Uint8Array = jwtSecret) =>
    new SignJWT({ email: users.get(sub)?.email, role: 'authenticated', aud: 'authenticated', session_id: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(key);

  const server = await startStandIn((request) => answer(request, { anonKey, jwtSecret, users }));
  return {
    ...server,
    fixture: {
      url: server.url,
      anonKey,
      accessToken: await accessToken(user.id, '1h'),
      user,
      expiredAccessToken: await accessToken(user.id, Math.floor(Date.now() / 1000) - 60),
      forgedAccessToken: await accessToken(user.id, '1h', randomBytes(32)),
      unknownUserAccessToken: await accessToken(randomUUID(), '1h'),
    },
  };
}

interface Project {
  anonKey: string;
  jwtSecret: Uint8Array;
  users: Map<string, SupabaseUserRecord>;
}

function answer(request: StandInRequest, project: Project): StandInResponse | Promise<StandInResponse> {
  if (request.url.pathname !== '/auth/v1/user' || request.method !== 'GET') {
    return { status: 404, body: { code: 404, error_code: 'not_found', msg: 'Not Found' } };
  }
  if (request.headers.apikey !== project.anonKey) {
    return { status: 401, body: { message: request.headers.apikey ? 'Invalid API key' : 'No API key found in request' } };
  }
  const bearer = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!bearer) {
    return { status: 401, body: { code: 401, error_code: 'no_authorization', msg: 'This endpoint requires a Bearer token' } };
  }
  if (bearer === slowToken) return { status: 403, body: badJwt('token is malformed'), delayMs: slowResponseMs };
  if (bearer === failingToken) return { status: 500, body: { code: 500, error_code: 'unexpected_failure', msg: 'Unexpected failure' } };
  return verifyAndLoad(bearer, project);
}

async function verifyAndLoad(bearer: string, project: Project): Promise<StandInResponse> {
  let sub: string | undefined;
  try {
    ({
      payload: { sub },
    } = await jwtVerify(bearer, project.jwtSecret, { algorithms: ['HS256'] }));
  } catch (error) {
    return { status: 403, body: badJwt((error as Error).message) };
  }
  const user = sub ? project.users.get(sub) : undefined;
  if (!user) return { status: 403, body: { code: 403, error_code: 'user_not_found', msg: 'User from sub claim in JWT does not exist' } };
  const created = new Date(0).toISOString();
  return {
    status: 200,
    body: {
      id: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email: user.email,
      email_confirmed_at: created,
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
      identities: [],
      created_at: created,
      updated_at: created,
      is_anonymous: false,
    },
  };
}

function badJwt(reason: string) {
  return { code: 403, error_code: 'bad_jwt', msg: `invalid JWT: unable to parse or verify signature, ${reason}` };
}
