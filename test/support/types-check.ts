import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseJsonc, stringify as stringifyJsonc } from 'comment-json';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { expect } from 'vitest';

type Run = (command: string, args: string[]) => Promise<{ exitCode?: number; all?: string }>;

/**
 * The Env types contract of a generated project (installed, so its postinstall wrote the types): `npm run
 * typecheck` passes; a binding added to a wrangler config by hand makes it fail, naming the Worker's types file;
 * `npm run types` brings it back. The config is restored afterwards.
 */
export async function expectEnvTypesFollowTheConfig(root: string, format: 'jsonc' | 'toml', run: Run): Promise<void> {
  const typecheck = await run('npm', ['run', 'typecheck']);
  expect(typecheck.exitCode, typecheck.all).toBe(0);

  const configPath = join(root, 'workers/api', `wrangler.${format}`);
  const original = await readFile(configPath, 'utf8');
  const typesPath = join(root, 'workers/api/worker-configuration.d.ts');
  const originalTypes = await readFile(typesPath, 'utf8');
  try {
    const binding = { binding: 'AUDIT_LOG', id: '00000000000000000000000000000000' };
    if (format === 'jsonc') {
      const config = parseJsonc(original) as unknown as { kv_namespaces: unknown[] };
      config.kv_namespaces.push(binding);
      await writeFile(configPath, stringifyJsonc(config, null, 2));
    } else {
      const config = parseToml(original) as { kv_namespaces: unknown[] };
      config.kv_namespaces.push(binding);
      await writeFile(configPath, stringifyToml(config));
    }
    const stale = await run('npm', ['run', 'typecheck']);
    expect(stale.exitCode).not.toBe(0);
    expect(stale.all).toContain('workers/api/worker-configuration.d.ts does not match the wrangler config: run `npm run types`');

    const types = await run('npm', ['run', 'types']);
    expect(types.exitCode, types.all).toBe(0);
    expect(await readFile(typesPath, 'utf8')).toMatch(/AUDIT_LOG\??: KVNamespace;/);
    const fresh = await run('npm', ['run', 'typecheck']);
    expect(fresh.exitCode, fresh.all).toBe(0);
  } finally {
    await writeFile(configPath, original);
    await writeFile(typesPath, originalTypes);
  }
}
