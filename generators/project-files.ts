import type { WorkerName } from './answers.js';
import { manifestFileName, manifestSchemaFileName, renderManifest, renderManifestJsonSchema, type ProjectManifest } from './manifest.js';
import type { DesiredFile } from './plan.js';
import { filesUnder, outputPath, renderTemplate } from './render.js';
import type { TemplateSource } from './template-source.js';
import { allowScripts, appshellDevDependency, nodeNote, toolchains, type AppshellSelf } from './versions.js';
import { buildWranglerConfig, configFileName, renderWranglerConfig, workerConfigPath } from './wrangler-config.js';
import { renderActionRegistry } from './action-registry.js';
import { renderExtensionRegistry } from './extension-registry.js';
import { kvNamespaceTitle, sharedKvNamespaces } from './kv-namespaces.js';
import { renderOpenApi } from './openapi.js';
import { devPorts } from './ports.js';
import { providedSecrets } from './secrets-plan.js';
import { scriptName, workerDescriptors } from './workers/index.js';

export { devPorts } from './ports.js';

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** What Handlebars templates see. */
export function templateContext(manifest: ProjectManifest) {
  return {
    manifest,
    configFile: configFileName(manifest.configFormat),
    nodeNote: nodeNote(manifest.toolchain),
    /** One source for the date (`versions.ts`): the wrangler configs and the test stand-ins use the same. */
    compatibilityDate: toolchains[manifest.toolchain].compatibilityDate,
    workers: manifest.workers.map((worker) => ({
      name: worker,
      summary: workerDescriptors[worker].summary,
      script: scriptName(manifest.name, worker),
      port: devPorts[worker],
    })),
    hasWorker: Object.fromEntries(manifest.workers.map((worker) => [worker, true])),
    ports: devPorts,
    environments: manifest.environments,
    /** KV namespaces several Workers bind, one namespace per environment. */
    sharedKv: sharedKvNamespaces(manifest).map(({ binding, workers }) => ({ binding, workers: workers.join(' and ') })),
    kvTitleExample: kvNamespaceTitle(manifest.name, 'API_KEYS', manifest.environments.at(-1) ?? 'production'),
    bucketExample: `${manifest.bucket}-${manifest.environments.at(-1) ?? 'production'}`,
    /** The CI workflow: the Node of the toolchain, one deploy job per environment after the previous one. */
    ciNodeVersion: toolchains[manifest.toolchain].ciNode,
    ciDeploys: manifest.environments.map((env, index) => ({
      env,
      needs: index === 0 ? 'test' : `deploy-${manifest.environments[index - 1]}`,
    })),
    ciProvidedSecrets: providedSecrets(manifest),
    /** Prefix of vitest project names; the appshell repository tests templates as `template:<worker>`. */
    testNamePrefix: '',
  };
}

function rootPackageJson(manifest: ProjectManifest, self: AppshellSelf): string {
  return json({
    name: manifest.name,
    private: true,
    type: 'module',
    workspaces: manifest.workers.map((worker) => `workers/${worker}`),
    scripts: {
      // The appshell that wrote the project (a devDependency), never whatever `npx appshell` would fetch.
      dev: 'appshell dev',
      // Format and lint (Biome, biome.jsonc) before the Workers' tests, as appshell's own `npm test` does.
      test: 'npm run lint && vitest run',
      lint: 'biome ci .',
      // Env types come from each Worker's wrangler config (`wrangler types`); the install writes them if absent.
      types: 'node scripts/types.mjs',
      typecheck: 'npm run typecheck --workspaces',
      postinstall: 'node scripts/types.mjs --if-missing',
      deploy: 'appshell deploy',
      // The whole deploy with the real wrangler against an emulated Cloudflare account, then a smoke flow.
      rehearse: `appshell deploy --rehearse --env ${manifest.environments[0]}`,
    },
    engines: { node: toolchains[manifest.toolchain].engines },
    devDependencies: { appshell: appshellDevDependency(self), ...toolchains[manifest.toolchain].tooling },
    allowScripts,
  });
}

function workerPackageJson(manifest: ProjectManifest, worker: WorkerName): string {
  const descriptor = workerDescriptors[worker];
  const configFile = configFileName(manifest.configFormat);
  return json({
    name: scriptName(manifest.name, worker),
    private: true,
    type: 'module',
    scripts: {
      dev: `wrangler dev --config ${configFile} --port ${devPorts[worker]}`,
      test: 'vitest run',
      typecheck: `node ../../scripts/types.mjs --check ${worker} && tsc --noEmit`,
      types: `node ../../scripts/types.mjs ${worker}`,
      deploy: `wrangler deploy --config ${configFile}`,
    },
    dependencies: Object.fromEntries(
      [...descriptor.dependencies].sort().map((name) => [name, toolchains[manifest.toolchain].runtime[name]]),
    ),
  });
}

export function devVarsExample(manifest: ProjectManifest, worker: WorkerName): string {
  const secrets = workerDescriptors[worker].bindings(manifest).secrets;
  const lines = [
    `# Secrets of the ${worker} Worker for local development. Copy to .dev.vars (git-ignored, mode 0600)`,
    '# or let `appshell secrets --local` write it with consistent values for every Worker.',
  ];
  if (secrets.length === 0) lines.push('# This Worker needs no secrets.');
  for (const secret of secrets) {
    lines.push('', `# ${secret.description} (${secret.source === 'generated' ? 'appshell generates it' : 'you provide it'})`);
    lines.push(`${secret.name}=`);
  }
  return `${lines.join('\n')}\n`;
}

/** Every file of a project with this manifest, rendered in memory. */
export function renderProject(manifest: ProjectManifest, source: TemplateSource, options: { self?: AppshellSelf } = {}): DesiredFile[] {
  const context = templateContext(manifest);
  const self = options.self ?? { version: manifest.templateVersion, root: '', installed: true };
  const files: DesiredFile[] = [
    { path: manifestFileName, content: renderManifest(manifest) },
    { path: manifestSchemaFileName, content: renderManifestJsonSchema() },
    { path: 'package.json', content: rootPackageJson(manifest, self) },
  ];
  if (manifest.workers.some((worker) => worker !== 'receiver')) files.push({ path: 'openapi.json', content: renderOpenApi(manifest) });
  for (const [path, text] of filesUnder(source, 'project')) {
    files.push({ path: outputPath(path), content: renderTemplate(path, text, context) });
  }
  if (manifest.ci !== 'none') {
    for (const [path, text] of filesUnder(source, `ci/${manifest.ci}`)) {
      files.push({ path: outputPath(path), content: renderTemplate(path, text, context) });
    }
  }
  for (const worker of manifest.workers) {
    const base = `workers/${worker}`;
    const descriptor = workerDescriptors[worker];
    const config = buildWranglerConfig(manifest, worker);
    files.push({ path: workerConfigPath(manifest, worker), content: renderWranglerConfig(config, manifest.configFormat) });
    files.push({ path: `${base}/package.json`, content: workerPackageJson(manifest, worker) });
    files.push({ path: `${base}/.dev.vars.example`, content: devVarsExample(manifest, worker) });
    // Files written from the manifest rather than copied (the extension registry).
    const fromManifest = new Map<string, string>();
    if (worker === 'api') fromManifest.set('src/extensions/index.ts', renderExtensionRegistry(manifest.routes));
    if (worker === 'receiver') fromManifest.set('src/actions/index.ts', renderActionRegistry(manifest.actions));
    for (const [path, content] of fromManifest) files.push({ path: `${base}/${path}`, content });
    for (const [path, text] of filesUnder(source, `workers/${worker}`)) {
      if (fromManifest.has(path)) continue;
      files.push({ path: `${base}/${outputPath(path)}`, content: renderTemplate(path, text, { ...context, worker }) });
    }
    for (const module of descriptor.runtimeModules) {
      const text = source.get(`runtime/lib/${module}.ts`);
      if (text === undefined) throw new Error(`templates/runtime/lib/${module}.ts is missing (named by the ${worker} descriptor)`);
      files.push({ path: `${base}/src/lib/${module}.ts`, content: text });
    }
    for (const fixture of descriptor.testFixtures) {
      const text = source.get(`runtime/test-fixtures/${fixture}.ts`);
      if (text === undefined)
        throw new Error(`templates/runtime/test-fixtures/${fixture}.ts is missing (named by the ${worker} descriptor)`);
      files.push({ path: `${base}/test/fixtures/${fixture}.ts`, content: text });
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
