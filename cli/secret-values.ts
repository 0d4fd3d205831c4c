import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';

/** An Ed25519 private JWK with its RFC 7638 thumbprint as `kid`, as the auth shim signs with. */
export function generateEd25519Jwk(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; d: string };
  const thumbprint = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest('base64url');
  // created_at lets the auth shim sign with the newer of two keys during a rotation.
  return JSON.stringify({
    kty: jwk.kty,
    crv: jwk.crv,
    x: jwk.x,
    d: jwk.d,
    kid: thumbprint,
    alg: 'EdDSA',
    use: 'sig',
    created_at: Math.floor(Date.now() / 1000),
  });
}

/**
 * A fresh value for a secret appshell generates: 32 random bytes in the form the Worker reads — a Standard
 * Webhooks `whsec_` secret for signing, an Ed25519 JWK for EdDSA sessions, `hs256_<unix seconds>_<base64url>` for
 * the HS256 session key (the time lets the auth shim sign with the newer of two slots), base64url otherwise.
 */
export function generateSecretValue(name: string): string {
  if (name === 'SIGNING_SECRETS') return `whsec_${randomBytes(32).toString('base64')}`;
  if (name === 'SESSION_JWT_PRIVATE_JWK') return generateEd25519Jwk();
  if (name === 'SESSION_JWT_SECRET') return `hs256_${Math.floor(Date.now() / 1000)}_${randomBytes(32).toString('base64url')}`;
  return randomBytes(32).toString('base64url');
}
