// The emulated account's HTTP side: a node http server on 127.0.0.1 that wrangler reaches through
// CLOUDFLARE_API_BASE_URL=<url>/client/v4. It records every call and can be told to refuse one upload.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerAccountCall } from './account-routes.js';
import { createAccountState, type AccountState } from './account-state.js';

export interface RecordedAccountCall {
  method: string;
  /** Under `/client/v4`, without the query. */
  path: string;
  query: string;
  status: number;
  /** Cloudflare's error code when the call was refused. */
  code?: number;
}

export interface RunningAccountServer {
  state: AccountState;
  /** `http://127.0.0.1:<port>/client/v4`: what CLOUDFLARE_API_BASE_URL must be. */
  apiBaseUrl: string;
  calls: RecordedAccountCall[];
  /** The environment that points wrangler at this account (no TTY prompts, no metrics, no login). */
  wranglerEnv: () => Record<string, string>;
  /** The next upload of `scriptName` (PUT script or POST version) is refused with this code. */
  failNextUpload: (scriptName: string, refusal?: { code: number; message: string }) => void;
  close: () => Promise<void>;
}

export interface AccountServerOptions {
  state?: AccountState;
  /** Called after every call that may have changed the state (to persist it). */
  onChange?: (state: AccountState) => void | Promise<void>;
}

async function toRequest(incoming: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  const method = incoming.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' || chunks.length === 0 ? undefined : Buffer.concat(chunks);
  return new Request(new URL(incoming.url ?? '/', origin), { method, headers, body });
}

const uploadPath = /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)(?:\/versions)?$/;

/**
 * Starts an emulated Cloudflare account (a fresh one unless `state` is given).
 *
 * @example
 * const account = await startAccountServer();
 * await execa('npx', ['wrangler', 'deploy', '--env', 'staging'], { env: account.wranglerEnv() });
 * await account.close();
 */
export async function startAccountServer(options: AccountServerOptions = {}): Promise<RunningAccountServer> {
  const state = options.state ?? createAccountState();
  const calls: RecordedAccountCall[] = [];
  const failures = new Map<string, { code: number; message: string }>();
  let origin = '';
  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const request = await toRequest(incoming, origin);
      const url = new URL(request.url);
      const path = url.pathname.replace(/^\/client\/v4/, '') || '/';
      const upload = uploadPath.exec(path);
      const method = request.method.toUpperCase();
      const refusal = upload && (method === 'PUT' || method === 'POST') ? failures.get(decodeURIComponent(upload[1]!)) : undefined;
      let status: number;
      let body: unknown;
      if (refusal) {
        failures.delete(decodeURIComponent(upload![1]!));
        status = 400;
        body = { success: false, errors: [refusal], messages: [], result: null };
      } else {
        ({ status, body } = await answerAccountCall(state, request, path));
      }
      const code = (body as { errors?: { code: number }[] }).errors?.[0]?.code;
      calls.push({ method, path, query: url.search, status, ...(code !== undefined ? { code } : {}) });
      if (method !== 'GET') await options.onChange?.(state);
      outgoing.writeHead(status, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify(body));
    })().catch((error: Error) => {
      outgoing.writeHead(500, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ success: false, errors: [{ code: 10013, message: error.message }], messages: [], result: null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const apiBaseUrl = `${origin}/client/v4`;
  return {
    state,
    apiBaseUrl,
    calls,
    wranglerEnv: () => ({
      CLOUDFLARE_API_BASE_URL: apiBaseUrl,
      CLOUDFLARE_API_TOKEN: 'rehearsal-token',
      CLOUDFLARE_ACCOUNT_ID: state.accountId,
      CI: 'true',
      WRANGLER_SEND_METRICS: 'false',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    }),
    failNextUpload: (
      scriptName,
      refusal = { code: 10013, message: `An unknown error occurred (simulated for ${scriptName}) [code: 10013]` },
    ) => {
      failures.set(scriptName, refusal);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
