/**
 * API keys for apps and scripts: `obtk_` + 32 random bytes (base64url). Only the SHA-256 of a key is stored, in
 * the KV namespace `API_KEYS` that the receiver (which provisions keys) and the api Worker (which accepts them)
 * both bind. The key itself is shown once, when it is created.
 *
 * What a key is (DESIGN §4): it acts for the user who made it, with the tenant that user's session had then and at
 * most the roles that session had (only those asked for; none by default). Its tier names a quota (which tiers a
 * user may ask for is the operator's `apiKeys.tiers` in `appshell.json`); a tier is never a role. Every key expires
 * (`apiKeys.defaultTtlDays`, at most `apiKeys.maxTtlDays`) and stops working at once when revoked. It does not follow
 * later changes to its owner: removed from a tenant or a role, the user keeps working keys until they expire or are
 * revoked — keep the lifetime short where that matters.
 */
export const apiKeyPrefix = 'obtk_';

/** What `createApiKey` issues as `keyId`: `key_` + 9 random bytes, base64url. Anything else is refused unread. */
export const keyIdPattern = /^key_[A-Za-z0-9_-]{12}$/;

/** The bindings this module reads. */
export interface ApiKeysEnv {
  API_KEYS: KVNamespace;
}

/** What the owner sees of a key (`list-api-keys`): never the key, never its hash. */
export interface ApiKeySummary {
  keyId: string;
  name: string;
  tier: string;
  roles: string[];
  /** The first characters of the key, to recognise it in a list; not enough to use it. */
  prefix: string;
  created_at: string;
  expires_at: string;
  /** Which of the owner's key slots it holds (the per-user cap); freed when the key is revoked or expires. */
  slot: number;
}

export interface ApiKeyRecord extends ApiKeySummary {
  userId: string;
  tenant?: string;
}

export interface NewApiKey {
  userId: string;
  tenant?: string;
  name: string;
  tier: string;
  roles: readonly string[];
  expiresAt: Date;
  slot: number;
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
/** `/` can occur neither in a user id (the session verifier refuses it) nor in a key id, so one owner's index never
 * reaches into another's (`eve` cannot name `eve/ops`'s keys). */
const ownerPrefix = (userId: string) => `owner/${userId}/`;
const ownerKey = (userId: string, keyId: string) => `${ownerPrefix(userId)}${keyId}`;

/**
 * Creates a key for a user; returns the key (shown once) and what is stored. KV drops both entries when the key
 * expires (`expiration`), and lookups refuse it from that second on.
 *
 * @example
 * const { token, record } = await createApiKey(env, { userId, name: 'CI', tier: 'free', roles: [], expiresAt, slot: 0 });
 */
export async function createApiKey(env: ApiKeysEnv, owner: NewApiKey): Promise<{ token: string; record: ApiKeyRecord }> {
  const token = `${apiKeyPrefix}${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const hash = await sha256Hex(token);
  const summary: ApiKeySummary = {
    keyId: `key_${base64url(crypto.getRandomValues(new Uint8Array(9)))}`,
    name: owner.name,
    tier: owner.tier,
    roles: [...owner.roles],
    prefix: token.slice(0, apiKeyPrefix.length + 6),
    created_at: new Date().toISOString(),
    expires_at: owner.expiresAt.toISOString(),
    slot: owner.slot,
  };
  const record: ApiKeyRecord = { ...summary, userId: owner.userId, ...(owner.tenant ? { tenant: owner.tenant } : {}) };
  const expiration = Math.floor(owner.expiresAt.getTime() / 1000);
  await env.API_KEYS.put(recordKey(hash), JSON.stringify(record), { expiration });
  // The owner index: the hash as value, the summary as KV metadata, so that a list needs no reads.
  await env.API_KEYS.put(ownerKey(owner.userId, summary.keyId), hash, { expiration, metadata: summary });
  return { token, record };
}

/**
 * The record of a usable key, or null: unknown, revoked, expired, or made before keys had an expiry and roles of
 * their own (such a key is refused rather than trusted with what it was made with). Well-formed keys only reach KV.
 */
export async function lookupApiKey(env: ApiKeysEnv, token: string, now = Date.now()): Promise<ApiKeyRecord | null> {
  if (!/^obtk_[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const record = await env.API_KEYS.get<ApiKeyRecord>(recordKey(await sha256Hex(token)), 'json');
  if (!record || typeof record.expires_at !== 'string' || !Array.isArray(record.roles)) return null;
  const expiresAt = Date.parse(record.expires_at);
  return Number.isFinite(expiresAt) && now < expiresAt ? record : null;
}

/** Deletes one of a user's keys; answers what was deleted, or null when the user has no such key. */
export async function revokeApiKey(env: ApiKeysEnv, userId: string, keyId: string): Promise<ApiKeySummary | null> {
  if (!keyIdPattern.test(keyId)) return null;
  const { value: hash, metadata } = await env.API_KEYS.getWithMetadata<ApiKeySummary>(ownerKey(userId, keyId));
  if (!hash || !metadata) return null;
  await env.API_KEYS.delete(recordKey(hash));
  await env.API_KEYS.delete(ownerKey(userId, keyId));
  return metadata;
}

/** The user's keys that have not expired, newest first. */
export async function listApiKeys(env: ApiKeysEnv, userId: string, now = Date.now()): Promise<ApiKeySummary[]> {
  const keys: ApiKeySummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.API_KEYS.list<ApiKeySummary>({ prefix: ownerPrefix(userId), ...(cursor ? { cursor } : {}) });
    for (const { metadata } of page.keys) if (metadata && Date.parse(metadata.expires_at) > now) keys.push(metadata);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys.sort((a, b) => b.created_at.localeCompare(a.created_at));
}
