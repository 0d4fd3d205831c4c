import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The local identity stand-in of `appshell dev`: answers like InstantDB's token check and Supabase's user
 * endpoint, so a newcomer can try the whole flow without an account. It binds 127.0.0.1 only and is named only
 * in the local `--var` overrides of `wrangler dev`, never in a config file.
 *
 * Development tokens: `dev-user:<id>` (lowercase letters, digits, `-` and `_`, at most 64), for both providers.
 * The user's email is `<id>@dev.appshell.local`.
 */
export const devTokenPattern = /^dev-user:([a-z0-9_-]{1,64})$/;

export interface DevUser {
  id: string;
  email: string;
}

export function userForDevToken(token: unknown): DevUser | undefined {
  if (typeof token !== 'string') return undefined;
  const match = devTokenPattern.exec(token);
  return match ? { id: match[1]!, email: `${match[1]}@dev.appshell.local` } : undefined;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (request.method === 'POST' && url.pathname === '/runtime/auth/verify_refresh_token') {
    const body = await readJson(request);
    const user = userForDevToken(body?.['refresh-token']);
    if (!user) return send(response, 400, { type: 'record-not-found', message: 'Record not found: app-user-refresh-token' });
    return send(response, 200, { user: { id: user.id, email: user.email, refresh_token: body?.['refresh-token'] } });
  }
  if (request.method === 'GET' && url.pathname === '/auth/v1/user') {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const user = userForDevToken(token);
    if (!user) return send(response, 401, { code: 401, error_code: 'bad_jwt', msg: 'invalid JWT' });
    return send(response, 200, { id: user.id, aud: 'authenticated', role: 'authenticated', email: user.email });
  }
  send(response, 404, { error: 'not found' });
}

export interface RunningIdentityStandIn {
  url: string;
  close(): Promise<void>;
}

export async function startIdentityStandIn(port = 0): Promise<RunningIdentityStandIn> {
  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => send(response, 500, { error: 'stand-in failed' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
