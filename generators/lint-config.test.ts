import { readFileSync } from 'node:fs';
import { parse } from 'comment-json';
import { describe, expect, it } from 'vitest';

/** A Biome config without its comments, as plain data. */
function readBiomeConfig(path: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(parse(readFileSync(new URL(path, import.meta.url), 'utf8')))) as Record<string, unknown>;
}

describe('biome.jsonc', () => {
  it('ships the rules and the format this repository is checked with in every generated project', () => {
    const own = readBiomeConfig('../biome.jsonc');
    const generated = readBiomeConfig('../templates/project/biome-config.jsonc');
    for (const section of ['formatter', 'javascript', 'json', 'markdown', 'linter', 'assist', 'vcs']) {
      expect(generated[section], section).toEqual(own[section]);
    }
    // The registries appshell rewrites are left unformatted in both; the repository's other overrides are its own.
    expect(generated.overrides).toEqual((own.overrides as unknown[]).slice(0, 1));
  });
});
