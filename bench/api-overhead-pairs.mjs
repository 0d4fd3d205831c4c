#!/usr/bin/env node
// Minimal pairs behind bench/api-overhead.mjs's missed goals: Workers (or paths of one Worker) that differ in one
// thing, in one Miniflare/workerd process, measured interleaved at 1 connection. Each figure is the median over the
// rounds of (cell p50 - bare p50 of the same round), in microseconds.
//
// - The limiter's Durable Object call from the API Worker, alone in a plain fetch handler (same bundle, flags,
//   bindings and class as shipped) against the floor Worker: whether the Worker's flags, size or bindings make the
//   call dearer.
// - The same call after the session verifier, and inside the Hono pipeline (api exact - instrument): whether what
//   else the request does makes it dearer.
// - The one JSON log line per request (DESIGN §4): written alone, and cut out of `/health` at build time.
//
//   node bench/api-overhead-pairs.mjs [--duration 3] [--warmup 1] [--rounds 5] [--pin] [--write]
//
// --pin runs this run's workerd (a child of this process) and the load generator on the same one core (taskset): far steadier figures on a shared
// machine, in a slower regime than the main table. --write replaces the `api-overhead-pairs` section of
// bench/README.md.
import { execFileSync } from 'node:child_process';
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
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '5' },
    pin: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const [duration, warmup, rounds] = [Number(args.duration), Number(args.warmup), Number(args.rounds)];

// Bench-only values, as in api-overhead.mjs.
const secret = 'bench-only-session-secret-0123456789abcdef0123';
const issuer = 'bench-auth-shim';
const audience = 'bench-api';
const compatibilityDate = '2026-04-20';
const benchLimit = 100_000_000;
const api = (path) => join(root, 'templates/workers/api/src', path);

const floorSource = `
import { DurableObject } from 'cloudflare:workers';
export class Counter extends DurableObject { count = 0; increment() { return ++this.count; } }
export default { async fetch(request, env) {
  return new Response(String(await env.COUNTER.get(env.COUNTER.idFromName('bench_user')).increment()));
} };`;

// The API Worker as shipped, with diagnostic paths answered before its Hono app (never shipped).
const apiProbeSource = `
import app from ${JSON.stringify(api('index.ts'))};
import { checkRateLimit } from ${JSON.stringify(api('lib/rate-limiter.ts'))};
import { readBearerToken, sessionVerifierFromEnv } from ${JSON.stringify(api('lib/session-token.ts'))};
export { RateLimiter } from ${JSON.stringify(api('index.ts'))};
const limit = (env) => checkRateLimit(env.RATE_LIMITER, 'user:bench_user', ${benchLimit}, 60);
const verify = (env, request) => sessionVerifierFromEnv(env)(readBearerToken(request.headers.get('authorization')));
export default { async fetch(request, env, ctx) {
  switch (new URL(request.url).pathname) {
    case '/probe/hello': return new Response('hello');
    case '/probe/limiter': return new Response(String((await limit(env)).remaining));
    case '/probe/verify': return new Response(String((await verify(env, request)).ok));
    case '/probe/verify-limiter': { const result = await verify(env, request); await limit(env); return new Response(String(result.ok)); }
    case '/probe/log': {
      console.log(JSON.stringify({ level: 'info', service: 'api', request_id: crypto.randomUUID(), method: 'GET',
        route: '/health', path: '/health', status: 200, duration_ms: 0 }));
      return new Response('hello');
    }
  }
  return app.fetch(request, env, ctx);
} };`;

/** Replaces `from` with `to` in the file ending with `suffix` while bundling (measuring instruments only). */
function replaceInSource(suffix, from, to) {
  return {
    name: `replace-in-${suffix}`,
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, (loaded) => {
        if (!loaded.path.endsWith(suffix)) return undefined;
        const source = readFileSync(loaded.path, 'utf8');
        if (!source.includes(from)) throw new Error(`${suffix} has no ${from}`);
        return { contents: source.replace(from, to), loader: 'ts' };
      });
    },
  };
}
const withoutLimiter = replaceInSource(
  'api/src/rate-limit.ts',
  'export async function countRequest(',
  `export async function countRequest(_env: Env, _key: string, limit: number): Promise<RateLimitDecision> {
  return { allowed: true, limit, remaining: limit, resetSeconds: 60 };
}
export async function countRequestAsShipped(`,
);
const withoutLogWrite = replaceInSource('lib/log.ts', 'console.log(JSON.stringify(line));', 'void line;');

async function bundle(outDir, name, source, plugins = []) {
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts' },
    plugins,
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

function load(url, headers, seconds, collect) {
  return new Promise((resolveRun, rejectRun) => {
    const latencies = [];
    const instance = autocannon({ url, headers, connections: 1, duration: seconds }, (error, result) => {
      if (error) rejectRun(error);
      else if (result.non2xx || result.errors || result.timeouts)
        rejectRun(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      else resolveRun(latencies.sort((a, b) => a - b));
    });
    if (collect) instance.on('response', (_client, status, _bytes, time) => status < 300 && latencies.push(time));
  });
}
const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  const outDir = mkdtempSync(join(tmpdir(), 'appshell-pairs-'));
  let mf;
  try {
    const sqliteObject = (className) => ({ className, useSQLite: true });
    const socket = [{ host: '127.0.0.1', port: 0 }];
    const apiWorker = (name, scriptPath) => ({
      name,
      modules: true,
      scriptPath,
      modulesRoot: outDir,
      compatibilityDate,
      compatibilityFlags: ['nodejs_compat'],
      bindings: {
        SESSION_JWT_ALG: 'HS256',
        SESSION_JWT_ISSUER: issuer,
        SESSION_JWT_AUDIENCE: audience,
        SESSION_JWT_SECRET: secret,
        ALLOWED_ORIGINS: 'http://localhost:3000',
        RATE_LIMIT_PER_MINUTE: String(benchLimit),
        RATE_LIMITER_MODE: 'exact',
      },
      kvNamespaces: ['PROJECTS'],
      r2Buckets: ['R2'],
      durableObjects: { RATE_LIMITER: sqliteObject('RateLimiter') },
      unsafeDirectSockets: socket,
    });
    const floor = await bundle(outDir, 'floor', floorSource);
    const floorWorker = (name, flags) => ({
      name,
      modules: true,
      scriptPath: floor,
      modulesRoot: outDir,
      compatibilityDate,
      compatibilityFlags: flags,
      durableObjects: { COUNTER: sqliteObject('Counter') },
      unsafeDirectSockets: socket,
    });
    mf = new Miniflare({
      host: '127.0.0.1',
      port: 0,
      handleRuntimeStdio(stdout, stderr) {
        stdout.resume();
        stderr.pipe(process.stderr);
      },
      workers: [
        {
          name: 'hello',
          modules: true,
          script: `export default { fetch() { return new Response('hello'); } };`,
          compatibilityDate,
          unsafeDirectSockets: socket,
        },
        floorWorker('floor', []),
        floorWorker('floor-nodejs-compat', ['nodejs_compat']),
        apiWorker('api', await bundle(outDir, 'api', apiProbeSource)),
        apiWorker('api-no-limiter', await bundle(outDir, 'api-no-limiter', apiProbeSource, [withoutLimiter])),
        apiWorker('api-no-log-write', await bundle(outDir, 'api-no-log-write', apiProbeSource, [withoutLogWrite])),
      ],
    });
    await mf.ready;
    if (args.pin) {
      for (const pid of execFileSync('pgrep', ['-P', String(process.pid), 'workerd'])
        .toString()
        .trim()
        .split(/\s+/)) {
        execFileSync('taskset', ['-a', '-p', '-c', '0', pid], { stdio: 'ignore' });
      }
      execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    }
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ roles: ['member'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('bench_user')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(secret));
    const auth = { authorization: `Bearer ${token}` };
    const cells = [
      ['bare', 'hello', '/', {}],
      ['floor', 'floor', '/', {}],
      ['floorNodejsCompat', 'floor-nodejs-compat', '/', {}],
      ['probeHello', 'api', '/probe/hello', {}],
      ['probeLimiter', 'api', '/probe/limiter', {}],
      ['probeVerify', 'api', '/probe/verify', auth],
      ['probeVerifyLimiter', 'api', '/probe/verify-limiter', auth],
      ['probeLog', 'api', '/probe/log', {}],
      ['health', 'api', '/health', {}],
      ['healthNoLogWrite', 'api-no-log-write', '/health', {}],
      ['hello', 'api', '/v1/hello', auth],
      ['helloNoLimiter', 'api-no-limiter', '/v1/hello', auth],
    ];
    const urls = {};
    for (const [, worker] of cells) urls[worker] ??= (await mf.unsafeGetDirectURL(worker)).toString().replace(/\/$/, '');
    const p50s = Object.fromEntries(cells.map(([id]) => [id, []]));
    for (let round = 1; round <= rounds; round += 1) {
      for (const [id, worker, path, headers] of cells) {
        await load(urls[worker] + path, headers, warmup, false);
        const latencies = await load(urls[worker] + path, headers, duration, true);
        p50s[id].push(latencies[Math.floor(latencies.length / 2)]);
      }
      console.error(`round ${round}/${rounds}: bare ${p50s.bare.at(-1).toFixed(3)} ms`);
    }
    // Microseconds over bare, per round, then the median: a round where the machine is slower moves all its cells.
    const over = (id) => median(p50s[id].map((p50, round) => (p50 - p50s.bare[round]) * 1000));
    const between = (a, b) => median(p50s[a].map((p50, round) => (p50 - p50s[b][round]) * 1000));
    const us = (value) => `${value.toFixed(0)} µs`;
    const lines = [
      `Node ${process.version}, one Miniflare/workerd process, 1 connection, ${warmup} s warm-up + ${duration} s per cell, ` +
        `${rounds} interleaved rounds${args.pin ? ', workerd and the load generator on one core (--pin)' : ''}; ` +
        'each figure is the median over the rounds of a difference taken inside the round.',
      '',
      '| pair (what differs) | cost |',
      '| --- | ---: |',
      `| floor - bare: one RPC to an in-memory counter object | ${us(over('floor'))} |`,
      `| floor with \`nodejs_compat\` - bare | ${us(over('floorNodejsCompat'))} |`,
      `| API Worker bundle, constant answer before its app - bare (bundle size, flags, bindings) | ${us(over('probeHello'))} |`,
      `| API Worker, the limiter's RPC alone in a plain handler (RateLimiter.consume) - constant answer | ${us(between('probeLimiter', 'probeHello'))} |`,
      `| API Worker, the session verifier alone - constant answer | ${us(between('probeVerify', 'probeHello'))} |`,
      `| API Worker, the limiter's RPC after the verifier - the verifier alone | ${us(between('probeVerifyLimiter', 'probeVerify'))} |`,
      `| API Worker, the limiter inside the Hono pipeline: \`/v1/hello\` - instrument \`/v1/hello\` | ${us(between('hello', 'helloNoLimiter'))} |`,
      `| API Worker, one JSON log line alone - constant answer | ${us(between('probeLog', 'probeHello'))} |`,
      `| API Worker \`/health\` - bare | ${us(over('health'))} |`,
      `| API Worker \`/health\` with the log line's write cut out - bare | ${us(over('healthNoLogWrite'))} |`,
    ];
    const table = lines.join('\n');
    console.log(table);
    if (args.write) {
      const path = join(root, 'bench/README.md');
      const [begin, end] = ['<!-- api-overhead-pairs:begin -->', '<!-- api-overhead-pairs:end -->'];
      const text = readFileSync(path, 'utf8');
      const [start, stop] = [text.indexOf(begin), text.indexOf(end)];
      if (start === -1 || stop === -1) throw new Error(`bench/README.md has no ${begin} … ${end} section`);
      writeFileSync(path, `${text.slice(0, start + begin.length)}\n${table}\n${text.slice(stop)}`);
    }
  } finally {
    await mf?.dispose();
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
