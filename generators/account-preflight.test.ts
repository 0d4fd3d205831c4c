import { describe, expect, it } from 'vitest';
import { defaultAnswers } from './answers.js';
import { bindsR2, checkAccount } from './account-preflight.js';
import { manifestFromAnswers } from './manifest-defaults.js';

const accountId = 'e1a1e1a1e1a1e1a1e1a1e1a1e1a1e1a1';
const ready = { accountId, subdomain: { ok: true as const, result: { subdomain: 'shop' } }, r2: { ok: true as const, result: [] } };

describe('checkAccount', () => {
  it('finds nothing on an account with a subdomain and R2', () => {
    expect(checkAccount(ready)).toEqual([]);
  });

  it('names a missing workers.dev subdomain, answered as 10007 or as an empty one', () => {
    const missing = checkAccount({ ...ready, subdomain: { ok: false, status: 404, code: 10007, message: 'no subdomain' } });
    expect(missing).toEqual([
      expect.objectContaining({
        name: 'workers.dev subdomain',
        message: `account ${accountId} has no workers.dev subdomain, so wrangler cannot give the Workers their URLs`,
      }),
    ]);
    expect(checkAccount({ ...ready, subdomain: { ok: true, result: { subdomain: null } } }).map((problem) => problem.name)).toEqual([
      'workers.dev subdomain',
    ]);
  });

  it('names R2 not enabled (10042) apart from a token that may not list buckets', () => {
    const disabled = checkAccount({
      ...ready,
      r2: { ok: false, status: 403, code: 10042, message: 'Please enable R2 through the Cloudflare Dashboard.' },
    });
    expect(disabled[0]!.message).toBe(`R2 is not enabled on account ${accountId}, and the api Worker binds a bucket`);
    const forbidden = checkAccount({ ...ready, r2: { ok: false, status: 403, code: 10000, message: 'Authentication error' } });
    expect(forbidden[0]).toMatchObject({
      message: "the account's R2 buckets could not be listed (code 10000: Authentication error)",
      fix: 'give the API token Account > Workers R2 Storage: Edit',
    });
  });

  it('does not ask about R2 when no Worker of the deploy binds a bucket', () => {
    const manifest = manifestFromAnswers(defaultAnswers('shop'));
    expect(bindsR2(manifest, ['sender', 'receiver', 'auth-shim'])).toBe(false);
    expect(bindsR2(manifest, ['api'])).toBe(true);
    expect(checkAccount({ accountId, subdomain: ready.subdomain })).toEqual([]);
  });

  it('with `wrangler login` (no subdomain asked: wrangler offers one at the terminal) still names R2 not enabled', () => {
    const r2 = { ok: false as const, status: 0, code: 10042, message: 'Please enable R2 through the Cloudflare Dashboard.' };
    expect(checkAccount({ accountId, r2 }).map((problem) => problem.name)).toEqual(['R2']);
    expect(checkAccount({ accountId, r2: { ok: true, result: null } })).toEqual([]);
  });
});
