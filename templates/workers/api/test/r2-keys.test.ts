import { describe, expect, it } from 'vitest';
import { parseRange } from '../src/r2/download.js';
import { callerPrefix, checkKey, checkListPrefix, generateKey, isContentType } from '../src/r2/keys.js';

describe('object keys (relative to the caller prefix)', () => {
  it.each([
    ['empty', ''],
    ['over 512 bytes', 'a'.repeat(513)],
    ['over 512 bytes in UTF-8 (257 two-byte characters)', 'é'.repeat(257)],
    ['a leading slash', '/abs'],
    ['a backslash', 'a\\b'],
    ['a .. segment', 'a/../b'],
    ['only ..', '..'],
    ['an empty segment', 'a//b'],
    ['a . segment', 'a/./b'],
    ['a trailing slash', 'dir/'],
    ['percent-encoded ..', '%2e%2e/x'],
    ['double percent-encoded ..', '%252e%252e/x'],
    ['percent-encoded slash and ..', 'x%2f..%2fy'],
    ['a percent-encoded leading slash', '%2fetc/passwd'],
    ['a percent-encoded backslash', 'a%5c..%5cb'],
    ['a tab', 'tab\there'],
    ['a NUL', 'nul\u0000'],
    ['a percent-encoded newline', 'line%0abreak'],
    ['DEL', 'del\u007f'],
    ['malformed percent-encoding', 'bad%e0%a4'],
  ])('refuses %s', (_name, key) => {
    expect(checkKey(key).ok).toBe(false);
  });

  it.each(['a.txt', 'photos/2024/me.png', 'naïve/ü.txt', 'a'.repeat(512), 'a b (1)!.png', '..hidden/x', 'x..y', '100%.txt'])(
    'accepts %j',
    (key) => {
      expect(checkKey(key)).toEqual({ ok: true, key });
    },
  );

  it('allows an empty or slash-ended listing prefix, with the same traversal rules', () => {
    expect(checkListPrefix(undefined)).toEqual({ ok: true, key: '' });
    expect(checkListPrefix('photos/')).toEqual({ ok: true, key: 'photos/' });
    expect(checkListPrefix('pho')).toEqual({ ok: true, key: 'pho' });
    for (const bad of ['../', '/x', '%2e%2e/', 'a//', 'a\\']) expect(checkListPrefix(bad).ok, bad).toBe(false);
  });

  it('generates <yyyy>/<mm>/<timestamp>-<random>.<ext> from the content type', () => {
    const now = new Date(Date.UTC(2026, 4, 7, 12));
    expect(generateKey('image/png', now)).toMatch(new RegExp(`^2026/05/${now.getTime()}-[0-9a-f]{12}\\.png$`));
    expect(generateKey('text/plain; charset=utf-8', now)).toMatch(/\.txt$/);
    expect(generateKey('application/x-unknown', now)).toMatch(/\.bin$/);
    expect(generateKey('image/png', now)).not.toBe(generateKey('image/png', now));
  });

  it('checks content types that will be served back', () => {
    for (const good of ['image/png', 'text/plain; charset=utf-8', 'application/vnd.api+json']) expect(isContentType(good), good).toBe(true);
    for (const bad of ['text/html\r\nx-evil: 1', 'png', 'a/b; x', '', `a/${'b'.repeat(200)}`]) expect(isContentType(bad), bad).toBe(false);
  });
});

describe('caller prefix', () => {
  it('is t/<tenant>/u/<userId>/ or u/<userId>/', () => {
    expect(callerPrefix({ userId: 'u1', roles: [] })).toEqual({ ok: true, prefix: 'u/u1/' });
    expect(callerPrefix({ userId: 'u1', roles: [], tenant: 'acme' })).toEqual({ ok: true, prefix: 't/acme/u/u1/' });
  });

  it.each([
    ['a slash in the user id', { userId: 'acme/u2', roles: [] }],
    ['a .. user id', { userId: '..', roles: [] }],
    ['an empty user id', { userId: '', roles: [] }],
    ['a slash in the tenant', { userId: 'u1', roles: [], tenant: 'a/b' }],
    ['an empty tenant', { userId: 'u1', roles: [], tenant: '' }],
    ['a backslash in the tenant', { userId: 'u1', roles: [], tenant: 'a\\b' }],
  ])('refuses %s', (_name, auth) => {
    expect(callerPrefix(auth).ok).toBe(false);
  });
});

describe('Range header', () => {
  it.each([
    ['bytes=2-5', { kind: 'range', range: { offset: 2, length: 4 } }],
    ['bytes=5-', { kind: 'range', range: { offset: 5, length: 5 } }],
    ['bytes=-3', { kind: 'range', range: { offset: 7, length: 3 } }],
    ['bytes=-30', { kind: 'range', range: { offset: 0, length: 10 } }],
    ['bytes=8-100', { kind: 'range', range: { offset: 8, length: 2 } }],
    ['bytes=10-', { kind: 'unsatisfiable' }],
    ['bytes=20-30', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-2', { kind: 'none' }],
    ['bytes=0-1,3-4', { kind: 'none' }],
    ['items=0-1', { kind: 'none' }],
    ['bytes=-', { kind: 'none' }],
  ])('%s of 10 bytes', (header, expected) => {
    expect(parseRange(header, 10)).toEqual(expected);
  });
});
