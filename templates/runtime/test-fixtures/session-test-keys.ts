// TEST-ONLY Ed25519 key pair for the api tests when the project uses EdDSA session tokens: vitest.config.ts
// serves `publicJwk` from a stand-in auth shim (the AUTH_SHIM binding) and the tests sign with `privateJwk`.
// It protects nothing; never use it outside tests.
export const testSessionKeys = {
  kid: 'test-ed25519-1',
  privateJwk: {
    crv: 'Ed25519',
    d: 'cWRI-FZJr2Z4zbJ5oVre6WjkEvaNKw0SAPfia6x-54s',
    x: '3dtH_vfYdKSjdtTcxOFa1MjsSVRNDbxzwBy1Olv7hKY',
    kty: 'OKP',
    kid: 'test-ed25519-1',
    alg: 'EdDSA',
    use: 'sig',
  },
  publicJwk: {
    crv: 'Ed25519',
    x: '3dtH_vfYdKSjdtTcxOFa1MjsSVRNDbxzwBy1Olv7hKY',
    kty: 'OKP',
    kid: 'test-ed25519-1',
    alg: 'EdDSA',
    use: 'sig',
  },
};

// TEST-ONLY HS256 secret, given to the Worker as SESSION_JWT_SECRET by vitest.config.ts (never deployed).
export const testSessionSecret = 'test-only-session-secret-do-not-deploy-0123456789';
