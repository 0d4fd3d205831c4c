import { defaultAnswers, type WorkerName } from './answers.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { devVarsExample, templateContext } from './project-files.js';
import { renderOpenApi } from './openapi.js';
import { renderTemplate } from './render.js';
import { buildWranglerConfig, renderWranglerConfig } from './wrangler-config.js';

/**
 * The appshell repository tests its Worker templates as they are: each template folder gets the `wrangler.jsonc`,
 * `.dev.vars.example` and `vitest.config.ts` that `init-worker --yes` (every feature on) would write beside it, and the
 * api's `openapi.json` as `templates/openapi.json` (all git-ignored).
 * Used by the repository's vitest.config.ts and by typecheck-templates.mjs.
 */
export const templateManifest = manifestFromAnswers({ ...defaultAnswers('tpl'), features: ['ai', 'images', 'stream'] });

export function templateFixtureFiles(worker: WorkerName, vitestConfigTemplate: { path: string; text: string }) {
  const context = { ...templateContext(templateManifest), worker, testNamePrefix: 'template:' };
  return {
    'wrangler.jsonc': renderWranglerConfig(buildWranglerConfig(templateManifest, worker), 'jsonc'),
    '.dev.vars.example': devVarsExample(templateManifest, worker),
    'vitest.config.ts': renderTemplate(vitestConfigTemplate.path, vitestConfigTemplate.text, context),
    // The project root's openapi.json, which the api tests hold against the app: templates/openapi.json here.
    ...(worker === 'api' ? { '../../openapi.json': renderOpenApi(templateManifest) } : {}),
  };
}
