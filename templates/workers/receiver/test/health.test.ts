import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('receiver runtime skeleton', () => {
  it('answers GET /health without auth', async () => {
    const response = await SELF.fetch('https://worker.test/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ ok: true, service: 'receiver' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers an unknown path with the 404 envelope', async () => {
    const response = await SELF.fetch('https://worker.test/no/such/path');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const response = await SELF.fetch('https://worker.test/health', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('GET');
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('method_not_allowed');
  });
});
