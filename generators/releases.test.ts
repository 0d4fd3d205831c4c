import { describe, expect, it } from 'vitest';
import { compareVersions, releasesBetween } from './releases.js';

const changelog = `# Changelog

## [Unreleased]

- next

## [0.3.0] - 2026-12-01

### Fixed

- Generated code: c

## [0.2.0] - 2026-11-01

- Generated code: b

## [0.1.0] - 2026-10-01

- a

[0.3.0]: https://example.com
`;

describe('releasesBetween', () => {
  it('lists the entries after the old version up to the new one', () => {
    expect(releasesBetween(changelog, '0.1.0', '0.3.0')).toEqual([
      { version: '0.3.0', lines: ['### Fixed', '', '- Generated code: c'] },
      { version: '0.2.0', lines: ['- Generated code: b'] },
    ]);
    expect(releasesBetween(changelog, '0.3.0', '0.3.0')).toEqual([]);
  });

  it('orders versions by number', () => {
    expect(compareVersions('0.10.0', '0.9.1')).toBe(1);
    expect(compareVersions('1.0.0-beta', '1.0.0')).toBe(-1);
    expect(compareVersions('0.1.0', '0.1.0')).toBe(0);
  });
});
