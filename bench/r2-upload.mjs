#!/usr/bin/env node
// Proxy upload benchmark (issue: API storage): POST /v1/r2/upload of the API Worker template against a bare Worker
// that hands the same request body straight to `R2.put`, 256 MB each, in one local workerd (Miniflare, local R2).
// Reports throughput (MB/s) and workerd's peak resident memory (VmHWM, read from /proc) for each, measured in a
// fresh workerd per scenario so the peaks do not mix.
//
//   npm run build && node bench/r2-upload.mjs [--mb 256] [--write]
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { SignJWT } from 'jose';
import { Miniflare } from 'miniflare';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { mb: { type: 'string', default: '256' }, write: { type: 'boolean', default: false } } });
const totalBytes = Number(args.mb) * 1024 * 1024;
const chunk = 1024 * 1024;
const secret = 'bench-only-session-secret-0123456789abcdef0123';
const compatibilityDate = '2026-04-20';
const directSource = `export default { async fetch(request, env) {
  const object = await env.R2.put('direct/' + crypto.randomUUID(), request.body);
  return Response.json({ size: object.size });
} };`;

function body() {
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
  return readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerd');
    } catch {
      return false;
    }
  });
}

function peakMiB(pids) {
  let peak = 0;
  for (const pid of pids) {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      // exited
    }
  }
  return peak;
}

async function scenario(label, worker, path, headers) {
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
    const idle = peakMiB(pids);
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { 'content-length': String(totalBytes), ...headers }, body: body(), duplex: 'half' });
    const answer = await response.json();
    const seconds = (performance.now() - started) / 1000;
    if (!response.ok || answer.size !== totalBytes) throw new Error(`${label}: ${response.status} ${JSON.stringify(answer)}`);
    return { label, mbps: totalBytes / 1024 / 1024 / seconds, seconds, idle, peak: peakMiB(pids) };
  } finally {
    await mf.dispose();
  }
}

const outDir = mkdtempSync(join(tmpdir(), 'appshell-r2-bench-'));
try {
  const apiScript = join(outDir, 'api.mjs');
  await build({
    entryPoints: [join(root, 'templates/workers/api/src/index.ts')], outfile: apiScript, bundle: true, format: 'esm', platform: 'neutral',
    target: 'es2022', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], external: ['cloudflare:*', 'node:*'], logLevel: 'error',
  });
  const token = await new SignJWT({ roles: [] }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('bench_user').setIssuer('bench-auth')
    .setAudience('bench-api').setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(secret));
  const common = { modules: true, compatibilityDate, compatibilityFlags: ['nodejs_compat'], r2Buckets: ['R2'] };
  const direct = await scenario('direct `R2.put(request.body)`', { ...common, name: 'direct', script: directSource }, '/', {});
  const proxy = await scenario(
    'api `POST /v1/r2/upload`',
    {
      ...common,
      name: 'api',
      scriptPath: apiScript,
      modulesRoot: outDir,
      kvNamespaces: ['PROJECTS', 'API_KEYS', 'JOBS'],
      durableObjects: { RATE_LIMITER: { className: 'RateLimiter', useSQLite: true } },
      bindings: { SESSION_JWT_ALG: 'HS256', SESSION_JWT_ISSUER: 'bench-auth', SESSION_JWT_AUDIENCE: 'bench-api', SESSION_JWT_SECRET: secret, MAX_UPLOAD_BYTES: String(totalBytes), ALLOWED_ORIGINS: '' },
    },
    '/v1/r2/upload?key=bench.bin&contentType=application/octet-stream',
    { authorization: `Bearer ${token}` },
  );
  const table = [
    `Node ${process.version}, Miniflare/workerd with local R2 on this machine, ${args.mb} MB streamed from Node over 127.0.0.1, one run each.`,
    '',
    '| path | MB/s | seconds | workerd idle RSS MiB | workerd peak RSS MiB |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...[direct, proxy].map((row) => `| ${row.label} | ${row.mbps.toFixed(1)} | ${row.seconds.toFixed(2)} | ${row.idle.toFixed(0)} | ${row.peak.toFixed(0)} |`),
    '',
    `Proxy throughput = **${((proxy.mbps / direct.mbps) * 100).toFixed(0)} %** of direct (goal ≥ 50 %); peak memory ${proxy.peak.toFixed(0)} MiB vs ${direct.peak.toFixed(0)} MiB for ${args.mb} MB uploaded (flat means it does not grow with the upload).`,
  ].join('\n');
  console.log(table);
  if (args.write) {
    const path = join(root, 'bench/README.md');
    let readme = readFileSync(path, 'utf8');
    const section = `<!-- r2-upload:begin -->\n${table}\n<!-- r2-upload:end -->`;
    if (readme.includes('<!-- r2-upload:begin -->')) readme = readme.replace(/<!-- r2-upload:begin -->[\s\S]*<!-- r2-upload:end -->/, section);
    else readme += `\n## R2 proxy upload (issue: API storage)\n\n\`node bench/r2-upload.mjs --write\`: the API Worker's streamed proxy upload against a bare \`R2.put\` of the same bytes, 256 MB each, and workerd's peak memory. Goal: ≥ 50 % of direct throughput, flat memory.\n\n${section}\n`;
    writeFileSync(path, readme);
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
