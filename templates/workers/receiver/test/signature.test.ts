import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decodeSigningSecret, signRequest, verifySignature } from '../src/lib/webhook-signature.js';
import { webhookSignatureVectors } from './fixtures/webhook-vectors.js';

// The published vector and its negative cases (../shared/vectors, copied verbatim into the fixture).
const vectors = webhookSignatureVectors.standard_webhooks;
const vector = vectors.published_vectors[0];
type Case = {
  name: string;
  'webhook-signature'?: string;
  junk_entries?: readonly string[];
  payload?: string;
  msg_id?: string;
  header?: string;
  verify_at_unix_time?: number;
};
const find = (cases: readonly Case[], name: string) => {
  const found = cases.find((entry) => entry.name.startsWith(name));
  if (!found) throw new Error(`no vector named ${name}`);
  return found;
};
const negative = (name: string) => find(vectors.published_negative_cases_from_tests, name);
const computed = (name: string) => find(vectors.computed_NOT_published, name);

const headersOf = (signature: string, id: string = vector.msg_id, timestamp: string | number = vector.timestamp) =>
  new Headers({ 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature });
const verifyAt = (headers: Headers, payload: string = vector.payload, at: number = vector.timestamp, secrets: string[] = [vector.secret]) =>
  verifySignature(secrets, headers, payload, at);

describe('Standard Webhooks signatures: the published vectors', () => {
  it('signs the published vector exactly', async () => {
    const signed = await signRequest([vector.secret], vector.msg_id, vector.timestamp, vector.payload);
    expect(signed).toEqual({
      ok: true,
      headers: {
        'webhook-id': vector.msg_id,
        'webhook-timestamp': String(vector.timestamp),
        'webhook-signature': vector.expected_signature_header_value,
      },
    });
  });

  it('verifies it at its time, up to 300 s either side, and refuses it 301 s later or earlier', async () => {
    const headers = headersOf(vector.expected_signature_header_value);
    expect(await verifyAt(headers)).toEqual({ ok: true, id: vector.msg_id, timestamp: vector.timestamp });
    expect(await verifyAt(headers, vector.payload, vector.timestamp + 300)).toMatchObject({ ok: true });
    expect(await verifyAt(headers, vector.payload, vector.timestamp - 300)).toMatchObject({ ok: true });
    expect(await verifyAt(headers, vector.payload, vector.timestamp + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(await verifyAt(headers, vector.payload, vector.timestamp - 301)).toEqual({ ok: false, reason: 'future' });
  });

  it('refuses the published negative cases', async () => {
    expect(await verifyAt(headersOf(negative('invalid signature')['webhook-signature']!))).toEqual({ ok: false, reason: 'bad_signature' });
    for (const missing of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers = headersOf(vector.expected_signature_header_value);
      headers.delete(missing);
      expect(await verifyAt(headers), missing).toEqual({ ok: false, reason: 'missing_headers' });
    }
    expect(await verifyAt(headersOf(vector.expected_signature_header_value, vector.msg_id, 'hello'))).toEqual({
      ok: false,
      reason: 'bad_timestamp',
    });
  });

  it('accepts the multi-signature header (junk v1, a v2, the valid one, junk v1) and the rotation header', async () => {
    const [junk, otherVersion] = negative('multi-sig').junk_entries!;
    const mixed = [junk, otherVersion, vector.expected_signature_header_value, junk].join(' ');
    expect(await verifyAt(headersOf(mixed))).toMatchObject({ ok: true });
    const rotation = computed('multi-signature header');
    expect(await verifyAt(headersOf(rotation.header!), vector.payload, rotation.verify_at_unix_time!)).toMatchObject({ ok: true });
  });

  it('refuses the computed tampered body and tampered id', async () => {
    const body = computed('body tampered');
    expect(await verifyAt(headersOf(body['webhook-signature']!), body.payload!)).toEqual({ ok: false, reason: 'bad_signature' });
    const id = computed('same sig, different msg id');
    expect(await verifyAt(headersOf(id['webhook-signature']!, id.msg_id!))).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature of another version only, and the right value under v1a', async () => {
    const value = vector.expected_signature_header_value.slice('v1,'.length);
    for (const header of [`v2,${value}`, `v1a,${value}`, `V1,${value}`, value, `v1,${value.slice(0, -2)}`, '']) {
      expect(await verifyAt(headersOf(header)), header).toMatchObject({ ok: false });
    }
  });

  it('refuses empty and unusable secrets as misconfiguration, and accepts unpadded base64 as the references do', async () => {
    const headers = headersOf(vector.expected_signature_header_value);
    expect(await verifyAt(headers, vector.payload, vector.timestamp, [])).toEqual({ ok: false, reason: 'no_secret' });
    for (const secret of ['whsec_', 'whsec_not base64!', 'whsec_c2hvcnQ=']) {
      expect(await verifyAt(headers, vector.payload, vector.timestamp, [secret]), secret).toEqual({ ok: false, reason: 'bad_secret' });
      expect(await signRequest([secret], 'msg_1', vector.timestamp, '{}')).toEqual({ ok: false, reason: 'bad_secret' });
    }
    for (const secret of ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr']) {
      expect(decodeSigningSecret(secret)).not.toBeNull();
      const signed = await signRequest([secret], vector.msg_id, vector.timestamp, vector.payload);
      if (!signed.ok) throw new Error(signed.reason);
      expect(signed.headers['webhook-signature']).toBe(
        new Webhook(secret).sign(vector.msg_id, new Date(vector.timestamp * 1000), vector.payload),
      );
    }
  });
});

describe('interop with the standardwebhooks reference library, both directions', () => {
  const secrets = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_dGVzdC1vbmx5LXNlY29uZC1zZWNyZXQtMDEyMzQ1Njc4OQ=='];
  const bodies = ['{}', '{"action":"ping","n":1}', JSON.stringify({ text: 'héllo ✓ 🔑', nested: { a: [1, 2, 3] } }), 'not json at all', ''];

  it('our signatures verify with the reference library, one entry per secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const body of bodies) {
      const signed = await signRequest(secrets, `msg_${crypto.randomUUID()}`, now, body);
      if (!signed.ok) throw new Error(signed.reason);
      expect(signed.headers['webhook-signature']!.split(' ')).toHaveLength(2);
      for (const secret of secrets)
        expect(() => new Webhook(secret).verify(body, signed.headers, { jsonParse: false }), body).not.toThrow();
    }
  });

  it("the reference library's signatures verify here, as strings and as raw bytes", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const body of bodies) {
      for (const secret of secrets) {
        const id = `msg_${crypto.randomUUID()}`;
        const headers = new Headers({
          'webhook-id': id,
          'webhook-timestamp': String(now),
          'webhook-signature': new Webhook(secret).sign(id, new Date(now * 1000), body),
        });
        expect(await verifySignature(secrets, headers, body), body).toEqual({ ok: true, id, timestamp: now });
        expect(await verifySignature([secret], headers, new TextEncoder().encode(body))).toMatchObject({ ok: true });
      }
    }
  });

  it('both sides refuse what the other signed with a secret it does not hold', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signed = await signRequest([secrets[1]!], 'msg_x', now, '{}');
    if (!signed.ok) throw new Error(signed.reason);
    expect(() => new Webhook(secrets[0]!).verify('{}', signed.headers)).toThrow('No matching signature found');
    const theirs = new Headers({
      'webhook-id': 'msg_y',
      'webhook-timestamp': String(now),
      'webhook-signature': new Webhook(secrets[0]!).sign('msg_y', new Date(now * 1000), '{}'),
    });
    expect(await verifySignature([secrets[1]!], theirs, '{}')).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

describe('stricter than the references where it costs nothing', () => {
  it('refuses timestamps that are not plain digits (parseInt would take "1614265330abc")', async () => {
    for (const timestamp of ['1614265330abc', '-1', '1.6e9', '0x603835F2']) {
      const headers = headersOf(vector.expected_signature_header_value, vector.msg_id, timestamp);
      expect(await verifyAt(headers), timestamp).toMatchObject({ ok: false });
    }
  });

  it('refuses ids with spaces or control characters, and ids over 256 characters', async () => {
    for (const id of ['msg 1', 'msg\t1', 'x'.repeat(257)]) {
      expect(await verifyAt(headersOf(vector.expected_signature_header_value, id)), id.slice(0, 10)).toEqual({
        ok: false,
        reason: 'bad_id',
      });
    }
  });

  it('tries at most 16 entries of a signature header', async () => {
    const padding = Array.from({ length: 16 }, () => 'v1,AAAA').join(' ');
    expect(await verifyAt(headersOf(`${padding} ${vector.expected_signature_header_value}`))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(await verifyAt(headersOf(`${vector.expected_signature_header_value} ${padding}`))).toMatchObject({ ok: true });
  });
});
