// TEST-ONLY signing secrets (Standard Webhooks `whsec_` form): the current one, the one it replaces during a
// rotation, and one nobody trusts. Real values come from `appshell secrets`.
export const testSigningSecret = 'whsec_dGVzdC1vbmx5LXNpZ25pbmctc2VjcmV0LWN1cnJlbnQtMDEyMzQ1Njc4OQ==';
export const testPreviousSigningSecret = 'whsec_dGVzdC1vbmx5LXNpZ25pbmctc2VjcmV0LXByZXZpb3VzLTAxMjM0NTY3OA==';
export const untrustedSigningSecret = 'whsec_dGVzdC1vbmx5LXNpZ25pbmctc2VjcmV0LXVudHJ1c3RlZC0wMTIzNDU2Nzg=';
