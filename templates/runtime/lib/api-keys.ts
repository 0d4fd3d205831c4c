/**
 * API keys for apps and scripts: `obtk_` + 32 random bytes (base64url). Only the SHA-256 of a key is stored, in
 * the KV namespace `API_KEYS` that the receiver (which provisions keys) and the api Worker (which accepts them)
 * both bind. The key itself is shown once, when it is created.
 */
export const apiKeyPrefix = 'obtk_';

/** The bindings this module reads. */
export interface ApiKeysEnv {
  API_KEYS: KVNamespace;
}

export interface ApiKeyRecord {
  keyId: string;
  userId: string;
  tenant?: string;
  name: string;
  tier: string;
  /** The first characters of the key, to recognise it in a list; not enough to use it. */
  prefix: string;
  created_at: string;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

const recordKey = (hash: string) => `key:${hash}`;
const ownerKey = (userId: string, keyId: string) => `owner:${userId}:${keyId}`;

/**
 * Creates a key for a user; returns the key (shown once) and what is stored.
 *
 * @example
 * const { token, record } = await createApiKey(env, { userId: auth.userId, name: 'CI', tier: 'free' });
 */
export async function createApiKey(
  env: ApiKeysEnv,
  owner: { userId: string; tenant?: string; name: string; tier: string },
): Promise<{ token: string; record: ApiKeyRecord }> {
  const token = `${apiKeyPrefix}${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const hash = await sha256Hex(token);
  const record: ApiKeyRecord = {
    keyId: `key_${base64url(crypto.getRandomValues(new Uint8Array(9)))}`,
    userId: owner.userId,
    ...(owner.tenant ? { tenant: owner.tenant } : {}),
    name: owner.name,
    tier: owner.tier,
    prefix: token.slice(0, apiKeyPrefix.length + 6),
    created_at: new Date().toISOString(),
  };
  await env.API_KEYS.put(recordKey(hash), JSON.stringify(record));
  await env.API_KEYS.put(ownerKey(owner.userId, record.keyId), hash);
  return { token, record };
}

/** The record of a key, or null for an unknown (or deleted) key. Well-formed keys only reach KV. */
export async function lookupApiKey(env: ApiKeysEnv, token: string): Promise<ApiKeyRecord | null> {
  if (!/^obtk_[A-Za-z0-9_-]{43}$/.test(token)) return null;
  return env.API_KEYS.get<ApiKeyRecord>(recordKey(await sha256Hex(token)), 'json');
}

/** Deletes one of a user's keys; false when the user has no such key. */
export async function revokeApiKey(env: ApiKeysEnv, userId: string, keyId: string): Promise<boolean> {
  const hash = await env.API_KEYS.get(ownerKey(userId, keyId));
  if (!hash) return false;
  await env.API_KEYS.delete(recordKey(hash));
  await env.API_KEYS.delete(ownerKey(userId, keyId));
  return true;
}
