#!/usr/bin/env node
// Proxy upload benchmark (issue: API storage): POST /v1/r2/upload of the API Worker template against a bare Worker
// that hands the same request body straight to `R2.put`, 256 MB each, in local workerd (Miniflare, local R2).
// Reports throughput (MB/s) and workerd's peak resident memory (VmHWM, read from /proc/<pid>/status from outside)
// for each, measured in a fresh workerd per scenario so the peaks do not mix. Rows: the direct put; the proxy with
// Content-Length (one put); the proxy chunked, without a length (multipart parts of 8 MiB); and both paths with a
// quarter of the bytes, to show that what the proxy adds to the peak does not grow with the upload.
//
//   node bench/r2-upload.mjs [--mb 256] [--runs 3] [--write]
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { SignJWT } from 'jose';
import { Miniflare } from 'miniflare';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { mb: { type: 'string', default: '256' }, runs: { type: 'string', default: '3' }, write: { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(args.runs));
const totalBytes = Number(args.mb) * 1024 * 1024;
const chunk = 1024 * 1024;
const secret = 'bench-only-session-secret-0123456789abcdef0123';
const compatibilityDate = '2026-04-20';
const directSource = `export default { async fetch(request, env) {
  const object = await env.R2.put('direct/' + crypto.randomUUID(), request.body);
  return Response.json({ size: object.size });
} };`;

function body(totalBytes) {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      const size = Math.min(chunk, totalBytes - sent);
      controller.enqueue(new Uint8Array(size).fill(sent / chunk));
      sent += size;
    },
  });
}

/** workerd processes started by Miniflare, by pid (their peak RSS is what the Worker costs). */
function workerdPids() {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerd');
      } catch {
        return false;
      }
    });
}

/** The largest `field` (VmRSS: resident now; VmHWM: the resident peak so far) among `pids`, in MiB. */
function memoryMiB(pids, field) {
  let peak = 0;
  for (const pid of pids) {
    try {
      const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      // exited
    }
  }
  return peak;
}

/** Runs one row `runs` times, each in a fresh workerd: median time, and the highest peak memory seen. */
async function scenario(label, worker, path, headers, options = {}) {
  const results = [];
  for (let run = 0; run < runs; run += 1) results.push(await runOnce(label, worker, path, headers, options));
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const seconds = median(results.map((result) => result.seconds));
  return {
    label,
    mb: results[0].mb,
    seconds,
    mbps: results[0].mb / seconds,
    idle: median(results.map((result) => result.idle)),
    peak: Math.max(...results.map((result) => result.peak)),
  };
}

async function runOnce(label, worker, path, headers, { bytes = totalBytes, chunked = false } = {}) {
  const before = new Set(workerdPids());
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.resume();
    },
    workers: [worker],
  });
  try {
    const url = new URL(path, await mf.ready);
    const pids = workerdPids().filter((pid) => !before.has(pid));
    const idle = memoryMiB(pids, 'VmRSS');
    const started = performance.now();
    // Without a content-length header, Node's fetch sends a stream body chunked.
    const lengthHeader = chunked ? {} : { 'content-length': String(bytes) };
    const response = await fetch(url, { method: 'POST', headers: { ...lengthHeader, ...headers }, body: body(bytes), duplex: 'half' });
    const answer = await response.json();
    const seconds = (performance.now() - started) / 1000;
    if (!response.ok || answer.size !== bytes) throw new Error(`${label}: ${response.status} ${JSON.stringify(answer)}`);
    return { label, mb: bytes / 1024 / 1024, mbps: bytes / 1024 / 1024 / seconds, seconds, idle, peak: memoryMiB(pids, 'VmHWM') };
  } finally {
    await mf.dispose();
  }
}

const outDir = mkdtempSync(join(tmpdir(), 'appshell-r2-bench-'));
try {
  const apiScript = join(outDir, 'api.mjs');
  await build({
    entryPoints: [join(root, 'templates/workers/api/src/index.ts')],
    outfile: apiScript,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'error',
  });
  const token = await new SignJWT({ roles: [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('bench_user')
    .setIssuer('bench-auth')
    .setAudience('bench-api')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
  const common = { modules: true, compatibilityDate, compatibilityFlags: ['nodejs_compat'], r2Buckets: ['R2'] };
  const direct = await scenario('direct `R2.put(request.body)`', { ...common, name: 'direct', script: directSource }, '/', {});
  const api = {
    ...common,
    name: 'api',
    scriptPath: apiScript,
    modulesRoot: outDir,
    kvNamespaces: ['PROJECTS', 'API_KEYS'],
    durableObjects: { RATE_LIMITER: { className: 'RateLimiter', useSQLite: true } },
    bindings: {
      SESSION_JWT_ALG: 'HS256',
      SESSION_JWT_ISSUER: 'bench-auth',
      SESSION_JWT_AUDIENCE: 'bench-api',
      SESSION_JWT_SECRET: secret,
      MAX_UPLOAD_BYTES: String(totalBytes),
      ALLOWED_ORIGINS: '',
    },
  };
  const upload = '/v1/r2/upload?key=bench.bin&contentType=application/octet-stream';
  const authorization = { authorization: `Bearer ${token}` };
  const proxy = await scenario('api `POST /v1/r2/upload`, Content-Length', api, upload, authorization);
  const chunked = await scenario('api `POST /v1/r2/upload`, chunked (multipart)', api, upload, authorization, { chunked: true });
  const quarter = await scenario('api `POST /v1/r2/upload`, Content-Length, ¼ of the bytes', api, upload, authorization, {
    bytes: totalBytes / 4,
  });
  const directQuarter = await scenario(
    'direct `R2.put(request.body)`, ¼ of the bytes',
    { ...common, name: 'direct', script: directSource },
    '/',
    {},
    { bytes: totalBytes / 4 },
  );
  const rows = [direct, proxy, chunked, directQuarter, quarter];
  const table = [
    `Node ${process.version}, Miniflare/workerd (wrangler's) with local R2 on this machine, bytes streamed from Node over 127.0.0.1, ${runs} runs per row, each in a fresh workerd (median MB/s; the highest peak); memory read from /proc/<workerd pid>/status (VmRSS before, VmHWM after).`,
    '',
    '| path | MB | MB/s | seconds | workerd idle RSS MiB | workerd peak RSS MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.label} | ${row.mb} | ${row.mbps.toFixed(1)} | ${row.seconds.toFixed(2)} | ${row.idle.toFixed(0)} | ${row.peak.toFixed(0)} |`,
    ),
    '',
    `- Proxy throughput with Content-Length = **${((proxy.mbps / direct.mbps) * 100).toFixed(0)} %** of direct (goal ≥ 50 %); chunked ${((chunked.mbps / direct.mbps) * 100).toFixed(0)} %.`,
    `- How: a body with Content-Length goes to one \`R2.put\` as it is (the runtime knows its length, so nothing passes through JavaScript); a chunked body is cut into 8 MiB multipart parts, so at most one part is held; over \`MAX_UPLOAD_BYTES\` the put or the multipart upload is aborted.`,
    `- Peak memory: proxy ${proxy.peak.toFixed(0)} MiB vs direct ${direct.peak.toFixed(0)} MiB for ${args.mb} MB; at ${args.mb / 4} MB proxy ${quarter.peak.toFixed(0)} MiB vs direct ${directQuarter.peak.toFixed(0)} MiB. The proxy adds ${(proxy.peak - direct.peak).toFixed(0)} MiB at ${args.mb} MB and ${(quarter.peak - directQuarter.peak).toFixed(0)} MiB at ${args.mb / 4} MB: what grows with the size grows as much under the direct put (local R2), so the Worker holds no more of the body as it grows (buffering it would add ${args.mb} MiB).`,
    "- Local R2 writes to this machine's disk and the cores are shared: compare changes on one machine, not with the edge.",
  ].join('\n');
  console.log(table);
  if (args.write) {
    const path = join(root, 'bench/README.md');
    let readme = readFileSync(path, 'utf8');
    const section = `<!-- r2-upload:begin -->\n${table}\n<!-- r2-upload:end -->`;
    if (readme.includes('<!-- r2-upload:begin -->'))
      readme = readme.replace(/<!-- r2-upload:begin -->[\s\S]*<!-- r2-upload:end -->/, section);
    else
      readme += `\n## R2 proxy upload (issue: API storage)\n\n\`node bench/r2-upload.mjs --write\`: the API Worker's proxy upload against a bare \`R2.put\` of the same bytes, and workerd's peak memory. Goal: ≥ 50 % of direct throughput, flat memory.\n\n${section}\n`;
    writeFileSync(path, readme);
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
