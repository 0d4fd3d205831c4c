import { defaultAnswers, type InitAnswers } from './answers.js';
import { planInitWorker } from './init-worker.js';
import type { ProjectManifest } from './manifest.js';
import { memoryTree } from './plan.js';
import type { TemplateSource } from './template-source.js';

/**
 * A project `shop` as `init-worker` would leave it (with appshell's record of what it wrote), in memory: what the
 * planners' unit tests start from. Not part of the CLI.
 */
export function scaffoldInMemory(
  source: TemplateSource,
  overrides: Partial<InitAnswers> = {},
): { manifest: ProjectManifest; files: Record<string, string> } {
  const plan = planInitWorker({
    answers: { ...defaultAnswers('shop'), ...overrides },
    root: '/virtual/shop',
    tree: memoryTree({}),
    newProject: true,
    source,
    force: false,
  });
  return { manifest: plan.manifest, files: Object.fromEntries(plan.files.map((file) => [file.path, file.content])) };
}
