#!/usr/bin/env node
// Request overhead of the API Worker, all in one local workerd run (Miniflare, as `wrangler dev` uses), against
// like-for-like cells: a bare "hello" Worker; the floor of an exact limiter (one RPC to a Durable Object method that
// increments an in-memory counter); a peer a team would hand-roll for the same job (Hono + hono/jwt checking HS256
// with iss/aud/exp, a per-user Durable Object counter called once per request, the same KV list + get as
// `/v1/projects`); and the API Worker template (`templates/workers/api`) as shipped with either limiter
// (`RATE_LIMITER_MODE` exact or edge) on `/health`, `/v1/hello` and `GET /v1/projects`. One more bundle of the
// template has its limiter cut out at build time, only to measure the limiter's own cost (guard-only `/v1/hello`).
// Load comes from autocannon, bounded in time; latencies are taken from every response with sub-millisecond
// precision (autocannon's own histogram rounds to 1 ms). Cells run interleaved, `--rounds` times, and each figure is
// the median over the rounds, so that a burst of load from elsewhere on the machine moves one round, not a cell.
//
//   node bench/api-overhead.mjs [--duration 8] [--warmup 2] [--rounds 3] [--connections 1,10] [--write]
//
// --write replaces the `api-overhead` section of bench/README.md with the table.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { SignJWT } from 'jose';
import { Miniflare } from 'miniflare';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    // 1 connection: the latency one request pays. 10: a busy Worker on this 2-core machine (one user, so
    // every request also queues on that user's single rate-limiter object).
    connections: { type: 'string', default: '1,10' },
    write: { type: 'boolean', default: false },
  },
});
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const rounds = Number(args.rounds);
const concurrencies = args.connections.split(',').map(Number);

// Bench-only values: nothing here protects anything.
const secret = 'bench-only-session-secret-0123456789abcdef0123';
const issuer = 'bench-auth-shim';
const audience = 'bench-api';
const compatibilityDate = '2026-04-20';

/** Every limiter in the bench admits this many a minute, so no run ever hits 429 and every request is counted. */
const benchLimit = 100_000_000;

const helloSource = `export default { fetch() { return new Response('hello'); } };`;

// The floor of any exact per-user limiter: one RPC to a Durable Object method that increments an in-memory counter.
const floorSource = `
import { DurableObject } from 'cloudflare:workers';
export class Counter extends DurableObject {
  count = 0;
  increment() { return ++this.count; }
}
export default {
  async fetch(request, env) {
    const stub = env.COUNTER.get(env.COUNTER.idFromName('bench_user'));
    return new Response(String(await stub.increment()));
  },
};
`;

// The peer a team would hand-roll for the same job (not our code re-used): Hono with its own JWT middleware
// (HS256, iss/aud/exp checked), a per-user Durable Object counter called once per request (in memory, a fixed
// minute), and for /v1/projects the same KV list + get as the API Worker's store.
const peerSource = `
import { Hono } from 'hono';
import { jwt } from 'hono/jwt';
import { DurableObject } from 'cloudflare:workers';
export class UserCounter extends DurableObject {
  startedMs = 0;
  count = 0;
  hit(limit) {
    const now = Date.now();
    if (now - this.startedMs >= 60000) { this.startedMs = now; this.count = 0; }
    this.count += 1;
    return this.count <= limit;
  }
}
const app = new Hono();
let guard;
app.use('/v1/*', (c, next) => {
  guard ??= jwt({ secret: c.env.SESSION_JWT_SECRET, alg: 'HS256', verification: { iss: c.env.ISSUER, aud: c.env.AUDIENCE } });
  return guard(c, next);
});
app.use('/v1/*', async (c, next) => {
  const sub = c.get('jwtPayload').sub;
  const allowed = await c.env.COUNTER.get(c.env.COUNTER.idFromName(sub)).hit(Number(c.env.LIMIT));
  if (!allowed) return c.json({ error: { code: 'rate_limited', message: 'Too many requests' } }, 429);
  await next();
});
app.get('/v1/hello', (c) => c.json({ hello: c.get('jwtPayload').sub }));
app.get('/v1/projects', async (c) => {
  const prefix = 'member/~/' + c.get('jwtPayload').sub + '/';
  const page = await c.env.PROJECTS.list({ prefix, limit: 50 });
  const found = await Promise.all(page.keys.map((key) => c.env.PROJECTS.get('project/~/' + key.name.slice(prefix.length), 'json')));
  return c.json({ projects: found.filter(Boolean) });
});
export default app;
`;

/**
 * An esbuild plugin for the measuring instrument only (never shipped): `rate-limit.ts`'s `countRequest` is replaced
 * by one that admits every request, so the template's `/v1/hello` then costs the pipeline and the guard alone.
 */
function withoutLimiter() {
  const real = join(root, 'templates/workers/api/src/rate-limit.ts');
  return {
    name: 'without-limiter',
    setup(builder) {
      builder.onLoad({ filter: /rate-limit\.ts$/ }, (loaded) => {
        if (loaded.path !== real) return undefined;
        const source = readFileSync(real, 'utf8');
        const marker = 'export async function countRequest(';
        if (!source.includes(marker)) throw new Error('rate-limit.ts has no countRequest to cut out');
        const contents = source.replace(
          marker,
          `export async function countRequest(_env: Env, _key: string, limit: number): Promise<RateLimitDecision> {
  return { allowed: true, limit, remaining: limit, resetSeconds: 60 };
}
export async function countRequestAsShipped(`,
        );
        return { contents, loader: 'ts' };
      });
    },
  };
}

async function bundle(outDir, name, options) {
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    ...options,
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'error',
  });
  return outfile;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One autocannon run; resolves with exact latencies of 2xx responses and the request rate. */
function load(url, headers, seconds, connections, collect) {
  return new Promise((resolveRun, rejectRun) => {
    const latencies = [];
    const instance = autocannon({ url, headers, connections, duration: seconds }, (error, result) => {
      if (error) rejectRun(error);
      else resolveRun({ result, latencies });
    });
    if (collect) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      });
    }
  });
}

async function measure(target, connections) {
  await load(target.url, target.headers, warmup, connections, false);
  const { result, latencies } = await load(target.url, target.headers, duration, connections, true);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${target.label}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: result.requests.total / duration };
}

async function main() {
  const outDir = mkdtempSync(join(tmpdir(), 'appshell-bench-'));
  let mf;
  try {
    const apiEntry = [join(root, 'templates/workers/api/src/index.ts')];
    const apiScript = await bundle(outDir, 'api', { entryPoints: apiEntry });
    const apiGuardOnlyScript = await bundle(outDir, 'api-guard-only', { entryPoints: apiEntry, plugins: [withoutLimiter()] });
    const floorScript = await bundle(outDir, 'floor', { stdin: { contents: floorSource, resolveDir: root, loader: 'js' } });
    const peerScript = await bundle(outDir, 'peer', { stdin: { contents: peerSource, resolveDir: root, loader: 'js' } });
    const socket = [{ host: '127.0.0.1', port: 0 }];
    const sqliteObject = (className) => ({ className, useSQLite: true });
    mf = new Miniflare({
      host: '127.0.0.1',
      port: 0,
      // workerd prints each Worker's log lines on stdout; drain them so the terminal is not the bottleneck.
      handleRuntimeStdio(stdout, stderr) {
        stdout.resume();
        stderr.pipe(process.stderr);
      },
      workers: [
        { name: 'hello', modules: true, script: helloSource, compatibilityDate, unsafeDirectSockets: socket },
        {
          name: 'floor',
          modules: true,
          scriptPath: floorScript,
          modulesRoot: outDir,
          compatibilityDate,
          durableObjects: { COUNTER: sqliteObject('Counter') },
          unsafeDirectSockets: socket,
        },
        {
          name: 'peer',
          modules: true,
          scriptPath: peerScript,
          modulesRoot: outDir,
          compatibilityDate,
          compatibilityFlags: ['nodejs_compat'],
          bindings: { SESSION_JWT_SECRET: secret, ISSUER: issuer, AUDIENCE: audience, LIMIT: String(benchLimit) },
          kvNamespaces: ['PROJECTS'],
          durableObjects: { COUNTER: sqliteObject('UserCounter') },
          unsafeDirectSockets: socket,
        },
        apiWorker(
          'api-exact',
          apiScript,
          { durableObjects: { RATE_LIMITER: sqliteObject('RateLimiter') } },
          { RATE_LIMITER_MODE: 'exact' },
        ),
        apiWorker(
          'api-edge',
          apiScript,
          { ratelimits: { [`RATE_LIMIT_EDGE_${benchLimit}`]: { simple: { limit: benchLimit, period: 60 } } } },
          { RATE_LIMITER_MODE: 'edge' },
        ),
        apiWorker('api-guard-only', apiGuardOnlyScript, {}, {}),
      ],
    });
    await mf.ready;
    const urlOf = async (name) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, '');
    const [helloUrl, floorUrl, peerUrl, exactUrl, edgeUrl, guardOnlyUrl] = await Promise.all(
      ['hello', 'floor', 'peer', 'api-exact', 'api-edge', 'api-guard-only'].map(urlOf),
    );

    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email: 'bench@example.com', roles: ['member'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('bench_user')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(secret));
    const auth = { authorization: `Bearer ${token}` };

    // One project, so the list reads the index and the project (a realistic small page, not an empty one).
    const created = await fetch(`${exactUrl}/v1/projects`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    if (created.status !== 201) throw new Error(`seeding a project failed: ${created.status} ${await created.text()}`);
    // Every Worker binds the same PROJECTS namespace (same id), so each lists the same one project.
    for (const url of [edgeUrl, guardOnlyUrl, peerUrl]) {
      const listed = (await (await fetch(`${url}/v1/projects`, { headers: auth })).json()).projects;
      if (listed?.length !== 1) throw new Error(`${url} lists ${listed?.length} projects, not the seeded one`);
    }

    const targets = [
      { id: 'bare', label: 'bare "hello" Worker', url: `${helloUrl}/`, headers: {} },
      { id: 'floor', label: 'floor: one RPC to a Durable Object counting in memory', url: `${floorUrl}/`, headers: {} },
      {
        id: 'peerHello',
        label: 'peer (Hono + hono/jwt + per-user DO counter), `GET /v1/hello`',
        url: `${peerUrl}/v1/hello`,
        headers: auth,
      },
      { id: 'peerProjects', label: 'peer, `GET /v1/projects` (+ KV list + get)', url: `${peerUrl}/v1/projects`, headers: auth },
      { id: 'health', label: 'api `GET /health` (pipeline alone)', url: `${exactUrl}/health`, headers: {} },
      { id: 'exactHello', label: 'api exact, `GET /v1/hello` (guard + limiter)', url: `${exactUrl}/v1/hello`, headers: auth },
      { id: 'exactProjects', label: 'api exact, `GET /v1/projects` (guard + limiter + KV)', url: `${exactUrl}/v1/projects`, headers: auth },
      { id: 'edgeHello', label: 'api edge, `GET /v1/hello`', url: `${edgeUrl}/v1/hello`, headers: auth },
      { id: 'edgeProjects', label: 'api edge, `GET /v1/projects`', url: `${edgeUrl}/v1/projects`, headers: auth },
      {
        id: 'guardHello',
        label: 'instrument: api with the limiter cut out, `GET /v1/hello` (guard only)',
        url: `${guardOnlyUrl}/v1/hello`,
        headers: auth,
      },
    ];
    const samples = new Map(targets.map((target) => [target.id, concurrencies.map(() => [])]));
    for (let round = 1; round <= rounds; round += 1) {
      for (const target of targets) {
        for (const [index, connections] of concurrencies.entries()) {
          const run = await measure(target, connections);
          samples.get(target.id)[index].push(run);
          console.error(
            `round ${round}/${rounds} ${target.label} @${connections}: p50 ${run.p50.toFixed(3)} ms, ${run.rps.toFixed(0)} req/s`,
          );
        }
      }
    }
    const median = (values) => {
      const sorted = [...values].sort((x, y) => x - y);
      const middle = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    };
    const rows = targets.map((target) => ({
      id: target.id,
      label: target.label,
      runs: samples.get(target.id).map((runs) => ({
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        rps: median(runs.map((r) => r.rps)),
      })),
    }));
    const table = renderTable(rows);
    console.log(table);
    if (args.write) writeSection(table);
  } finally {
    await mf?.dispose();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The API Worker template with the bench's vars; `extra` binds its limiter, `vars` adds RATE_LIMITER_MODE. */
function apiWorker(name, scriptPath, extra, vars) {
  return {
    name,
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    compatibilityDate,
    compatibilityFlags: ['nodejs_compat'],
    bindings: {
      SESSION_JWT_ALG: 'HS256',
      SESSION_JWT_ISSUER: issuer,
      SESSION_JWT_AUDIENCE: audience,
      SESSION_JWT_SECRET: secret,
      ALLOWED_ORIGINS: 'http://localhost:3000',
      // High enough that the run never hits 429: every request still goes through the limiter.
      RATE_LIMIT_PER_MINUTE: String(benchLimit),
      ...vars,
    },
    kvNamespaces: ['PROJECTS'],
    r2Buckets: ['R2'],
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    ...extra,
  };
}

function renderTable(rows) {
  const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
  const bare = byId.bare;
  const at = (c) => `${c} conn.`;
  const header = concurrencies.flatMap((c) => [`p50 ms (${at(c)})`, `p99 ms`, `req/s`, `p50 × bare`]);
  const lines = [
    `Node ${process.version}, one Miniflare/workerd process (wrangler ${wranglerVersion()}), 127.0.0.1, ` +
      `${warmup} s warm-up + ${duration} s per cell, ${rounds} interleaved rounds (medians); latencies of every 2xx response (sub-ms).`,
    '',
    `| target | ${header.join(' | ')} |`,
    `| --- | ${header.map(() => '---:').join(' | ')} |`,
    ...rows.map(
      (row) =>
        `| ${row.label} | ${row.runs
          .flatMap((r, i) => [r.p50.toFixed(3), r.p99.toFixed(2), r.rps.toFixed(0), (r.p50 / bare.runs[i].p50).toFixed(2)])
          .join(' | ')} |`,
    ),
    '',
  ];
  const verdict = (ratio, goal) => `**${ratio.toFixed(2)}×** (goal ≤ ${goal}×: ${ratio <= goal ? 'met' : 'missed'})`;
  const p50 = (id, i) => byId[id].runs[i].p50;
  concurrencies.forEach((c, i) => {
    const floorCost = p50('floor', i) - p50('bare', i);
    const parts = [
      ['exact', 'exactHello', 'exactProjects'],
      ['edge', 'edgeHello', 'edgeProjects'],
    ].map(([mode, hello, projects]) => {
      const limiterCost = p50(hello, i) - p50('guardHello', i);
      return (
        `${mode}: \`/v1/projects\` ${verdict(p50(projects, i) / p50('peerProjects', i), 1.15)} the peer; ` +
        `\`/v1/hello\` ${verdict(p50(hello, i) / p50('peerHello', i), 1.15)} the peer without its KV reads; ` +
        `limiter cost ${limiterCost.toFixed(3)} ms = ${verdict(limiterCost / floorCost, 1.25)} the floor's ${floorCost.toFixed(3)} ms`
      );
    });
    lines.push(`- ${at(c)}: ${parts.join('. ')}. \`/health\` ${verdict(p50('health', i) / p50('bare', i), 1.3)} bare.`);
  });
  return lines.join('\n');
}

function wranglerVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules/wrangler/package.json'), 'utf8')).version;
}

function writeSection(table) {
  const path = join(root, 'bench/README.md');
  const begin = '<!-- api-overhead:begin -->';
  const end = '<!-- api-overhead:end -->';
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start === -1 || stop === -1) throw new Error(`bench/README.md has no ${begin} … ${end} section`);
  writeFileSync(path, `${text.slice(0, start + begin.length)}\n${table}\n${text.slice(stop)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
