import { describeOriginProblem, isDevelopmentOrigin, splitList } from './answers.js';
import { manifestFileName, renderManifest, type ProjectManifest } from './manifest.js';
import { parseManifest } from './manifest-read.js';
import { planFiles, type DesiredFile, type PlannedFile, type ProjectTree } from './plan.js';
import { buildWranglerConfig, renderWranglerConfig, workerConfigPath } from './wrangler-config.js';

/**
 * The values a team sets after `init-worker` (the ones a deploy refuses to go without), by their path in
 * `appshell.json`. `origins.<env>` takes a comma list; the others one value.
 */
export const settableFields = ['accountId', 'identity.instantAppId', 'identity.supabaseUrl', 'origins.<env>'] as const;

export type ConfigSetResult =
  | { ok: true; manifest: ProjectManifest; files: PlannedFile[]; unchanged: boolean }
  | { ok: false; message: string };

/** The manifest with one field set, or the reason it cannot be (naming the field and what is allowed). */
export function setManifestField(
  manifest: ProjectManifest,
  field: string,
  value: string,
): { ok: true; manifest: ProjectManifest } | { ok: false; message: string } {
  const next: ProjectManifest = structuredClone(manifest);
  if (field === 'accountId') {
    if (value === '') delete next.accountId;
    else next.accountId = value;
  } else if (field === 'identity.instantAppId' || field === 'identity.supabaseUrl') {
    const key = field === 'identity.instantAppId' ? 'instantAppId' : 'supabaseUrl';
    const provider = key === 'instantAppId' ? 'instant' : 'supabase';
    if (next.identity.provider !== provider) {
      return { ok: false, message: `${field}: this project signs users in with ${next.identity.provider}, not ${provider}` };
    }
    if (value === '') delete next.identity[key];
    else next.identity[key] = value;
  } else if (field.startsWith('origins.')) {
    const env = field.slice('origins.'.length);
    if (env !== 'dev' && !next.environments.includes(env)) {
      return { ok: false, message: `${field}: no environment '${env}'; allowed: dev, ${next.environments.join(', ')}` };
    }
    const origins = splitList(value);
    for (const origin of origins) {
      const problem = describeOriginProblem(origin);
      if (problem) return { ok: false, message: `${field}: '${origin}' ${problem}` };
      if (env !== 'dev' && isDevelopmentOrigin(origin)) {
        return {
          ok: false,
          message: `${field}: '${origin}' is a development origin: a deployed environment takes your app's real origins (set origins.dev for local ones)`,
        };
      }
    }
    next.origins = { ...next.origins, [env]: origins };
  } else {
    return { ok: false, message: `<field>: '${field}' cannot be set here; allowed: ${settableFields.join(', ')}` };
  }
  // The manifest schema has the last word on the value's form (an account id is 32 hexadecimal characters, ...).
  const checked = parseManifest(renderManifest(next));
  if (!checked.ok) return { ok: false, message: checked.message.replace(`${manifestFileName}: `, `${field}: `) };
  return { ok: true, manifest: checked.manifest };
}

/**
 * `appshell config set <field> <value>`: the manifest with the field set and every wrangler config rendered from it,
 * through the plan engine (a config the team edited is a conflict unless forced).
 */
export function planConfigSet(input: {
  manifest: ProjectManifest;
  field: string;
  value: string;
  tree: ProjectTree;
  force: boolean;
}): ConfigSetResult {
  const set = setManifestField(input.manifest, input.field, input.value);
  if (!set.ok) return set;
  const { manifest } = set;
  const desired: DesiredFile[] = [{ path: manifestFileName, content: renderManifest(manifest) }];
  for (const worker of manifest.workers) {
    desired.push({
      path: workerConfigPath(manifest, worker),
      content: renderWranglerConfig(buildWranglerConfig(manifest, worker), manifest.configFormat),
    });
  }
  const files = planFiles(desired, input.tree, { force: input.force });
  return { ok: true, manifest, files, unchanged: files.every((file) => file.action === 'unchanged') };
}
