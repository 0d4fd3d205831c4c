import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './cli.js';

/** What the newer appshell changes in generated code, for the tests to look for. */
export const newer = {
  version: '0.2.0',
  /** A fix inside `src/lib/` (the shared runtime: every Worker's copy of errors.ts). */
  fixedLine: 'The error codes a client can see (0.2.0: checked against the envelope).',
  originalLine: 'The error codes a client can see.',
  newFile: 'workers/api/src/release-note.ts',
  newVar: 'UPGRADE_NOTE',
  newClass: 'AuditLog',
  changelogLine: '- Generated code: errors.ts says which error codes a client can see (0.2.0 test release).',
} as const;

/** `text` with `from` replaced by `to`; throws when `from` is not there, so a template change cannot slip past. */
function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`newer-cli: ${JSON.stringify(from)} is not there any more (the repository moved on?)`);
  return text.replace(from, to);
}

async function edit(path: string, change: (text: string) => string): Promise<void> {
  const text = await readFile(path, 'utf8');
  const next = change(text);
  if (next === text) throw new Error(`newer-cli: the edit of ${path} changed nothing (the repository moved on?)`);
  await writeFile(path, next);
}

/**
 * A second appshell built from a copy of this repository whose templates differ as a release would: a fix in a runtime
 * module, a new file, a new var in the api Worker's config, a new Durable Object class, a bumped version and its
 * CHANGELOG entry. Returns the path of its built CLI.
 */
export async function buildNewerCli(dir: string): Promise<string> {
  const root = join(dir, 'appshell-next');
  await mkdir(root, { recursive: true });
  for (const entry of ['cli', 'generators', 'emulator', 'templates', 'build.mjs', 'package.json', 'tsconfig.json', 'CHANGELOG.md']) {
    await cp(join(repoRoot, entry), join(root, entry), { recursive: true, verbatimSymlinks: true });
  }
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  await edit(join(root, 'package.json'), (text) => text.replace(/"version": "[^"]+"/, `"version": "${newer.version}"`));
  await edit(join(root, 'generators/manifest.ts'), (text) =>
    text.replace(/export const templateVersion = '[^']+';/, `export const templateVersion = '${newer.version}';`),
  );
  await edit(join(root, 'CHANGELOG.md'), (text) =>
    text.replace(
      '## [Unreleased]',
      `## [${newer.version}] - 2026-12-03\n\n### Fixed\n\n${newer.changelogLine}\n\n## [Unreleased before ${newer.version}]`,
    ),
  );
  await edit(join(root, 'templates/runtime/lib/errors.ts'), (text) => replaceOnce(text, newer.originalLine, newer.fixedLine));
  await writeFile(join(root, 'templates', newer.newFile), "/** Added by appshell 0.2.0. */\nexport const releaseNote = '0.2.0';\n");
  await edit(join(root, 'generators/workers/api.ts'), (text) =>
    replaceOnce(
      replaceOnce(
        text,
        '      RATE_LIMIT_PER_MINUTE: String(manifest.rateLimitPerMinute),',
        `      RATE_LIMIT_PER_MINUTE: String(manifest.rateLimitPerMinute),\n      ${newer.newVar}: 'on',`,
      ),
      "      bindings.durableObjects.push({ binding: 'RATE_LIMITER', className: 'RateLimiter' });",
      `      bindings.durableObjects.push({ binding: 'RATE_LIMITER', className: 'RateLimiter' });\n      bindings.durableObjects.push({ binding: 'AUDIT_LOG', className: '${newer.newClass}' });`,
    ),
  );
  await writeFile(
    join(root, 'templates/workers/api/src/audit-log.ts'),
    "import { DurableObject } from 'cloudflare:workers';\n\n/** Added by appshell 0.2.0: a second Durable Object class, so the migration ledger grows a tag. */\nexport class AuditLog extends DurableObject<object> {\n  async fetch(): Promise<Response> {\n    return Response.json({ ok: true });\n  }\n}\n",
  );
  await edit(join(root, 'templates/workers/api/src/index.ts'), (text) =>
    replaceOnce(
      text,
      "export { RateLimiter } from './lib/rate-limiter.js';",
      "export { RateLimiter } from './lib/rate-limiter.js';\nexport { AuditLog } from './audit-log.js';",
    ),
  );
  await execa('node', ['build.mjs'], { cwd: root });
  return join(root, 'dist/cli/index.js');
}
