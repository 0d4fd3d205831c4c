import type { WorkerName } from '../answers.js';
import type { ProjectManifest } from '../manifest.js';
import type { RuntimePackage } from '../versions.js';

/** A secret a Worker reads. Values never pass through appshell's output or files other than `.dev.vars`. */
export interface SecretRequirement {
  name: string;
  description: string;
  /** `generated`: appshell makes a random value; `provided`: the team supplies it. */
  source: 'generated' | 'provided';
  /** Workers in the same group must hold the same value (for example the session JWT secret). */
  sharedGroup?: string;
  /** A second name the Worker also reads, so `appshell secrets --rotate` can add a value beside the current one. */
  rotationSlot?: string;
  /**
   * This Worker signs with the secret; the others holding it only verify. A rotation gives the new value to the
   * verifiers first and to the signers last, and removes the old value from the signers first.
   */
  signs?: boolean;
  /** Needed only by an optional route (e.g. presigned uploads): never required by --check, --push or deploy. */
  optional?: boolean;
}

/** The bindings one Worker declares; the wrangler config writer turns them into every environment's block. */
export interface WorkerBindings {
  /** Plain-text vars, the same in every environment. */
  vars: Record<string, string>;
  /** Vars that differ between local development and deployed environments. */
  localVars?: Record<string, string>;
  deployedVars?: Record<string, string>;
  kvNamespaces: { binding: string; description: string }[];
  /** R2 buckets; deployed environments get `<bucketName>-<env>`. `nameVar` names a var that carries the resolved bucket name. */
  r2Buckets: { binding: string; bucketName: string; nameVar?: string }[];
  durableObjects: { binding: string; className: string }[];
  /** Workers Rate Limiting bindings (`ratelimits`): `limit` requests per `periodSeconds` (10 or 60), per location. */
  rateLimits?: { binding: string; limit: number; periodSeconds: 10 | 60 }[];
  /** Service bindings to other Workers of the same project. */
  services: { binding: string; worker: WorkerName }[];
  /** Bindings that only exist on Cloudflare (Workers AI): written into deployed environments only. */
  remote: { ai?: { binding: string } };
  secrets: SecretRequirement[];
  /**
   * Vars a deployed environment must not leave empty (the Worker fails closed without them), each with the
   * `appshell.json` field it comes from. `appshell deploy` checks them before any call.
   */
  requiredInDeploy?: { name: string; field: string; why: string }[];
}

/**
 * What a Worker template needs, beside its code in `templates/workers/<name>/`.
 *
 * @example
 * export const receiver = {
 *   name: 'receiver',
 *   summary: 'verifies signed requests and dispatches actions',
 *   requires: [],
 *   runtimeModules: ['app', 'errors', 'log'],
 *   testFixtures: ['signing-secrets'],
 *   cors: false,
 *   dependencies: ['hono'],
 *   bindings: () => ({ vars: {}, kvNamespaces: [], ... }),
 * } satisfies WorkerDescriptor;
 */
export interface WorkerDescriptor {
  name: WorkerName;
  summary: string;
  /** Workers that must be generated with this one. */
  requires: WorkerName[];
  /** Files of `templates/runtime/lib/` copied into `src/lib/` (without `.ts`). */
  runtimeModules: string[];
  /**
   * Files of `templates/runtime/test-fixtures/` copied into `test/fixtures/` (without `.ts`): test keys and secrets
   * several Workers' tests share. In the repository each is a symbolic link to the one copy.
   */
  testFixtures: string[];
  /** Whether the Worker answers browsers: its vars then carry `ALLOWED_ORIGINS` for each environment. */
  cors: boolean;
  /** npm packages the Worker imports at runtime. */
  dependencies: RuntimePackage[];
  bindings(manifest: ProjectManifest): WorkerBindings;
}

export function emptyBindings(): WorkerBindings {
  return { vars: {}, kvNamespaces: [], r2Buckets: [], durableObjects: [], services: [], remote: {}, secrets: [] };
}

export const baseRuntimeModules = ['app', 'errors', 'log', 'cors'];
