import { Webhook } from 'standardwebhooks';

/**
 * Signed requests between Workers, per the Standard Webhooks specification: headers `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * space-separated, one per active secret), secrets in the `whsec_<base64>` form. The HMAC itself is the
 * reference library's (`standardwebhooks`); this module adds what the Workers need around it: several secrets
 * for rotation, a clock that tests can set, and tagged results instead of exceptions.
 */
export const signatureToleranceSeconds = 300;

export type SignatureFailure = 'no_secret' | 'bad_secret' | 'missing_headers' | 'bad_timestamp' | 'stale' | 'future' | 'bad_signature';
export type SignatureCheck = { ok: true; id: string; timestamp: number } | { ok: false; reason: SignatureFailure };

/** `SIGNING_SECRETS`: one or more `whsec_...` secrets separated by spaces; the newest usually comes first. */
export function parseSigningSecrets(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((secret) => secret.length > 0);
}

/** The bindings this module reads: two slots, so that `appshell secrets --rotate` can add a key beside the old. */
export interface SigningEnv {
  SIGNING_SECRETS?: string;
  /** Set during a rotation (or after one finished): its secrets count as much as `SIGNING_SECRETS`. */
  SIGNING_SECRETS_NEXT?: string;
}

/** Every active signing secret, from both slots: the sender signs with all, the receiver accepts any. */
export function signingSecretsFromEnv(env: SigningEnv): string[] {
  return [...new Set([...parseSigningSecrets(env.SIGNING_SECRETS), ...parseSigningSecrets(env.SIGNING_SECRETS_NEXT)])];
}

/**
 * The three headers of a signed request, with one `v1` signature per secret so that a receiver holding any of
 * them accepts it (that is how keys rotate without downtime).
 *
 * @example
 * const headers = signatureHeaders(parseSigningSecrets(env.SIGNING_SECRETS), `msg_${crypto.randomUUID()}`, Math.floor(Date.now() / 1000), body);
 */
export function signatureHeaders(secrets: string[], id: string, timestamp: number, body: string): Record<string, string> {
  if (secrets.length === 0) throw new Error('no signing secret');
  const date = new Date(timestamp * 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, date, body)).join(' '),
  };
}

const encoder = new TextEncoder();

function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the time independent of where a differs.
  if (left.byteLength !== right.byteLength) {
    crypto.subtle.timingSafeEqual(right, right);
    return false;
  }
  return crypto.subtle.timingSafeEqual(left, right);
}

/**
 * Verifies a signed request as the reference libraries do: every `v1` entry is tried against every secret with a
 * constant-time compare, entries of other versions are ignored, and the timestamp must be within 300 s of now in
 * both directions. The caller refuses a `webhook-id` it has already seen.
 */
export function verifySignature(
  secrets: string[],
  headers: Headers,
  body: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (secrets.length === 0) return { ok: false, reason: 'no_secret' };
  const id = headers.get('webhook-id');
  const timestampText = headers.get('webhook-timestamp');
  const signature = headers.get('webhook-signature');
  if (!id || !timestampText || !signature) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: 'bad_timestamp' };
  const timestamp = Number(timestampText);
  if (nowSeconds - timestamp > signatureToleranceSeconds) return { ok: false, reason: 'stale' };
  if (timestamp - nowSeconds > signatureToleranceSeconds) return { ok: false, reason: 'future' };
  let signers: Webhook[];
  try {
    signers = secrets.map((secret) => new Webhook(secret));
  } catch {
    return { ok: false, reason: 'bad_secret' };
  }
  const date = new Date(timestamp * 1000);
  const offered = signature
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, value]) => version === 'v1' && value)
    .map(([, value]) => value!);
  let matched = false;
  for (const signer of signers) {
    const expected = signer.sign(id, date, body).slice('v1,'.length);
    // No early exit: every pair is compared, so the time does not tell which secret or entry matched.
    for (const candidate of offered) matched = constantTimeEqual(candidate, expected) || matched;
  }
  return matched ? { ok: true, id, timestamp } : { ok: false, reason: 'bad_signature' };
}
