import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Template files by path relative to `templates/`, with `/` separators. */
export type TemplateSource = ReadonlyMap<string, string>;

/** Finds `templates/` whether appshell runs from source (tsx, vitest) or from `dist/`. */
export function findTemplatesRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'runtime')) && existsSync(join(dir, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`appshell's templates/ folder was not found above ${from}`);
    dir = parent;
  }
}

/**
 * In the repository each Worker template also holds its rendered `vitest.config.ts`, wrangler config,
 * `.dev.vars.example` and the Env types wrangler writes from them (git-ignored, written by the root vitest config
 * and typecheck-templates.mjs), so that it is tested as a generated Worker would be. They are outputs, not templates.
 */
function isRenderedCopy(path: string): boolean {
  return (
    existsSync(`${path}.hbs`) ||
    /[\\/]workers[\\/][^\\/]+[\\/](wrangler\.(jsonc|toml)|\.dev\.vars\.example|worker-configuration\.d\.ts)$/.test(path)
  );
}

/**
 * Reads every template file into memory. Symbolic links are skipped: inside `templates/` they only let
 * each Worker's `src/lib` see the shared runtime while it is type-checked and tested in place; the
 * planner copies the runtime explicitly.
 */
export async function loadTemplates(root: string = findTemplatesRoot()): Promise<TemplateSource> {
  const files = new Map<string, string>();
  // Synchronous on purpose: a hundred small reads finish sooner than a hundred trips through the thread pool,
  // and the start-up time of every command that renders templates depends on it.
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.name === 'node_modules' || entry.name === '.wrangler' || entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) walk(full);
      else if (!isRenderedCopy(full)) files.set(relative(root, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}
