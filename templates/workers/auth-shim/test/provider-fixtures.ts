/**
 * What the stand-in identity providers know, shared by the Node side (test/support/, which starts them) and the
 * tests inside workerd (which receive it through vitest's `inject`). Plain data only: no Node or Workers APIs.
 */

/** A user as the session response shows it. */
export interface FixtureUser {
  id: string;
  email?: string;
}

/** Tokens the stand-ins answer to in a special way, whatever the provider. */
export const slowToken = 'stand-in-slow-token';
export const failingToken = 'stand-in-failing-token';
/** How long the stand-ins wait before answering `slowToken`; the Worker's timeout in tests is far shorter. */
export const slowResponseMs = 3_000;

/** The InstantDB stand-in's app and users, made fresh for every test run. */
export interface InstantFixture {
  apiUri: string;
  appId: string;
  /** A refresh token (a UUID, like Instant's) for `user`. */
  refreshToken: string;
  user: Required<FixtureUser>;
  /** A guest user's refresh token: Instant guests have no email. */
  guestRefreshToken: string;
  guest: FixtureUser;
  /** A valid refresh token of another app: Instant must refuse it for this app. */
  otherAppRefreshToken: string;
}

/** The Supabase stand-in's project and access tokens, made fresh for every test run. */
export interface SupabaseFixture {
  url: string;
  anonKey: string;
  /** An HS256 access token signed by the stand-in, valid for an hour. */
  accessToken: string;
  user: Required<FixtureUser>;
  /** Signed by the stand-in but expired. */
  expiredAccessToken: string;
  /** Signed with another key. */
  forgedAccessToken: string;
  /** Signed by the stand-in for a user it does not have. */
  unknownUserAccessToken: string;
}

/** Session keys the rendered vitest config passes to the Worker as bindings (generated per run, never committed). */
export interface SessionKeysFixture {
  hs256Secret: string;
  /** An Ed25519 private JWK with `kid`, as `SESSION_JWT_PRIVATE_JWK` holds it. */
  ed25519PrivateJwk: string;
}

/** An address nothing listens on (a port the test run opened and closed): the provider is down. */
export interface ClosedPortFixture {
  url: string;
}
