/// <reference types="node" />
import { randomUUID } from 'node:crypto';
import { failingToken, slowResponseMs, slowToken, type InstantFixture } from '../provider-fixtures.js';
import { startStandIn, type RunningStandIn, type StandInRequest, type StandInResponse } from './stand-in-server.js';

interface InstantUserRecord {
  id: string;
  app_id: string;
  email: string | null;
  type: 'user' | 'guest';
  created_at: string;
}

export interface RunningInstantStandIn extends RunningStandIn {
  fixture: InstantFixture;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A stand-in for the InstantDB API on 127.0.0.1, reached by the real `@instantdb/admin` through `apiURI`.
 * It answers `POST /runtime/auth/verify_refresh_token` the way Instant's server does
 * (instant.runtime.routes/verify-refresh-token-post and instant.util.http/wrap-errors):
 * `{"user": {..., "refresh_token"}}` with 200 for a known token of that app, else 400 with
 * `{"type": "param-missing" | "param-malformed" | "record-not-found", "message", "hint"}`.
 * `slowToken` is answered after `slowResponseMs`; `failingToken` gets a 500.
 *
 * @example
 * const instant = await startInstantStandIn();
 * const db = init({ appId: instant.fixture.appId, apiURI: instant.fixture.apiUri });
 * await db.auth.verifyToken(instant.fixture.refreshToken); // the fixture's user
 * await instant.close();
 */
export async function startInstantStandIn(): Promise<RunningInstantStandIn> {
  const appId = randomUUID();
  const otherAppId = randomUUID();
  const now = new Date().toISOString();
  const user: InstantUserRecord = { id: randomUUID(), app_id: appId, email: 'ada@example.com', type: 'user', created_at: now };
  const guest: InstantUserRecord = { id: randomUUID(), app_id: appId, email: null, type: 'guest', created_at: now };
  const stranger: InstantUserRecord = { id: randomUUID(), app_id: otherAppId, email: 'eve@example.com', type: 'user', created_at: now };
  const refreshTokens = new Map<string, InstantUserRecord>([
    [randomUUID(), user],
    [randomUUID(), guest],
    [randomUUID(), stranger],
  ]);
  const tokenOf = (record: InstantUserRecord) => [...refreshTokens].find(([, value]) => value === record)![0];

  const server = await startStandIn((request) => answer(request, refreshTokens));
  return {
    ...server,
    fixture: {
      apiUri: server.url,
      appId,
      refreshToken: tokenOf(user),
      user: { id: user.id, email: user.email! },
      guestRefreshToken: tokenOf(guest),
      guest: { id: guest.id },
      otherAppRefreshToken: tokenOf(stranger),
    },
  };
}

function answer(request: StandInRequest, refreshTokens: Map<string, InstantUserRecord>): StandInResponse {
  if (request.method !== 'POST' || request.url.pathname !== '/runtime/auth/verify_refresh_token') {
    return { status: 404, body: 'Not Found' };
  }
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(request.body || '{}');
    body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { status: 400, body: { type: 'validation-failed', message: 'Malformed JSON body', hint: {} } };
  }
  const refreshToken = param(body, 'refresh-token');
  if ('status' in refreshToken) return refreshToken;
  if (refreshToken.value === slowToken) return { status: 400, body: recordNotFound(), delayMs: slowResponseMs };
  if (refreshToken.value === failingToken) return { status: 500, body: { message: 'Something went wrong. Please try again.' } };
  if (!uuidPattern.test(refreshToken.value)) return malformed('refresh-token', refreshToken.value);
  const appId = param(body, 'app-id');
  if ('status' in appId) return appId;
  if (!uuidPattern.test(appId.value)) return malformed('app-id', appId.value);

  const record = refreshTokens.get(refreshToken.value.toLowerCase());
  if (!record || record.app_id !== appId.value.toLowerCase()) return { status: 400, body: recordNotFound() };
  // Like Instant, the user object carries the refresh token itself: the Worker must not pass it on.
  return { status: 200, body: { user: { ...record, refresh_token: refreshToken.value } } };
}

function param(body: Record<string, unknown>, name: string): { value: string } | StandInResponse {
  const value = body[name];
  if (value === undefined || value === null || value === '') {
    return {
      status: 400,
      body: { type: 'param-missing', message: `Missing parameter: ["body" "${name}"]`, hint: { in: ['body', name] } },
    };
  }
  if (typeof value !== 'string') return malformed(name, value);
  return { value };
}

function malformed(name: string, input: unknown): StandInResponse {
  return {
    status: 400,
    body: {
      type: 'param-malformed',
      message: `Malformed parameter: ["body" "${name}"]`,
      hint: { in: ['body', name], 'original-input': input },
    },
  };
}

function recordNotFound() {
  return { type: 'record-not-found', message: 'Record not found: app-user', hint: { 'record-type': 'app-user' } };
}
