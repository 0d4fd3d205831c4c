// One Cloudflare account's Workers state, kept as plain JSON (so a rehearsal can keep it between runs), and the
// rules a real account applies to an upload. No I/O here: account-routes.ts turns HTTP calls into these functions
// and their refusals into Cloudflare's error envelope.

/** A binding as it is stored on a version: what the upload's metadata said, with `inherit` resolved. */
export interface StoredBinding {
  name: string;
  type: string;
  [field: string]: unknown;
}

export interface StoredModule {
  name: string;
  contentType: string;
  /** base64, so that binary modules (wasm, data) survive the JSON store. */
  content: string;
}

export interface ScriptVersion {
  id: string;
  number: number;
  createdOn: string;
  mainModule: string;
  compatibilityDate?: string;
  compatibilityFlags: string[];
  bindings: StoredBinding[];
  modules: StoredModule[];
}

export interface ScriptDeployment {
  id: string;
  createdOn: string;
  versions: { version_id: string; percentage: number }[];
}

export interface ScriptRecord {
  name: string;
  tag: string;
  createdOn: string;
  modifiedOn: string;
  migrationTag?: string;
  durableObjectClasses: string[];
  /** The classes created with `new_sqlite_classes` (SQLite-backed storage). */
  sqliteClasses: string[];
  secrets: Record<string, string>;
  versions: ScriptVersion[];
  deployments: ScriptDeployment[];
  settings: Record<string, unknown>;
  workersDev: { enabled: boolean; previews_enabled: boolean };
}

export interface AccountState {
  accountId: string;
  /** The workers.dev subdomain; without one wrangler cannot give a Worker a URL (exit 1 after the upload). */
  subdomain: string | null;
  scripts: Record<string, ScriptRecord>;
  kvNamespaces: { id: string; title: string }[];
  r2Buckets: { name: string; creation_date: string }[];
  /** false: R2 was never enabled on the account (every R2 call is refused with 10042, as on Cloudflare). */
  r2Enabled?: boolean;
  /** Makes ids unique and deterministic per account. */
  sequence: number;
}

/** The id of an emulated account when the project names none. */
export const emulatedAccountId = 'e1a1e1a1e1a1e1a1e1a1e1a1e1a1e1a1';

/** A refusal as a real account words it: Cloudflare's error code, a message, the HTTP status. */
export interface Refusal {
  ok: false;
  code: number;
  message: string;
  status: number;
}
export type Outcome<T> = { ok: true; value: T } | Refusal;

export const refusalCodes = {
  workerNotFound: 10007,
  environmentNotFound: 10090,
  serviceBindingTargetMissing: 10143,
  durableObjectClassNotMigrated: 10061,
  migrationTagPrecondition: 10079,
  migrationRecreatesClass: 10074,
  kvNamespaceMissing: 10041,
  r2BucketMissing: 10085,
  kvTitleExists: 10014,
  r2BucketNotFound: 10006,
  badUpload: 10021,
} as const;

const refuse = (code: number, message: string, status = 400): Refusal => ({ ok: false, code, message, status });

export function createAccountState(options: { accountId?: string; subdomain?: string | null; r2Enabled?: boolean } = {}): AccountState {
  return {
    ...(options.r2Enabled === false ? { r2Enabled: false } : {}),
    accountId: options.accountId ?? emulatedAccountId,
    subdomain: options.subdomain === undefined ? 'rehearsal' : options.subdomain,
    scripts: {},
    kvNamespaces: [],
    r2Buckets: [],
    sequence: 0,
  };
}

function nextId(state: AccountState): string {
  state.sequence += 1;
  return `${state.sequence.toString(16).padStart(8, '0')}${'0'.repeat(24)}`;
}

const now = () => new Date().toISOString();

export function findScript(state: AccountState, name: string): Outcome<ScriptRecord> {
  const script = state.scripts[name];
  if (!script) return refuse(refusalCodes.workerNotFound, `This Worker does not exist on your account.`, 404);
  return { ok: true, value: script };
}

/** The version the latest deployment sends (most) traffic to: what the Worker runs. */
export function currentVersion(script: ScriptRecord): ScriptVersion | undefined {
  const latest = script.deployments.at(-1);
  if (!latest) return undefined;
  const top = [...latest.versions].sort((a, b) => b.percentage - a.percentage)[0];
  return script.versions.find((version) => version.id === top?.version_id);
}

export interface UploadMetadata {
  main_module?: string;
  body_part?: string;
  compatibility_date?: string;
  compatibility_flags?: string[];
  bindings?: StoredBinding[];
  migrations?: { old_tag?: string; new_tag?: string; steps?: MigrationStep[] } & MigrationStep;
  keep_bindings?: string[];
  observability?: unknown;
  logpush?: boolean;
  tail_consumers?: unknown;
}

interface MigrationStep {
  new_classes?: string[];
  new_sqlite_classes?: string[];
  renamed_classes?: { from: string; to: string }[];
  deleted_classes?: string[];
}

/** Applies an upload's migrations to the classes a script has; refuses what a real account refuses. */
function applyMigrations(
  script: ScriptRecord | undefined,
  migrations: UploadMetadata['migrations'],
): Outcome<{ tag?: string; classes: string[]; sqliteClasses: string[] }> {
  const classes = [...(script?.durableObjectClasses ?? [])];
  const sqliteClasses = [...(script?.sqliteClasses ?? [])];
  if (!migrations) return { ok: true, value: { tag: script?.migrationTag, classes, sqliteClasses } };
  if ((migrations.old_tag ?? undefined) !== (script?.migrationTag ?? undefined)) {
    return refuse(
      refusalCodes.migrationTagPrecondition,
      `Migration tag precondition failed; current tag is ${script?.migrationTag ? `'${script.migrationTag}'` : 'unset'}, expected old_tag ${migrations.old_tag ? `'${migrations.old_tag}'` : 'unset'}`,
    );
  }
  const steps = migrations.steps ?? [migrations];
  for (const step of steps) {
    for (const name of [...(step.new_classes ?? []), ...(step.new_sqlite_classes ?? [])]) {
      if (classes.includes(name))
        return refuse(refusalCodes.migrationRecreatesClass, `Cannot create Durable Object class ${name}: it already exists`);
      classes.push(name);
      if (step.new_sqlite_classes?.includes(name)) sqliteClasses.push(name);
    }
    for (const { from, to } of step.renamed_classes ?? []) {
      const index = classes.indexOf(from);
      if (index === -1) return refuse(refusalCodes.durableObjectClassNotMigrated, `Cannot rename ${from}: no such Durable Object class`);
      classes[index] = to;
      if (sqliteClasses.includes(from)) sqliteClasses[sqliteClasses.indexOf(from)] = to;
    }
    for (const name of step.deleted_classes ?? []) {
      const index = classes.indexOf(name);
      if (index !== -1) classes.splice(index, 1);
    }
  }
  return { ok: true, value: { tag: migrations.new_tag, classes, sqliteClasses: sqliteClasses.filter((name) => classes.includes(name)) } };
}

/** Resolves `inherit` bindings from what the Worker runs now, and checks every target exists. */
function checkBindings(
  state: AccountState,
  scriptName: string,
  bindings: StoredBinding[],
  classes: string[],
): Outcome<{ bindings: StoredBinding[]; secrets: Record<string, string> }> {
  const script = state.scripts[scriptName];
  const previous = script ? (currentVersion(script)?.bindings ?? []) : [];
  const resolved: StoredBinding[] = [];
  const secrets: Record<string, string> = {};
  for (const binding of bindings) {
    if (binding.type === 'inherit') {
      const inherited = previous.find((candidate) => candidate.name === binding.name);
      if (inherited) resolved.push(inherited);
      else if (!script?.secrets[binding.name]) {
        return refuse(refusalCodes.badUpload, `binding ${binding.name} of type inherit has nothing to inherit from`);
      }
      continue;
    }
    if (binding.type === 'secret_text' || binding.type === 'secret_key') {
      secrets[binding.name] = String(binding.text ?? '');
      continue;
    }
    if (binding.type === 'kv_namespace' && !state.kvNamespaces.some((namespace) => namespace.id === binding.namespace_id)) {
      return refuse(refusalCodes.kvNamespaceMissing, `KV namespace '${String(binding.namespace_id)}' is not valid.`);
    }
    if (binding.type === 'r2_bucket' && !state.r2Buckets.some((bucket) => bucket.name === binding.bucket_name)) {
      return refuse(
        refusalCodes.r2BucketMissing,
        `R2 bucket '${String(binding.bucket_name)}' not found. Please use a different name and try again.`,
      );
    }
    if (binding.type === 'service' && !state.scripts[String(binding.service)]) {
      return refuse(
        refusalCodes.serviceBindingTargetMissing,
        `Could not resolve service binding '${binding.name}'. Target script '${String(binding.service)}' not found.`,
      );
    }
    if (binding.type === 'durable_object_namespace') {
      const owner = binding.script_name === undefined || binding.script_name === scriptName ? undefined : String(binding.script_name);
      const ownerClasses = owner === undefined ? classes : (state.scripts[owner]?.durableObjectClasses ?? []);
      if (!ownerClasses.includes(String(binding.class_name))) {
        return refuse(
          refusalCodes.durableObjectClassNotMigrated,
          `Cannot apply new-class migration to class '${String(binding.class_name)}' that is not created by a migration in script '${owner ?? scriptName}'`,
        );
      }
    }
    resolved.push(binding);
  }
  return { ok: true, value: { bindings: resolved, secrets } };
}

export interface UploadInput {
  metadata: UploadMetadata;
  modules: StoredModule[];
  /** `script` (PUT …/scripts/:name) deploys the new version at once; `version` (POST …/versions) only stores it. */
  mode: 'script' | 'version';
}

/** A Worker upload: a new version (and, for `script`, a deployment of it), or the refusal a real account gives. */
export function uploadScript(
  state: AccountState,
  name: string,
  input: UploadInput,
): Outcome<{ script: ScriptRecord; version: ScriptVersion }> {
  const existing = state.scripts[name];
  if (input.mode === 'version' && !existing) return findScript(state, name) as Refusal;
  if (input.mode === 'version' && input.metadata.migrations) {
    return refuse(refusalCodes.badUpload, 'Migrations are not supported with the versions API; upload the script instead');
  }
  const mainModule = input.metadata.main_module ?? input.metadata.body_part;
  if (!mainModule || !input.modules.some((module) => module.name === mainModule)) {
    return refuse(refusalCodes.badUpload, `No such module "${mainModule ?? ''}" in the upload`);
  }
  const migrated = applyMigrations(existing, input.metadata.migrations);
  if (!migrated.ok) return migrated;
  const checked = checkBindings(state, name, input.metadata.bindings ?? [], migrated.value.classes);
  if (!checked.ok) return checked;

  const stamp = now();
  const script: ScriptRecord = existing ?? {
    name,
    tag: nextId(state),
    createdOn: stamp,
    modifiedOn: stamp,
    durableObjectClasses: [],
    sqliteClasses: [],
    secrets: {},
    versions: [],
    deployments: [],
    settings: {},
    workersDev: { enabled: false, previews_enabled: false },
  };
  script.modifiedOn = stamp;
  script.migrationTag = migrated.value.tag;
  script.durableObjectClasses = migrated.value.classes;
  script.sqliteClasses = migrated.value.sqliteClasses;
  Object.assign(script.secrets, checked.value.secrets);
  const version: ScriptVersion = {
    id: nextId(state),
    number: script.versions.length + 1,
    createdOn: stamp,
    mainModule,
    compatibilityDate: input.metadata.compatibility_date,
    compatibilityFlags: input.metadata.compatibility_flags ?? [],
    bindings: checked.value.bindings,
    modules: input.modules,
  };
  script.versions.push(version);
  for (const key of ['observability', 'logpush', 'tail_consumers'] as const) {
    if (input.metadata[key] !== undefined) script.settings[key] = input.metadata[key];
  }
  state.scripts[name] = script;
  if (input.mode === 'script') deployVersions(state, name, [{ version_id: version.id, percentage: 100 }]);
  return { ok: true, value: { script, version } };
}

export function deployVersions(
  state: AccountState,
  name: string,
  versions: { version_id: string; percentage: number }[],
): Outcome<ScriptDeployment> {
  const found = findScript(state, name);
  if (!found.ok) return found;
  const total = versions.reduce((sum, entry) => sum + entry.percentage, 0);
  if (versions.length === 0 || total !== 100)
    return refuse(refusalCodes.badUpload, `A deployment's percentages must add up to 100, not ${total}`);
  for (const { version_id } of versions) {
    if (!found.value.versions.some((version) => version.id === version_id))
      return refuse(refusalCodes.badUpload, `No version ${version_id}`, 404);
  }
  const deployment: ScriptDeployment = { id: nextId(state), createdOn: now(), versions };
  found.value.deployments.push(deployment);
  // Only what runs (and what was uploaded after it) keeps its modules: a kept account stays small run after run.
  const deployed = new Set(versions.map((entry) => entry.version_id));
  const newest = Math.max(...found.value.versions.filter((version) => deployed.has(version.id)).map((version) => version.number));
  for (const version of found.value.versions) if (!deployed.has(version.id) && version.number < newest) version.modules = [];
  return { ok: true, value: deployment };
}

/**
 * Replaces a Worker's settings bindings as `PATCH …/settings` does (wrangler 4.86's secret commands): every
 * binding listed stays (inherit) or is set (secret_text); a secret not listed is deleted.
 */
export function patchSettingsBindings(state: AccountState, name: string, bindings: StoredBinding[]): Outcome<ScriptRecord> {
  const found = findScript(state, name);
  if (!found.ok) return found;
  const script = found.value;
  const secrets: Record<string, string> = {};
  for (const binding of bindings) {
    if (binding.type === 'secret_text')
      secrets[binding.name] = binding.text === undefined ? (script.secrets[binding.name] ?? '') : String(binding.text);
  }
  script.secrets = secrets;
  script.modifiedOn = now();
  return { ok: true, value: script };
}

/** `PATCH …/secrets-bulk` (wrangler 4.164): sets the given secrets, deletes those given as null. */
export function patchSecrets(state: AccountState, name: string, changes: Record<string, string | null>): Outcome<ScriptRecord> {
  const found = findScript(state, name);
  if (!found.ok) return found;
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete found.value.secrets[key];
    else found.value.secrets[key] = value;
  }
  found.value.modifiedOn = now();
  return { ok: true, value: found.value };
}

export function deleteSecret(state: AccountState, name: string, secret: string): Outcome<ScriptRecord> {
  return patchSecrets(state, name, { [secret]: null });
}

export function createKvNamespace(state: AccountState, title: string): Outcome<{ id: string; title: string }> {
  if (!title) return refuse(refusalCodes.badUpload, 'A KV namespace needs a title');
  if (state.kvNamespaces.some((namespace) => namespace.title === title)) {
    return refuse(refusalCodes.kvTitleExists, 'a namespace with this account ID and title already exists');
  }
  const namespace = { id: nextId(state), title };
  state.kvNamespaces.push(namespace);
  return { ok: true, value: namespace };
}

export function createR2Bucket(state: AccountState, name: string): Outcome<{ name: string; creation_date: string }> {
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) return refuse(10005, `The bucket name '${name}' is not valid`);
  if (state.r2Buckets.some((bucket) => bucket.name === name))
    return refuse(10004, 'The bucket you tried to create already exists, and you own it.', 409);
  const bucket = { name, creation_date: now() };
  state.r2Buckets.push(bucket);
  return { ok: true, value: bucket };
}

export function findR2Bucket(state: AccountState, name: string): Outcome<{ name: string; creation_date: string }> {
  const bucket = state.r2Buckets.find((candidate) => candidate.name === name);
  if (!bucket) return refuse(refusalCodes.r2BucketNotFound, 'The specified bucket does not exist.', 404);
  return { ok: true, value: bucket };
}

/** One page of a list, as Cloudflare pages them (`page` from 1, `per_page`), and the `result_info` to go with it. */
export function pageOf<T>(items: T[], page: number, perPage: number): { items: T[]; info: Record<string, number> } {
  const size = Math.max(1, Math.min(perPage || 20, 1000));
  const current = Math.max(1, page || 1);
  const slice = items.slice((current - 1) * size, current * size);
  return {
    items: slice,
    info: { page: current, per_page: size, count: slice.length, total_count: items.length, total_pages: Math.ceil(items.length / size) },
  };
}
