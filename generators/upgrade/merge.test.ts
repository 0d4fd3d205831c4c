import { describe, expect, it } from 'vitest';
import * as commentJson from 'comment-json';
import { mergeDataFile } from './merge-data.js';
import { hasConflictMarkers, mergeText } from './merge-text.js';

const labels = { ours: 'yours', base: 'appshell 0.1.0', theirs: 'appshell 0.2.0' };

describe('mergeText', () => {
  const base = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', ''].join('\n');

  it('takes a change from each side when they touch different lines', () => {
    const ours = base.replace('two', 'two (team)');
    const theirs = base.replace('six', 'six (fix)');
    expect(mergeText({ base, ours, theirs }, labels)).toEqual({
      content: base.replace('two', 'two (team)').replace('six', 'six (fix)'),
      conflicts: 0,
    });
  });

  it('takes the same change once', () => {
    const both = base.replace('four', 'FOUR');
    expect(mergeText({ base, ours: both, theirs: both }, labels)).toEqual({ content: both, conflicts: 0 });
  });

  it('marks lines both sides changed differently, with the base between, as git merge-file --diff3 does', () => {
    const result = mergeText({ base, ours: base.replace('four', 'four (team)'), theirs: base.replace('four', 'four (fix)') }, labels);
    expect(result.conflicts).toBe(1);
    expect(result.content).toContain(
      ['<<<<<<< yours', 'four (team)', '||||||| appshell 0.1.0', 'four', '=======', 'four (fix)', '>>>>>>> appshell 0.2.0'].join('\n'),
    );
    expect(hasConflictMarkers(result.content)).toBe(true);
    expect(hasConflictMarkers(base)).toBe(false);
  });
});

const header = '// Written by appshell from appshell.json.\n';
const jsonc = (value: unknown) => `${header}${JSON.stringify(value, null, 2)}\n`;

describe('mergeDataFile', () => {
  const base = {
    name: 'shop-api',
    compatibility_flags: ['nodejs_compat'],
    vars: { LOG_LEVEL: 'info', ALLOWED_ORIGINS: 'http://localhost:3000' },
    durable_objects: { bindings: [{ name: 'RATE_LIMITER', class_name: 'RateLimiter' }] },
    migrations: [{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }],
  };
  const theirs = {
    ...base,
    vars: { ...base.vars, NEW_FLAG: 'on' },
    durable_objects: { bindings: [...base.durable_objects.bindings, { name: 'AUDIT', class_name: 'AuditLog' }] },
    migrations: [...base.migrations, { tag: 'v2', new_sqlite_classes: ['AuditLog'] }],
  };

  it("keeps the team's vars, bindings and comments and takes the template's new ones (wrangler.jsonc)", () => {
    const ours = jsonc({
      ...base,
      vars: { ...base.vars, LOG_LEVEL: 'debug', TEAM_VAR: 'x' },
      routes: [{ pattern: 'api.example.com/*', zone_name: 'example.com' }],
    }).replace('"vars": {', '// our own settings\n  "vars": {');
    const result = mergeDataFile({ base: jsonc(base), ours, theirs: jsonc(theirs) }, 'jsonc');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.content).toContain('// our own settings');
    expect(result.content.startsWith(header)).toBe(true);
    const merged = commentJson.parse(result.content) as unknown as typeof theirs & { routes: unknown[]; vars: Record<string, string> };
    expect(merged.vars).toEqual({ LOG_LEVEL: 'debug', ALLOWED_ORIGINS: 'http://localhost:3000', TEAM_VAR: 'x', NEW_FLAG: 'on' });
    expect(merged.routes).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(merged.migrations))).toEqual(theirs.migrations);
    expect(JSON.parse(JSON.stringify(merged.durable_objects.bindings))).toHaveLength(2);
  });

  it('leaves an unedited file exactly as the template renders it', () => {
    const result = mergeDataFile({ base: jsonc(base), ours: jsonc(base), theirs: jsonc(theirs) }, 'jsonc');
    expect(result).toEqual({ ok: true, content: jsonc(theirs) });
  });

  it('merges package.json and word lists as data', () => {
    const pkg = { name: 'x', dependencies: { hono: '4.0.0' }, keywords: ['a'] };
    const result = mergeDataFile(
      {
        base: JSON.stringify(pkg),
        ours: JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, zod: '4.0.0' }, keywords: ['a', 'team'] }),
        theirs: JSON.stringify({ ...pkg, dependencies: { hono: '4.1.0' }, keywords: ['a', 'new'] }),
      },
      'json',
    );
    expect(result.ok && JSON.parse(result.content)).toEqual({
      name: 'x',
      dependencies: { hono: '4.1.0', zod: '4.0.0' },
      keywords: ['a', 'team', 'new'],
    });
  });

  it('names a value both sides changed differently as a conflict', () => {
    const result = mergeDataFile(
      {
        base: jsonc(base),
        ours: jsonc({ ...base, vars: { ...base.vars, LOG_LEVEL: 'debug' } }),
        theirs: jsonc({ ...base, vars: { ...base.vars, LOG_LEVEL: 'warn' } }),
      },
      'jsonc',
    );
    expect(result).toEqual({ ok: false, conflicts: ['vars.LOG_LEVEL'] });
  });

  it('merges wrangler.toml values and keeps its leading comments', () => {
    const toml = (vars: Record<string, string>) =>
      `#:schema ../../node_modules/wrangler/config-schema.json\n# header\n\nname = "shop-api"\n\n[vars]\n${Object.entries(vars)
        .map(([k, v]) => `${k} = "${v}"`)
        .join('\n')}\n`;
    const result = mergeDataFile(
      { base: toml({ A: '1' }), ours: toml({ A: '2' }).replace('# header', '# header\n# team note'), theirs: toml({ A: '1', B: '3' }) },
      'toml',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.content).toMatch(/^#:schema .*\n# header\n# team note\n/);
    expect(result.content).toContain('A = "2"');
    expect(result.content).toContain('B = "3"');
  });
});
