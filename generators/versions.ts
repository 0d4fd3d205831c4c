/**
 * What a generated project pins: one table per toolchain, every version exact and chosen on purpose.
 *
 * `node20` is for teams still on Node 20 (end of life since 2026-04-30): wrangler 4.86.0 is the last release that
 * starts below Node 22, with the workers-types and workerd of its day. appshell itself is developed and tested on
 * this set (`versions.test.ts` keeps this table equal to the repository's own devDependencies).
 *
 * `current` is for Node 22.12 and newer (most teams): the newest wrangler, and the newest releases of everything
 * else that install and pass the generated tests together with it (`test/toolchain-current.test.ts` scaffolds,
 * installs, tests and bundles a project with it on Node 24 LTS).
 *
 * Both test inside workerd through @cloudflare/vitest-plugin 1.5.0, the successor of
 * @cloudflare/vitest-pool-workers: it runs on Node 20 with vitest 4 as well, using its own nested wrangler only as a
 * library. @cloudflare/vitest-pool-workers 0.15.x (and every 0.x up to 0.23.0) wrapped the prototype of its SELF and
 * Durable Object wrapper classes in one more Proxy on every construction, so every request of a test file walked a
 * chain as long as all the requests before it: quadratic, and a test file of a few hundred requests ran past
 * vitest's timeout.
 */
export const toolchains = {
  node20: {
    /** Node versions the project's `engines` allows. */
    engines: '>=20.12.0',
    /** The Node major the generated CI workflow sets up. */
    ciNode: '20',
    runtime: {
      hono: '4.13.19',
      jose: '6.2.17',
      aws4fetch: '1.0.20',
      '@instantdb/admin': '1.0.67',
      standardwebhooks: '1.1.1',
      // The api Worker's route table: its request schemas (zod/mini) and, through appshell, openapi.json.
      zod: '4.6.7',
    },
    tooling: {
      wrangler: '4.86.0',
      vitest: '4.1.12',
      '@cloudflare/vitest-plugin': '1.5.0',
      '@cloudflare/workers-types': '4.20260426.1',
      typescript: '5.9.3',
      esbuild: '0.27.3',
      // The api tests' S3 stand-in checks presigned URLs with AWS's own signer.
      '@smithy/signature-v4': '5.7.5',
      '@aws-crypto/sha256-js': '5.2.0',
      // The Node side of the tests (stand-ins under test/support) type-checks with Node's types: Node 20's.
      '@types/node': '20.19.43',
      // The formatter and linter of `npm run lint`: the one appshell's own code is checked with (biome.jsonc).
      '@biomejs/biome': '2.6.9',
    },
    /** The newest date wrangler 4.86.0's workerd (1.20260426) knows; newer dates make `wrangler dev` warn and fall back. */
    compatibilityDate: '2026-04-20',
  },
  current: {
    engines: '>=22.12.0',
    // Node 24 is the Active LTS line.
    ciNode: '24',
    runtime: {
      // Newest releases; hono and jose are the libraries the Workers' security code stands on.
      hono: '4.13.19',
      jose: '6.2.18',
      aws4fetch: '1.0.20',
      '@instantdb/admin': '1.0.67',
      standardwebhooks: '1.1.1',
      zod: '4.6.7',
    },
    tooling: {
      // The newest wrangler (needs Node 22.12+), and its esbuild, so the sender's test bundle matches deploys.
      wrangler: '4.164.0',
      // vitest 5 is the newest major the plugin supports (peer ^4.1.0 || ^5.0.0) and needs Node 22.12+.
      vitest: '5.1.2',
      '@cloudflare/vitest-plugin': '1.5.0',
      // Dated like wrangler 4.164.0's workerd (1.20261117).
      '@cloudflare/workers-types': '5.20261117.1',
      // The newest JavaScript TypeScript: 7.0 is the native port, whose compiler API and options changed.
      typescript: '6.0.3',
      esbuild: '0.28.2',
      '@smithy/signature-v4': '5.7.5',
      '@aws-crypto/sha256-js': '5.2.0',
      // Node 24 LTS's types, newest release.
      '@types/node': '24.19.4',
      // The same Biome in both sets: its rules (biome.jsonc) are the repository's, checked with this version.
      '@biomejs/biome': '2.6.9',
    },
    /** The tests run in the plugin's workerd (1.20261102), older than wrangler's (1.20261117): the older one bounds it. */
    compatibilityDate: '2026-11-02',
  },
} as const;

/**
 * npm 11 runs no dependency install script unless `allowScripts` in package.json allows it, and warns on every
 * install about those it has not been told about. None is needed here: esbuild and workerd find their binaries in
 * their platform packages (`@esbuild/linux-x64`, `@cloudflare/workerd-linux-64`) without their postinstall, and
 * sharp (pulled in by miniflare) uses its prebuilt `@img/sharp-*` package. So each is denied, by name, for every
 * version: the install runs no third-party code and prints no warning. The repository's package.json holds the same.
 */
export const allowScripts = { esbuild: false, sharp: false, workerd: false } as const;

export const toolchainNames = ['current', 'node20'] as const;
export type ToolchainName = (typeof toolchainNames)[number];
export type Toolchain = (typeof toolchains)[ToolchainName];
export type RuntimePackage = keyof Toolchain['runtime'];

/** The lowest Node the current toolchain runs on (wrangler 4.87 and later refuse to start below Node 22). */
const currentNodeFloor = [22, 12] as const;

/**
 * The toolchain a project gets when the team does not choose (`--toolchain`): what the Node that runs appshell can
 * run. `nodeVersion` is `process.versions.node`.
 *
 * @example
 * toolchainForNode('24.22.3'); // 'current'
 * toolchainForNode('20.20.2'); // 'node20'
 */
export function toolchainForNode(nodeVersion: string): ToolchainName {
  const [major = 0, minor = 0] = nodeVersion.split('.').map(Number);
  const [floorMajor, floorMinor] = currentNodeFloor;
  return major > floorMajor || (major === floorMajor && minor >= floorMinor) ? 'current' : 'node20';
}

/**
 * What `init-worker` says once about the toolchain it writes, if anything: on Node 20 that it is end-of-life and
 * what a newer Node would get; with `--toolchain current` on a Node that cannot run it, that it cannot install here.
 */
export function toolchainNotice(chosen: ToolchainName, nodeVersion: string): string | undefined {
  if (toolchainForNode(nodeVersion) === 'current') return undefined;
  if (chosen === 'current') {
    return `The current toolchain (wrangler ${toolchains.current.tooling.wrangler}) needs Node 22.12 or newer; this is Node ${nodeVersion}: upgrade Node before npm install.`;
  }
  return node20Notice(nodeVersion);
}

function node20Notice(nodeVersion: string): string {
  return (
    `Node ${nodeVersion} is end-of-life (Node 20 support ended 2026-04-30), so this project pins wrangler ` +
    `${toolchains.node20.tooling.wrangler}, the last release that runs on it. On Node 22.12 or newer, appshell writes ` +
    `wrangler ${toolchains.current.tooling.wrangler}, vitest ${toolchains.current.tooling.vitest} and the newest ` +
    `workers-types instead (or pass --toolchain current now and upgrade Node before installing).`
  );
}

/** The README's line on Node for a project with this toolchain. */
export function nodeNote(name: ToolchainName): string {
  return name === 'node20'
    ? `This project runs on Node 20.12 or newer (Node 20 is end-of-life): wrangler is pinned to ${toolchains.node20.tooling.wrangler}, the last release that runs on Node 20. On Node 22.12 or newer, move to the current toolchain (\`toolchain: "current"\` in appshell.json).`
    : `This project needs Node 22.12 or newer (wrangler ${toolchains.current.tooling.wrangler}); Node 24 LTS is recommended.`;
}

/** The appshell that is writing a project: its version, its package folder, and whether npm installed it. */
export interface AppshellSelf {
  version: string;
  root: string;
  /** Installed from the registry (its folder is inside a node_modules); false for a source checkout. */
  installed: boolean;
}

/**
 * How a generated project depends on the appshell that wrote it, so that its scripts, README and CI run that one and
 * not whatever `npx appshell` would fetch: the exact version when it came from the registry, else (a checkout of
 * appshell's repository, not published) a link to that folder.
 *
 * @example
 * appshellDevDependency({ version: '0.1.0', root: '/p/node_modules/appshell', installed: true }); // '0.1.0'
 * appshellDevDependency({ version: '0.1.0', root: '/src/appshell', installed: false }); // 'file:/src/appshell'
 */
export function appshellDevDependency(self: AppshellSelf): string {
  return self.installed ? self.version : `file:${self.root}`;
}
