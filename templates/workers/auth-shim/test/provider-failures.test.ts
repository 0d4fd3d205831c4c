import { describe, expect, inject, it } from 'vitest';
import type { Env } from '../src/env.js';
import { failingToken, slowResponseMs, slowToken } from './provider-fixtures.js';
import { callWorker, captureLogs, instantEnv, requestLogLine, sessionRequest, supabaseEnv } from './helpers.js';

const instant = inject('instant');
const supabase = inject('supabase');
const closedPort = inject('closedPort');

/** Every refusal answers the same generic envelope: nothing about why reaches the client. */
async function expectRefusal(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const body = JSON.parse(text) as { error: Record<string, unknown> };
  expect(body.error.code).toBe(code);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'request_id']);
  return body.error;
}

interface FailureCase {
  name: string;
  overrides: Partial<Env>;
  body: Record<string, unknown>;
  status: number;
  code: string;
  /** What the log line's detail says (the internal reason). */
  detail: RegExp;
  /** A token that must appear nowhere in the answer or the log. */
  secret?: string;
}

const instantCases: FailureCase[] = [
  {
    name: 'a refresh token Instant does not know (400 record-not-found)',
    overrides: instantEnv(instant),
    body: { refresh_token: crypto.randomUUID() },
    status: 401,
    code: 'invalid_token',
    detail: /token_rejected: instant: record-not-found/,
  },
  {
    name: 'a refresh token of another Instant app',
    overrides: instantEnv(instant),
    body: { refresh_token: instant.otherAppRefreshToken },
    status: 401,
    code: 'invalid_token',
    detail: /record-not-found/,
    secret: instant.otherAppRefreshToken,
  },
  {
    name: 'a refresh token that is not a UUID (400 param-malformed)',
    overrides: instantEnv(instant),
    body: { refresh_token: 'not-a-refresh-token-at-all' },
    status: 401,
    code: 'invalid_token',
    detail: /param-malformed/,
    secret: 'not-a-refresh-token-at-all',
  },
  {
    name: 'Instant answering 500',
    overrides: instantEnv(instant),
    body: { refresh_token: failingToken },
    status: 502,
    code: 'upstream_failed',
    detail: /provider_failed: instant: HTTP 500/,
  },
  {
    name: 'Instant down (nothing listens at INSTANT_API_URI)',
    overrides: { ...instantEnv(instant), INSTANT_API_URI: closedPort.url },
    body: { refresh_token: instant.refreshToken },
    status: 502,
    code: 'upstream_failed',
    detail: /provider_unreachable: instant/,
    secret: instant.refreshToken,
  },
  {
    name: 'Instant at a URL that is not its API (404 text)',
    overrides: { ...instantEnv(instant), INSTANT_API_URI: `${instant.apiUri}/not-instant` },
    body: { refresh_token: instant.refreshToken },
    status: 502,
    code: 'upstream_failed',
    detail: /provider_failed: instant: HTTP 404/,
  },
];

const supabaseCases: FailureCase[] = [
  {
    name: 'an access token signed with another key (403 bad_jwt)',
    overrides: supabaseEnv(supabase),
    body: { access_token: supabase.forgedAccessToken },
    status: 401,
    code: 'invalid_token',
    detail: /token_rejected: supabase: bad_jwt/,
    secret: supabase.forgedAccessToken,
  },
  {
    name: 'an expired access token (403 bad_jwt)',
    overrides: supabaseEnv(supabase),
    body: { access_token: supabase.expiredAccessToken },
    status: 401,
    code: 'invalid_token',
    detail: /bad_jwt/,
  },
  {
    name: 'an access token of a deleted user (403 user_not_found)',
    overrides: supabaseEnv(supabase),
    body: { access_token: supabase.unknownUserAccessToken },
    status: 401,
    code: 'invalid_token',
    detail: /user_not_found/,
  },
  {
    name: 'a wrong SUPABASE_ANON_KEY (the gateway answers 401 without error_code): our fault, not the token',
    overrides: { ...supabaseEnv(supabase), SUPABASE_ANON_KEY: 'wrong-key' },
    body: { access_token: supabase.accessToken },
    status: 502,
    code: 'upstream_failed',
    detail: /provider_failed: supabase: HTTP 401/,
    secret: supabase.accessToken,
  },
  {
    name: 'Supabase answering 500',
    overrides: supabaseEnv(supabase),
    body: { access_token: failingToken },
    status: 502,
    code: 'upstream_failed',
    detail: /provider_failed: supabase: HTTP 500 unexpected_failure/,
  },
  {
    name: 'Supabase down (nothing listens at SUPABASE_URL)',
    overrides: { ...supabaseEnv(supabase), SUPABASE_URL: closedPort.url },
    body: { access_token: supabase.accessToken },
    status: 502,
    code: 'upstream_failed',
    detail: /provider_unreachable: supabase/,
  },
];

describe.each([
  ['InstantDB', instantCases],
  ['Supabase', supabaseCases],
] as const)('%s refusals and failures', (_provider, cases) => {
  it.each(cases)('$name -> $status $code', async (failure) => {
    const { result: response, logs } = await captureLogs(() => callWorker(sessionRequest(failure.body), failure.overrides));
    const error = await expectRefusal(response, failure.status, failure.code);
    const line = requestLogLine(logs);
    expect(line).toMatchObject({ route: '/auth/session', status: failure.status });
    expect(line.detail).toMatch(failure.detail);
    expect(line).not.toHaveProperty('user_id');
    if (failure.secret) {
      expect(JSON.stringify(error)).not.toContain(failure.secret);
      expect(logs.join('\n')).not.toContain(failure.secret);
    }
  });
});

describe('a slow identity provider', () => {
  const cases = [
    { provider: 'instant', overrides: instantEnv(instant), body: { refresh_token: slowToken } },
    { provider: 'supabase', overrides: supabaseEnv(supabase), body: { access_token: slowToken } },
  ];

  it.each(cases)(
    '$provider: gives up after PROVIDER_TIMEOUT_MS with 502, long before the provider answers',
    async ({ overrides, body }) => {
      const started = Date.now();
      const { result: response, logs } = await captureLogs(() =>
        callWorker(sessionRequest(body), { ...overrides, PROVIDER_TIMEOUT_MS: '200' }),
      );
      const elapsed = Date.now() - started;
      await expectRefusal(response, 502, 'upstream_failed');
      expect(requestLogLine(logs).detail).toMatch(/provider_timeout/);
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(slowResponseMs);
    },
  );
});

describe('misconfigured provider settings', () => {
  it.each([
    ['an empty INSTANT_APP_ID', { ...instantEnv(instant), INSTANT_APP_ID: '' }, { refresh_token: instant.refreshToken }],
    [
      'an INSTANT_API_URI that is not a URL',
      { ...instantEnv(instant), INSTANT_API_URI: 'not a url' },
      { refresh_token: instant.refreshToken },
    ],
    ['no SUPABASE_ANON_KEY', { ...supabaseEnv(supabase), SUPABASE_ANON_KEY: '' }, { access_token: supabase.accessToken }],
    [
      'a SUPABASE_URL that is not a URL',
      { ...supabaseEnv(supabase), SUPABASE_URL: 'abcd.supabase.co' },
      { access_token: supabase.accessToken },
    ],
    ['an unknown IDENTITY_PROVIDER', { IDENTITY_PROVIDER: 'auth0' }, { refresh_token: instant.refreshToken }],
  ] as const)('%s -> 500 misconfigured', async (_name, overrides, body) => {
    const { result: response, logs } = await captureLogs(() => callWorker(sessionRequest(body), overrides));
    await expectRefusal(response, 500, 'misconfigured');
    expect(requestLogLine(logs).detail).toMatch(/^misconfigured: /);
  });
});
