#!/usr/bin/env node
// Request overhead of the API Worker, all in one local workerd run (Miniflare, as `wrangler dev` uses):
// a bare "hello" Worker, a small Hono + hono/jwt Worker checking the same token, and the API Worker
// template (`templates/workers/api`) on `/health`, `/v1/hello` (auth guard + rate limiter) and
// `GET /v1/projects` (guard + rate limiter + KV). Load comes from autocannon, bounded in time; latencies are
// taken from every response with sub-millisecond precision (autocannon's own histogram rounds to 1 ms).
// For the team's choice of limiter, the same template is also bundled with its limiter swapped at build time
// (NOT the shipped design): once for the Workers Rate Limiting binding (approximate, per location), once for
// none at all (the guard alone).
//
//   node bench/api-overhead.mjs [--duration 8] [--warmup 2] [--connections 1,10] [--write]
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
    // 1 connection: the latency one request pays. 10: a busy Worker on this 2-core machine (one user, so
    // every request also queues on that user's single rate-limiter object).
    connections: { type: 'string', default: '1,10' },
    write: { type: 'boolean', default: false },
  },
});
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const concurrencies = args.connections.split(',').map(Number);

// Bench-only values: nothing here protects anything.
const secret = 'bench-only-session-secret-0123456789abcdef0123';
const issuer = 'bench-auth-shim';
const audience = 'bench-api';
const compatibilityDate = '2026-04-20';

const helloSource = `export default { fetch() { return new Response('hello'); } };`;

// The comparison point a team would write by hand: Hono with its own JWT middleware, same token, no rate
// limit, no storage.
const honoJwtSource = `
import { Hono } from 'hono';
import { jwt } from 'hono/jwt';
const app = new Hono();
app.use('/v1/*', (c, next) => jwt({ secret: c.env.SESSION_JWT_SECRET, alg: 'HS256' })(c, next));
app.get('/v1/projects', (c) => c.json({ projects: [], user: c.get('jwtPayload').sub }));
export default app;
`;

/**
 * An esbuild plugin that replaces the module `rate-limit.ts` imports (`lib/rate-limiter.js`, the Durable Object
 * client) with a stand-in of the same interface: `binding` asks a Workers Rate Limiting binding, `none` admits all.
 */
function swapLimiter(kind) {
  const real = join(root, 'templates/runtime/lib/rate-limiter.ts');
  const contents = {
    binding: `export { rateLimitHeaders } from ${JSON.stringify(real)};
export async function checkRateLimit(limiter, key, limit, windowSeconds) {
  const { success } = await limiter.limit({ key });
  // The binding tells only yes or no: what is left is not known.
  return { allowed: success, limit, remaining: success ? limit - 1 : 0, resetSeconds: windowSeconds };
}`,
    none: `export { rateLimitHeaders } from ${JSON.stringify(real)};
export async function checkRateLimit(_limiter, _key, limit, windowSeconds) {
  return { allowed: true, limit, remaining: limit, resetSeconds: windowSeconds };
}`,
  }[kind];
  return {
    name: `limiter-${kind}`,
    setup(builder) {
      builder.onResolve({ filter: /rate-limiter\.js$/ }, (resolved) =>
        resolved.importer.endsWith('rate-limit.ts') ? { path: `limiter-${kind}`, namespace: 'bench-limiter' } : undefined,
      );
      builder.onLoad({ filter: /.*/, namespace: 'bench-limiter' }, () => ({ contents, loader: 'js', resolveDir: root }));
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
    const apiBindingScript = await bundle(outDir, 'api-ratelimit-binding', { entryPoints: apiEntry, plugins: [swapLimiter('binding')] });
    const apiNoLimiterScript = await bundle(outDir, 'api-no-limiter', { entryPoints: apiEntry, plugins: [swapLimiter('none')] });
    const honoScript = await bundle(outDir, 'hono-jwt', { stdin: { contents: honoJwtSource, resolveDir: root, loader: 'js' } });
    const socket = [{ host: '127.0.0.1', port: 0 }];
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
          name: 'hono-jwt',
          modules: true,
          scriptPath: honoScript,
          modulesRoot: outDir,
          compatibilityDate,
          compatibilityFlags: ['nodejs_compat'],
          bindings: { SESSION_JWT_SECRET: secret },
          unsafeDirectSockets: socket,
        },
        apiWorker('api', apiScript, { durableObjects: { RATE_LIMITER: { className: 'RateLimiter', useSQLite: true } } }),
        apiWorker('api-ratelimit-binding', apiBindingScript, { ratelimits: { RATE_LIMITER: { simple: { limit: 100000000, period: 60 } } } }),
        apiWorker('api-no-limiter', apiNoLimiterScript, {}),
      ],
    });
    await mf.ready;
    const urlOf = async (name) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, '');
    const [helloUrl, honoUrl, apiUrl, bindingUrl, noLimiterUrl] = await Promise.all(
      ['hello', 'hono-jwt', 'api', 'api-ratelimit-binding', 'api-no-limiter'].map(urlOf),
    );

    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email: 'bench@example.com', roles: ['member'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('bench_user')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(secret));
    const auth = { authorization: `Bearer ${token}` };

    // One project, so the list reads the index and the project (a realistic small page, not an empty one).
    const created = await fetch(`${apiUrl}/v1/projects`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    if (created.status !== 201) throw new Error(`seeding a project failed: ${created.status} ${await created.text()}`);
    // The variants share the PROJECTS namespace (same id), so they list the same one project.
    for (const url of [bindingUrl, noLimiterUrl]) {
      const listed = (await (await fetch(`${url}/v1/projects`, { headers: auth })).json()).projects;
      if (listed?.length !== 1) throw new Error(`${url} lists ${listed?.length} projects, not the seeded one`);
    }

    const targets = [
      { label: 'bare "hello" Worker', url: `${helloUrl}/`, headers: {} },
      { label: 'Hono + hono/jwt, `GET /v1/projects`', url: `${honoUrl}/v1/projects`, headers: auth },
      { label: 'api `GET /health` (no auth)', url: `${apiUrl}/health`, headers: {} },
      { label: 'api `GET /v1/hello` (guard + rate limit)', url: `${apiUrl}/v1/hello`, headers: auth },
      { label: 'api `GET /v1/projects` (guard + rate limit + KV)', url: `${apiUrl}/v1/projects`, headers: auth, shipped: true },
      { label: 'not shipped: Rate Limiting binding (approximate), `GET /v1/hello`', url: `${bindingUrl}/v1/hello`, headers: auth },
      { label: 'not shipped: Rate Limiting binding (approximate), `GET /v1/projects`', url: `${bindingUrl}/v1/projects`, headers: auth },
      { label: 'not shipped: no limiter, `GET /v1/hello` (guard only)', url: `${noLimiterUrl}/v1/hello`, headers: auth },
      { label: 'not shipped: no limiter, `GET /v1/projects` (guard + KV)', url: `${noLimiterUrl}/v1/projects`, headers: auth },
    ];
    const rows = [];
    for (const target of targets) {
      const row = { label: target.label, shipped: Boolean(target.shipped), runs: [] };
      for (const connections of concurrencies) {
        const run = await measure(target, connections);
        row.runs.push(run);
        console.error(`${target.label} @${connections}: p50 ${run.p50.toFixed(3)} ms, ${run.rps.toFixed(0)} req/s`);
      }
      rows.push(row);
    }
    const table = renderTable(rows);
    console.log(table);
    if (args.write) writeSection(table);
  } finally {
    await mf?.dispose();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The API Worker template with the bench's vars; `extra` says how RATE_LIMITER is bound. */
function apiWorker(name, scriptPath, extra) {
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
      RATE_LIMIT_PER_MINUTE: '100000000',
    },
    kvNamespaces: ['PROJECTS'],
    r2Buckets: ['R2'],
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    ...extra,
  };
}

function renderTable(rows) {
  const [bare, hono] = rows;
  const at = (c) => `${c} conn.`;
  const header = concurrencies.flatMap((c) => [`p50 ms (${at(c)})`, `p99 ms`, `req/s`, `p50 × bare`]);
  const lines = [
    `Node ${process.version}, one Miniflare/workerd process (wrangler ${wranglerVersion()}), 127.0.0.1, ` +
      `${warmup} s warm-up + ${duration} s per cell; latencies of every 2xx response (sub-ms).`,
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
  const projects = rows.find((row) => row.shipped);
  concurrencies.forEach((c, i) => {
    const ratio = projects.runs[i].p50 / bare.runs[i].p50;
    const vsHono = projects.runs[i].p50 / hono.runs[i].p50;
    lines.push(
      `- ${at(c)}: authenticated \`GET /v1/projects\` p50 = **${ratio.toFixed(2)}×** the bare Worker ` +
        `(goal ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'missed'}), ${vsHono.toFixed(2)}× Hono + hono/jwt.`,
    );
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
