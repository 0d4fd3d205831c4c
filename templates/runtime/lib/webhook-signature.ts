import { Webhook } from 'standardwebhooks';

/**
 * Signed requests between Workers, per the Standard Webhooks specification: headers `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * space-separated, one entry per active secret), secrets in the `whsec_<base64>` form.
 *
 * The HMAC is the reference library's (`standardwebhooks`), so signatures agree with every other implementation
 * by construction. Around it this module adds what the Workers need: several secrets at once (rotation), a clock
 * the tests can set, fail-closed checks on secrets, ids and header size, and tagged results instead of
 * exceptions; callers map a failure to one generic error and log the reason.
 */
export const signatureToleranceSeconds = 300;

export type SigningFailure = 'no_secret' | 'bad_secret';
export type SignatureFailure =
  | SigningFailure
  | 'missing_headers'
  | 'bad_id'
  | 'bad_body'
  | 'bad_timestamp'
  | 'stale'
  | 'future'
  | 'bad_signature';
export type SignatureCheck = { ok: true; id: string; timestamp: number } | { ok: false; reason: SignatureFailure };
export type SigningResult = { ok: true; headers: Record<string, string> } | { ok: false; reason: SigningFailure };

/** The bindings this module reads: two slots, so that `appshell secrets --rotate` can add a key beside the old. */
export interface SigningEnv {
  /** One or more `whsec_...` secrets separated by spaces. */
  SIGNING_SECRETS?: string;
  /** Set during a rotation (or after one finished): its secrets count as much as `SIGNING_SECRETS`. */
  SIGNING_SECRETS_NEXT?: string;
}

/** A key shorter than this is a placeholder or a typo, not a secret: refused as misconfiguration (fail closed). */
const minimumKeyBytes = 16;
/** Rotation needs two or three entries; a header with more is not worth the work of trying them all. */
const maximumSignatureEntries = 16;
/** Printable ASCII without spaces: the id names a Durable Object and must not smuggle separators. */
const idPattern = /^[\x21-\x7e]{1,256}$/;

/** `SIGNING_SECRETS`: one or more `whsec_...` secrets separated by spaces; the newest usually comes first. */
export function parseSigningSecrets(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((secret) => secret.length > 0);
}

/** Every active signing secret, from both slots: the sender signs with all, the receiver accepts any. */
export function signingSecretsFromEnv(env: SigningEnv): string[] {
  return [...new Set([...parseSigningSecrets(env.SIGNING_SECRETS), ...parseSigningSecrets(env.SIGNING_SECRETS_NEXT)])];
}

/** The HMAC key of a secret (`whsec_` prefix optional, base64 with or without padding), or null if it is unusable. */
export function decodeSigningSecret(secret: string): Uint8Array | null {
  const bytes = decodeBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  return bytes && bytes.byteLength >= minimumKeyBytes ? bytes : null;
}

/**
 * Signs one request with every secret: the three headers to send, with one `v1` entry per secret so that a
 * receiver holding any of them accepts it (that is how keys rotate without downtime). Sign once and reuse the
 * headers for retries: the receiver's one-time check then makes a retry harmless.
 *
 * @example
 * const signed = await signRequest(signingSecretsFromEnv(env), `msg_${crypto.randomUUID()}`, Math.floor(Date.now() / 1000), body);
 * if (!signed.ok) throw new ApiError(500, 'misconfigured', 'Server misconfigured');
 * await fetch(url, { method: 'POST', headers: signed.headers, body });
 */
export async function signRequest(secrets: readonly string[], id: string, timestamp: number, body: string): Promise<SigningResult> {
  const signers = webhookSigners(secrets);
  if (!signers.ok) return signers;
  if (!idPattern.test(id) || !Number.isSafeInteger(timestamp) || timestamp < 0) throw new TypeError('invalid webhook id or timestamp');
  const date = new Date(timestamp * 1000);
  const entries = signers.signers.map((signer) => signer.sign(id, date, body));
  return {
    ok: true,
    headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': entries.join(' ') },
  };
}

/**
 * Verifies a signed request as the reference libraries do: every `v1` entry is compared with the signature of
 * every secret in constant time, other versions are ignored, and the timestamp must be within 300 s of now in
 * both directions. Pass the body as received (bytes that are not UTF-8 are refused: the reference library signs
 * text). The caller then refuses a `webhook-id` it has already seen (the signature alone does not stop a replay
 * inside the window).
 *
 * @example
 * const check = await verifySignature(signingSecretsFromEnv(env), request.headers, new Uint8Array(await request.arrayBuffer()));
 * if (!check.ok) console.log(check.reason); // log it; the client only ever gets a generic 401
 */
export async function verifySignature(
  secrets: readonly string[],
  headers: Headers,
  body: string | Uint8Array,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<SignatureCheck> {
  const signers = webhookSigners(secrets);
  if (!signers.ok) return signers;
  const id = headers.get('webhook-id');
  const timestampText = headers.get('webhook-timestamp');
  const signature = headers.get('webhook-signature');
  if (!id || !timestampText || !signature) return { ok: false, reason: 'missing_headers' };
  if (!idPattern.test(id)) return { ok: false, reason: 'bad_id' };
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: 'bad_timestamp' };
  const timestamp = Number(timestampText);
  if (nowSeconds - timestamp > signatureToleranceSeconds) return { ok: false, reason: 'stale' };
  if (timestamp - nowSeconds > signatureToleranceSeconds) return { ok: false, reason: 'future' };

  const offered: Uint8Array[] = [];
  for (const entry of signature.split(' ').slice(0, maximumSignatureEntries)) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const bytes = decodeBase64(entry.slice(comma + 1));
    if (bytes) offered.push(bytes);
  }
  const text = bodyText(body);
  if (text === null) return { ok: false, reason: 'bad_body' };
  const date = new Date(timestamp * 1000);
  let matched = false;
  for (const signer of signers.signers) {
    const expected = decodeBase64(signer.sign(id, date, text).slice('v1,'.length))!;
    // No early exit: every pair is compared, so the time does not tell which secret or entry matched.
    for (const candidate of offered) matched = equalInConstantTime(candidate, expected) || matched;
  }
  return matched ? { ok: true, id, timestamp } : { ok: false, reason: 'bad_signature' };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // a BOM is part of the signed text;

function bodyText(body: string | Uint8Array): string | null {
  if (typeof body === 'string') return body;
  try {
    return strictUtf8.decode(body);
  } catch {
    return null;
  }
}

// A Worker sees the same one or two secrets on every request: their signers are made once per isolate.
const signerCache = new Map<string, Webhook>();

function webhookSigners(secrets: readonly string[]): { ok: true; signers: Webhook[] } | { ok: false; reason: SigningFailure } {
  if (secrets.length === 0) return { ok: false, reason: 'no_secret' };
  const signers: Webhook[] = [];
  for (const secret of secrets) {
    let signer = signerCache.get(secret);
    if (!signer) {
      if (!decodeSigningSecret(secret)) return { ok: false, reason: 'bad_secret' };
      try {
        signer = new Webhook(secret);
      } catch {
        return { ok: false, reason: 'bad_secret' };
      }
      if (signerCache.size >= 16) signerCache.clear();
      signerCache.set(secret, signer);
    }
    signers.push(signer);
  }
  return { ok: true, signers };
}

/** Compares two byte strings in time that depends only on their length (always 32 for a `v1` signature). */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let difference = 0;
  for (let index = 0; index < a.byteLength; index += 1) difference |= a[index]! ^ b[index]!;
  return difference === 0;
}

/** Standard base64 (padding optional, as the reference libraries accept); null for anything else. */
function decodeBase64(text: string): Uint8Array | null {
  if (text.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
  } catch {
    return null;
  }
}
