import { randomBytes, randomInt } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signRequest, verifySignature } from '../templates/runtime/lib/webhook-signature.js';
import { webhookSignatureVectors } from '../templates/workers/receiver/test/fixtures/webhook-vectors.js';

// The Workers' Standard Webhooks module against the reference library in the library's home, Node, both ways,
// on random secrets, ids and bodies (the receiver's workerd tests do the same with fixed cases). The module
// needs only WebCrypto, atob and btoa, which Node 20 has as globals.

const vector = webhookSignatureVectors.standard_webhooks.published_vectors[0];

function randomBody(): string {
  const pieces = [
    '{"action":"ping"}',
    'héllo',
    '✓',
    '🔑',
    '"quoted"',
    '\\',
    '\n',
    ' ',
    'a'.repeat(randomInt(0, 2000)),
    '{"nested":{"x":[1,2,3]}}',
  ];
  return Array.from({ length: randomInt(0, 12) }, () => pieces[randomInt(0, pieces.length)]).join('');
}

function randomSecret(): string {
  const encoded = randomBytes(randomInt(16, 65)).toString('base64');
  // The references accept the secret with or without `whsec_`, and base64 with or without padding.
  const unpadded = randomInt(0, 2) === 0 ? encoded.replace(/=+$/, '') : encoded;
  return randomInt(0, 4) === 0 ? unpadded : `whsec_${unpadded}`;
}

const randomId = () => `msg_${randomBytes(randomInt(4, 24)).toString('hex')}`;

describe('webhook signatures in Node: this module and standardwebhooks agree', () => {
  it('signs the published vector as the reference does', async () => {
    const signed = await signRequest([vector.secret], vector.msg_id, vector.timestamp, vector.payload);
    expect(signed).toMatchObject({ ok: true, headers: { 'webhook-signature': vector.expected_signature_header_value } });
    expect(new Webhook(vector.secret).sign(vector.msg_id, new Date(vector.timestamp * 1000), vector.payload)).toBe(
      vector.expected_signature_header_value,
    );
  });

  it('200 random requests signed here verify with the reference library, with every secret', async () => {
    for (let round = 0; round < 200; round += 1) {
      const secrets = Array.from({ length: randomInt(1, 4) }, randomSecret);
      const body = randomBody();
      const signed = await signRequest(secrets, randomId(), Math.floor(Date.now() / 1000) - randomInt(0, 290), body);
      if (!signed.ok) throw new Error(`${signed.reason} for ${secrets.join(' ')}`);
      for (const secret of secrets) expect(() => new Webhook(secret).verify(body, signed.headers, { jsonParse: false })).not.toThrow();
    }
  });

  it('200 random requests signed by the reference library verify here, and fail with one byte changed', async () => {
    for (let round = 0; round < 200; round += 1) {
      const secret = randomSecret();
      const body = randomBody();
      const id = randomId();
      const timestamp = Math.floor(Date.now() / 1000) + randomInt(-290, 290);
      const headers = new Headers({
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': new Webhook(secret).sign(id, new Date(timestamp * 1000), body),
      });
      expect(await verifySignature([randomSecret(), secret], headers, body)).toEqual({ ok: true, id, timestamp });
      expect(await verifySignature([secret], headers, `${body}x`)).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it('agrees with the reference library on the timestamp window (300 s both ways)', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const now = Math.floor(Date.now() / 1000);
    // ±299 s and ±302 s: far enough from the edge that the second the two checks read the clock does not matter.
    for (const offset of [-302, -299, 0, 299, 302]) {
      const signed = await signRequest([secret], randomId(), now + offset, '{}');
      if (!signed.ok) throw new Error(signed.reason);
      const ours = (await verifySignature([secret], new Headers(signed.headers), '{}')).ok;
      let theirs = true;
      try {
        new Webhook(secret).verify('{}', signed.headers);
      } catch {
        theirs = false;
      }
      expect({ offset, ours }).toEqual({ offset, ours: theirs });
      expect(ours).toBe(Math.abs(offset) <= 300);
    }
  });
});
