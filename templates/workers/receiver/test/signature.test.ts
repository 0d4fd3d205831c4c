import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signatureHeaders, verifySignature } from '../src/lib/webhook-signature.js';
import { invalidSignature, junkEntries, otherMsgId, publishedVector as vector, rotationHeader, tamperedPayload } from './fixtures/webhook-vectors.js';

const headersOf = (signature: string, id: string = vector.msgId, timestamp: number = vector.timestamp) =>
  new Headers({ 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature });

describe('Standard Webhooks signatures', () => {
  it('signs the published vector exactly', () => {
    expect(signatureHeaders([vector.secret], vector.msgId, vector.timestamp, vector.payload)['webhook-signature']).toBe(vector.signature);
  });

  it('verifies the published vector at its time, and refuses it 301 s later or earlier', () => {
    expect(verifySignature([vector.secret], headersOf(vector.signature), vector.payload, vector.timestamp)).toMatchObject({ ok: true });
    expect(verifySignature([vector.secret], headersOf(vector.signature), vector.payload, vector.timestamp + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature([vector.secret], headersOf(vector.signature), vector.payload, vector.timestamp - 301)).toEqual({ ok: false, reason: 'future' });
  });

  it('refuses the published negative cases', () => {
    const at = vector.timestamp;
    expect(verifySignature([vector.secret], headersOf(invalidSignature), vector.payload, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifySignature([vector.secret], headersOf(vector.signature), tamperedPayload, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifySignature([vector.secret], headersOf(vector.signature, otherMsgId), vector.payload, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifySignature([vector.secret], new Headers({ 'webhook-id': vector.msgId }), vector.payload, at)).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('tries every v1 entry and ignores other versions', () => {
    const at = vector.timestamp;
    expect(verifySignature([vector.secret], headersOf(rotationHeader), vector.payload, at)).toMatchObject({ ok: true });
    const mixed = [junkEntries[0], junkEntries[1], vector.signature, junkEntries[0]].join(' ');
    expect(verifySignature([vector.secret], headersOf(mixed), vector.payload, at)).toMatchObject({ ok: true });
    expect(verifySignature([vector.secret], headersOf(vector.signature.replace('v1,', 'v2,')), vector.payload, at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('produces headers the reference library verifies, one signature per secret', () => {
    const secrets = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_dGVzdC1vbmx5LXNlY29uZC1zZWNyZXQtMDEyMzQ1Njc4OQ=='];
    const body = JSON.stringify({ action: 'ping' });
    const headers = signatureHeaders(secrets, 'msg_interop', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of secrets) expect(new Webhook(secret).verify(body, headers)).toEqual({ action: 'ping' });
  });
});
