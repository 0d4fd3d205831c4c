import type { AuthContext } from '../lib/session-token.js';

/** Longest key a caller may give (relative to their prefix), in UTF-8 bytes. */
export const maxKeyBytes = 512;

/**
 * The caller's own prefix: `<tenant>/<userId>/` when the session carries a tenant, else `<userId>/`. Every
 * object a caller touches lives under it, so another caller's keys are simply not reachable.
 */
export function callerPrefix(auth: AuthContext): string {
  return auth.tenant ? `${auth.tenant}/${auth.userId}/` : `${auth.userId}/`;
}

export type KeyCheck = { ok: true; key: string } | { ok: false; reason: string };

/**
 * A key relative to the caller's prefix. Refused: empty, over 512 bytes, a leading `/`, backslashes, control
 * characters, empty or `.`/`..` segments, and percent-encoded forms of any of them.
 */
export function checkKey(key: string | undefined): KeyCheck {
  if (!key) return { ok: false, reason: 'empty key' };
  if (new TextEncoder().encode(key).byteLength > maxKeyBytes) return { ok: false, reason: 'key over 512 bytes' };
  let decoded = key;
  try {
    // Decode repeatedly so that %252e%252e is seen for what it becomes downstream.
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i += 1) decoded = decodeURIComponent(decoded);
  } catch {
    return { ok: false, reason: 'malformed percent-encoding' };
  }
  for (const candidate of [key, decoded]) {
    if (candidate.startsWith('/')) return { ok: false, reason: 'leading slash' };
    if (candidate.includes('\\')) return { ok: false, reason: 'backslash' };
    if (/[\u0000-\u001f\u007f]/.test(candidate)) return { ok: false, reason: 'control character' };
    if (candidate.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
      return { ok: false, reason: 'empty, . or .. segment' };
    }
  }
  return { ok: true, key };
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

/** `<yyyy>/<mm>/<timestamp>-<random>.<ext>`: a fresh key when the caller gives none. */
export function generateKey(contentType: string | undefined, now = new Date()): string {
  const random = [...crypto.getRandomValues(new Uint8Array(6))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  const extension = extensions[(contentType ?? '').split(';')[0]!.trim().toLowerCase()] ?? 'bin';
  return `${now.getUTCFullYear()}/${month}/${now.getTime()}-${random}.${extension}`;
}
