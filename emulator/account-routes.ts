// The Cloudflare API calls wrangler makes to deploy Workers and manage their secrets, KV namespaces and R2
// buckets (read from wrangler 4.86's and 4.164's source), answered from one account's state in Cloudflare's
// envelope: `{success, errors: [{code, message}], messages, result, result_info?}`.
import {
  createKvNamespace,
  createR2Bucket,
  currentVersion,
  deleteSecret,
  deployVersions,
  findR2Bucket,
  findScript,
  pageOf,
  patchSecrets,
  patchSettingsBindings,
  uploadScript,
  type AccountState,
  type Outcome,
  type ScriptRecord,
  type StoredBinding,
  type StoredModule,
  type UploadMetadata,
} from './account-state.js';

export interface AccountReply {
  status: number;
  body: unknown;
}

const ok = (result: unknown, resultInfo?: unknown): AccountReply => ({
  status: 200,
  body: { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) },
});
const fail = (status: number, code: number, message: string): AccountReply => ({
  status,
  body: { success: false, errors: [{ code, message }], messages: [], result: null },
});
const reply = <T>(outcome: Outcome<T>, shape: (value: T) => unknown): AccountReply =>
  outcome.ok ? ok(shape(outcome.value)) : fail(outcome.status, outcome.code, outcome.message);

function scriptSummary(script: ScriptRecord) {
  const version = currentVersion(script);
  return {
    id: script.name,
    tag: script.tag,
    etag: version?.id ?? script.tag,
    handlers: ['fetch'],
    created_on: script.createdOn,
    modified_on: script.modifiedOn,
    usage_model: 'standard',
    compatibility_date: version?.compatibilityDate,
    compatibility_flags: version?.compatibilityFlags ?? [],
    ...(script.migrationTag ? { migration_tag: script.migrationTag } : {}),
    has_modules: true,
    logpush: Boolean(script.settings.logpush),
    placement_mode: null,
  };
}

function settingsOf(script: ScriptRecord) {
  const version = currentVersion(script);
  const secrets = Object.keys(script.secrets).map((name) => ({ name, type: 'secret_text' }));
  return {
    bindings: [...(version?.bindings ?? []), ...secrets],
    compatibility_date: version?.compatibilityDate,
    compatibility_flags: version?.compatibilityFlags ?? [],
    logpush: Boolean(script.settings.logpush),
    observability: script.settings.observability,
    tail_consumers: script.settings.tail_consumers ?? null,
    placement: {},
    usage_model: 'standard',
    tags: script.settings.tags ?? [],
  };
}

function versionSummary(script: ScriptRecord, versionId: string) {
  const version = script.versions.find((candidate) => candidate.id === versionId);
  if (!version) return undefined;
  return {
    id: version.id,
    number: version.number,
    metadata: { created_on: version.createdOn, modified_on: version.createdOn, source: 'wrangler', author_email: 'rehearsal@example.com' },
    annotations: { 'workers/triggered_by': 'upload' },
    resources: {
      script: { etag: version.id, handlers: ['fetch'] },
      script_runtime: {
        compatibility_date: version.compatibilityDate,
        compatibility_flags: version.compatibilityFlags,
        usage_model: 'standard',
      },
      bindings: version.bindings,
    },
  };
}

/** Reads a Worker upload: the `metadata` part and one part per module (source maps are left out). */
async function readUpload(request: Request): Promise<{ metadata: UploadMetadata; modules: StoredModule[] }> {
  const form = await request.formData();
  const metadata = JSON.parse(String(form.get('metadata') ?? '{}')) as UploadMetadata;
  const modules: StoredModule[] = [];
  for (const [name, value] of form.entries()) {
    if (name === 'metadata' || typeof value === 'string') continue;
    if (value.type === 'application/source-map') continue;
    modules.push({ name, contentType: value.type, content: Buffer.from(await value.arrayBuffer()).toString('base64') });
  }
  return { metadata, modules };
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

type Handler = (context: {
  state: AccountState;
  request: Request;
  params: string[];
  query: URLSearchParams;
}) => Promise<AccountReply> | AccountReply;

/** Method, path under `/client/v4/accounts/:account`, handler. The first match answers. */
const routes: [string, RegExp, Handler][] = [
  [
    'GET',
    /^\/workers\/subdomain$/,
    ({ state }) =>
      state.subdomain ? ok({ subdomain: state.subdomain }) : fail(404, 10007, 'This account does not have a workers.dev subdomain.'),
  ],
  [
    'PUT',
    /^\/workers\/subdomain$/,
    async ({ state, request }) => {
      state.subdomain = String((await readJson(request)).subdomain ?? 'rehearsal');
      return ok({ subdomain: state.subdomain });
    },
  ],
  [
    'GET',
    /^\/workers\/services\/([^/]+)$/,
    ({ state, params }) =>
      reply(findScript(state, params[0]!), (script) => ({
        id: script.name,
        default_environment: {
          environment: 'production',
          created_on: script.createdOn,
          modified_on: script.modifiedOn,
          script: scriptSummary(script),
        },
        created_on: script.createdOn,
        modified_on: script.modifiedOn,
      })),
  ],
  // wrangler 4.164 asks for a Worker by name (its subdomain and tags).
  [
    'GET',
    /^\/workers\/workers\/([^/]+)$/,
    ({ state, params }) =>
      reply(findScript(state, params[0]!), (script) => ({
        id: script.tag,
        name: script.name,
        created_on: script.createdOn,
        updated_on: script.modifiedOn,
        subdomain: script.workersDev,
        tags: script.settings.tags ?? [],
        logpush: Boolean(script.settings.logpush),
        observability: script.settings.observability ?? { enabled: false },
        tail_consumers: script.settings.tail_consumers ?? [],
      })),
  ],
  [
    'GET',
    /^\/workers\/scripts$/,
    ({ state, query }) => {
      const { items, info } = pageOf(
        Object.values(state.scripts).map(scriptSummary),
        Number(query.get('page') ?? 1),
        Number(query.get('per_page') ?? 1000),
      );
      return ok(items, info);
    },
  ],
  [
    'PUT',
    /^\/workers\/scripts\/([^/]+)$/,
    async ({ state, request, params }) => {
      const upload = await readUpload(request);
      return reply(uploadScript(state, params[0]!, { ...upload, mode: 'script' }), ({ script, version }) => ({
        ...scriptSummary(script),
        deployment_id: version.id,
        startup_time_ms: 1,
      }));
    },
  ],
  [
    'DELETE',
    /^\/workers\/scripts\/([^/]+)$/,
    ({ state, params }) =>
      reply(findScript(state, params[0]!), (script) => {
        delete state.scripts[script.name];
        return null;
      }),
  ],
  [
    'POST',
    /^\/workers\/scripts\/([^/]+)\/versions$/,
    async ({ state, request, params }) => {
      const upload = await readUpload(request);
      return reply(uploadScript(state, params[0]!, { ...upload, mode: 'version' }), ({ script, version }) => ({
        ...versionSummary(script, version.id),
        resources: { script: { etag: version.id, handlers: ['fetch'] }, bindings: version.bindings },
        startup_time_ms: 1,
      }));
    },
  ],
  [
    'GET',
    /^\/workers\/scripts\/([^/]+)\/versions$/,
    ({ state, params }) =>
      reply(findScript(state, params[0]!), (script) => ({
        items: [...script.versions].reverse().map((version) => versionSummary(script, version.id)),
      })),
  ],
  [
    'GET',
    /^\/workers\/scripts\/([^/]+)\/versions\/([^/]+)$/,
    ({ state, params }) => {
      const found = findScript(state, params[0]!);
      if (!found.ok) return reply(found, () => null);
      const version = versionSummary(found.value, params[1]!);
      return version ? ok(version) : fail(404, 10007, `No version ${params[1]}`);
    },
  ],
  [
    'GET',
    /^\/workers\/scripts\/([^/]+)\/deployments$/,
    ({ state, params }) =>
      reply(findScript(state, params[0]!), (script) => ({
        deployments: [...script.deployments].reverse().map((deployment) => ({
          id: deployment.id,
          source: 'wrangler',
          strategy: 'percentage',
          author_email: 'rehearsal@example.com',
          created_on: deployment.createdOn,
          versions: deployment.versions,
          annotations: {},
        })),
      })),
  ],
  [
    'POST',
    /^\/workers\/scripts\/([^/]+)\/deployments$/,
    async ({ state, request, params }) => {
      const body = await readJson(request);
      return reply(
        deployVersions(state, params[0]!, (body.versions ?? []) as { version_id: string; percentage: number }[]),
        (deployment) => ({
          id: deployment.id,
          strategy: 'percentage',
          created_on: deployment.createdOn,
          versions: deployment.versions,
        }),
      );
    },
  ],
  ['GET', /^\/workers\/scripts\/([^/]+)\/settings$/, ({ state, params }) => reply(findScript(state, params[0]!), settingsOf)],
  [
    'PATCH',
    /^\/workers\/scripts\/([^/]+)\/settings$/,
    async ({ state, request, params }) => {
      const form = await request.formData();
      const settings = JSON.parse(String(form.get('settings') ?? '{}')) as { bindings?: StoredBinding[] };
      if (!settings.bindings) return reply(findScript(state, params[0]!), settingsOf);
      return reply(patchSettingsBindings(state, params[0]!, settings.bindings), settingsOf);
    },
  ],
  [
    'GET',
    /^\/workers\/scripts\/([^/]+)\/script-settings$/,
    ({ state, params }) => reply(findScript(state, params[0]!), (script) => script.settings),
  ],
  [
    'PATCH',
    /^\/workers\/scripts\/([^/]+)\/script-settings$/,
    async ({ state, request, params }) => {
      const body = await readJson(request);
      return reply(findScript(state, params[0]!), (script) => Object.assign(script.settings, body));
    },
  ],
  [
    'GET',
    /^\/workers\/scripts\/([^/]+)\/subdomain$/,
    ({ state, params }) => reply(findScript(state, params[0]!), (script) => script.workersDev),
  ],
  [
    'POST',
    /^\/workers\/scripts\/([^/]+)\/subdomain$/,
    async ({ state, request, params }) => {
      const body = await readJson(request);
      return reply(findScript(state, params[0]!), (script) => {
        script.workersDev = { enabled: Boolean(body.enabled), previews_enabled: Boolean(body.previews_enabled ?? body.enabled) };
        return script.workersDev;
      });
    },
  ],
  [
    'GET',
    /^\/workers\/scripts\/([^/]+)\/secrets$/,
    ({ state, params }) =>
      reply(findScript(state, params[0]!), (script) => Object.keys(script.secrets).map((name) => ({ name, type: 'secret_text' }))),
  ],
  [
    'PUT',
    /^\/workers\/scripts\/([^/]+)\/secrets$/,
    async ({ state, request, params }) => {
      const body = await readJson(request);
      return reply(patchSecrets(state, params[0]!, { [String(body.name)]: String(body.text ?? '') }), () => ({
        name: body.name,
        type: 'secret_text',
      }));
    },
  ],
  [
    'DELETE',
    /^\/workers\/scripts\/([^/]+)\/secrets\/([^/]+)$/,
    ({ state, params }) => reply(deleteSecret(state, params[0]!, decodeURIComponent(params[1]!)), () => null),
  ],
  // wrangler 4.164's `secret bulk`: a merge patch `{secrets: {NAME: {name, type, text} | null}}` (null deletes).
  [
    'PATCH',
    /^\/workers\/scripts\/([^/]+)\/secrets-bulk$/,
    async ({ state, request, params }) => {
      const body = (await readJson(request)) as { secrets?: Record<string, { text?: string } | null> };
      const changes: Record<string, string | null> = {};
      for (const [name, value] of Object.entries(body.secrets ?? {})) changes[name] = value === null ? null : String(value.text ?? '');
      return reply(patchSecrets(state, params[0]!, changes), (script) =>
        Object.keys(script.secrets).map((name) => ({ name, type: 'secret_text' })),
      );
    },
  ],
  [
    'GET',
    /^\/storage\/kv\/namespaces$/,
    ({ state, query }) => {
      const { items, info } = pageOf(
        [...state.kvNamespaces]
          .sort((a, b) => a.title.localeCompare(b.title))
          .map((namespace) => ({ ...namespace, supports_url_encoding: true })),
        Number(query.get('page') ?? 1),
        Number(query.get('per_page') ?? 20),
      );
      return ok(items, info);
    },
  ],
  [
    'POST',
    /^\/storage\/kv\/namespaces$/,
    async ({ state, request }) =>
      reply(createKvNamespace(state, String((await readJson(request)).title ?? '')), (namespace) => ({
        ...namespace,
        supports_url_encoding: true,
      })),
  ],
  ['GET', /^\/r2\/buckets$/, ({ state }) => ok({ buckets: state.r2Buckets })],
  [
    'POST',
    /^\/r2\/buckets$/,
    async ({ state, request }) => reply(createR2Bucket(state, String((await readJson(request)).name ?? '')), (bucket) => bucket),
  ],
  ['GET', /^\/r2\/buckets\/([^/]+)$/, ({ state, params }) => reply(findR2Bucket(state, params[0]!), (bucket) => bucket)],
];

/** Calls that are not about one account: who the token belongs to. */
function answerUserCall(state: AccountState, method: string, path: string): AccountReply | undefined {
  if (method !== 'GET') return undefined;
  if (path === '/user') return ok({ id: 'rehearsal-user', email: 'rehearsal@example.com' });
  if (path === '/user/tokens/verify') return ok({ id: 'rehearsal-token', status: 'active' });
  if (path === '/accounts')
    return ok([{ id: state.accountId, name: 'Emulated account' }], { page: 1, per_page: 20, count: 1, total_count: 1 });
  if (path === '/memberships')
    return ok([{ id: 'membership', account: { id: state.accountId, name: 'Emulated account' }, status: 'accepted', permissions: [] }]);
  return undefined;
}

/**
 * Answers one call made to `<base>/client/v4…`; `path` is what follows `/client/v4`. A call nobody answers gets
 * Cloudflare's "no route" error, so that a new wrangler call shows up in the recording instead of passing.
 */
export async function answerAccountCall(state: AccountState, request: Request, path: string): Promise<AccountReply> {
  const method = request.method.toUpperCase();
  const user = answerUserCall(state, method, path);
  if (user) return user;
  const prefix = `/accounts/${state.accountId}`;
  if (!path.startsWith(`${prefix}/`)) {
    if (path.startsWith('/accounts/')) return fail(403, 10000, 'Authentication error');
    return fail(404, 7003, `No route for that URI`);
  }
  const rest = path.slice(prefix.length);
  if (state.r2Enabled === false && rest.startsWith('/r2/')) return fail(403, 10042, 'Please enable R2 through the Cloudflare Dashboard.');
  const query = new URL(request.url).searchParams;
  for (const [routeMethod, pattern, handler] of routes) {
    if (routeMethod !== method) continue;
    const match = pattern.exec(rest);
    if (!match) continue;
    try {
      return await handler({ state, request, params: match.slice(1).map((part) => decodeURIComponent(part)), query });
    } catch (error) {
      return fail(400, 10021, `Could not read the request: ${(error as Error).message}`);
    }
  }
  return fail(404, 7003, `No route for that URI`);
}
