import type { AuthContext } from '../lib/session-token.js';

/** Longest key a caller may give (relative to their prefix), in UTF-8 bytes. */
export const maxKeyBytes = 512;

export type KeyCheck = { ok: true; key: string } | { ok: false; reason: string };
export type PrefixCheck = { ok: true; prefix: string } | { ok: false; reason: string };

/**
 * The caller's own prefix: `t/<tenant>/u/<userId>/` when the session carries a tenant, else `u/<userId>/`
 * (DESIGN §4). Every object a caller touches lives under it, so another caller's keys are simply not reachable.
 * The two forms can never overlap, whatever the names: a tenant-less prefix starts with `u/`, a tenant's with `t/`,
 * so a user named like a tenant (or the other way round) lands in a space of its own. The user id and the tenant
 * must each be one plain path segment: a `sub` of `a/b` would otherwise reach into someone else's space.
 *
 * Projects created before this layout kept objects under `<tenant>/<userId>/` and `<userId>/`: the generated
 * README says how to move them (`scripts/move-r2-objects.mjs`).
 *
 * @example
 * callerPrefix({ userId: 'u1', roles: [], tenant: 'acme' }); // { ok: true, prefix: 't/acme/u/u1/' }
 * callerPrefix({ userId: 'u1', roles: [] });                 // { ok: true, prefix: 'u/u1/' }
 */
export function callerPrefix(auth: AuthContext): PrefixCheck {
  for (const [name, segment] of [
    ['userId', auth.userId],
    ['tenant', auth.tenant],
  ] as const) {
    if (segment === undefined && name === 'tenant') continue;
    if (!segment || segment === '.' || segment === '..' || /[/\\\u0000-\u001f\u007f]/.test(segment)) {
      return { ok: false, reason: `${name} is not a single path segment` };
    }
  }
  return { ok: true, prefix: auth.tenant ? `t/${auth.tenant}/u/${auth.userId}/` : `u/${auth.userId}/` };
}

/** Undoes percent-encoding (up to three layers, so `%252e%252e` is seen for what it becomes downstream). */
function decodeLayers(value: string): string | undefined {
  let decoded = value;
  try {
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i += 1) decoded = decodeURIComponent(decoded);
  } catch {
    return undefined;
  }
  return decoded;
}

function checkPath(value: string, allowTrailingSlash: boolean): string | undefined {
  if (new TextEncoder().encode(value).byteLength > maxKeyBytes) return `over ${maxKeyBytes} bytes`;
  const decoded = decodeLayers(value);
  if (decoded === undefined) return 'malformed percent-encoding';
  for (const candidate of [value, decoded]) {
    if (candidate.startsWith('/')) return 'leading slash';
    if (candidate.includes('\\')) return 'backslash';
    if (/[\u0000-\u001f\u007f]/.test(candidate)) return 'control character';
    const segments = candidate.split('/');
    if (allowTrailingSlash && segments.at(-1) === '') segments.pop();
    if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return 'empty, . or .. segment';
  }
  return undefined;
}

/**
 * A key relative to the caller's prefix. Refused: empty, over 512 bytes, a leading `/`, backslashes, control
 * characters, empty or `.`/`..` segments, and percent-encoded forms of any of them.
 *
 * @example
 * checkKey('photos/me.png'); // { ok: true, key: 'photos/me.png' }
 * checkKey('../u2/me.png');  // { ok: false, reason: 'empty, . or .. segment' }
 */
export function checkKey(key: string | undefined): KeyCheck {
  if (!key) return { ok: false, reason: 'empty key' };
  const reason = checkPath(key, false);
  return reason ? { ok: false, reason } : { ok: true, key };
}

/** A listing prefix relative to the caller's prefix: empty, or the key rules with a trailing `/` allowed. */
export function checkListPrefix(prefix: string | undefined): KeyCheck {
  if (!prefix) return { ok: true, key: '' };
  const reason = checkPath(prefix, true);
  return reason ? { ok: false, reason } : { ok: true, key: prefix };
}

/** `type/subtype` with optional `; name=value` parameters: what may be stored and served back as Content-Type. */
export function isContentType(value: string): boolean {
  return value.length <= 200 && /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("?)[\w.+-]+\2)*$/.test(value);
}

const extensions: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'application/json': 'json',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
};

/**
 * `<yyyy>/<mm>/<timestamp>-<random>.<ext>`: a fresh key (relative to the caller's prefix) when the caller gives
 * none; the extension comes from the content type (`bin` when unknown).
 *
 * @example
 * generateKey('image/png'); // '2026/05/1779000000000-9f2c4e1a7b3d.png'
 */
export function generateKey(contentType: string | undefined, now = new Date()): string {
  const random = [...crypto.getRandomValues(new Uint8Array(6))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  const extension = extensions[(contentType ?? '').split(';')[0]!.trim().toLowerCase()] ?? 'bin';
  return `${now.getUTCFullYear()}/${month}/${now.getTime()}-${random}.${extension}`;
}
