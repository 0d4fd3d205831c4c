import { defaultAnswers, type WorkerName } from './answers.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { devVarsExample, templateContext } from './project-files.js';
import { renderTemplate } from './render.js';
import { buildWranglerConfig, renderWranglerConfig } from './wrangler-config.js';

/**
 * The appshell repository tests its Worker templates as they are: each template folder gets the `wrangler.jsonc`,
 * `.dev.vars.example` and `vitest.config.ts` that `init-worker --yes` (every feature on) would write beside it (git-ignored).
 * Used by the repository's vitest.config.ts and by typecheck-templates.mjs.
 */
export const templateManifest = manifestFromAnswers({ ...defaultAnswers('tpl'), features: ['ai', 'images', 'stream'] });

export function templateFixtureFiles(worker: WorkerName, vitestConfigTemplate: { path: string; text: string }) {
  const context = { ...templateContext(templateManifest), worker, testNamePrefix: 'template:' };
  return {
    'wrangler.jsonc': renderWranglerConfig(buildWranglerConfig(templateManifest, worker), 'jsonc'),
    '.dev.vars.example': devVarsExample(templateManifest, worker),
    'vitest.config.ts': renderTemplate(vitestConfigTemplate.path, vitestConfigTemplate.text, context),
  };
}
