import { beforeAll, describe, expect, it } from 'vitest';
import type { InitAnswers } from './answers.js';
import { scaffoldInMemory } from './memory-scaffold.js';
import {
  deployedHoldersToRead,
  describeKvNamespace,
  planKvNamespaces,
  planKvNamespaceWrites,
  readLiveVersionId,
  readVersionKvBindings,
  resolveKvNamespaces,
  type KvNamespaceNeed,
} from './kv-namespace-plan.js';
import { parseManifest } from './manifest-read.js';
import { memoryTree, type ProjectTree } from './plan.js';
import { loadTemplates, type TemplateSource } from './template-source.js';
import { parseWranglerConfig } from './wrangler-config-read.js';

let source: TemplateSource;
beforeAll(async () => {
  source = await loadTemplates();
});

const scaffold = (overrides: Partial<InitAnswers> = {}) => scaffoldInMemory(source, overrides);

const all = ['auth-shim', 'api', 'receiver', 'sender'] as const;
const id = (letter: string) => letter.repeat(32);
const needsOf = (plan: ReturnType<typeof planKvNamespaces>): KvNamespaceNeed[] => {
  if (!plan.ok) throw new Error(plan.message);
  return plan.needs;
};
const boundIn = (tree: ProjectTree, path: string, env: string) =>
  Object.fromEntries(
    (parseWranglerConfig(tree.read(path)!, 'jsonc').env?.[env]?.kv_namespaces ?? []).map((entry) => [entry.binding, entry.id]),
  );

describe('planKvNamespaces', () => {
  it("a first deploy needs every namespace the Workers bind, shared ones for every holder, each under appshell's title", () => {
    const { manifest, files } = scaffold();
    const needs = needsOf(planKvNamespaces({ manifest, env: 'staging', tree: memoryTree(files), deploying: all, deployed: [] }));
    expect(needs.map((need) => [need.binding, need.workers, need.title, need.provisionedTitle])).toEqual([
      ['API_KEYS', ['api', 'receiver'], 'shop-api-keys-staging', undefined],
      ['ROLES', ['auth-shim'], 'shop-roles-staging', 'shop-auth-shim-staging-roles'],
      ['PROJECTS', ['api'], 'shop-projects-staging', 'shop-api-staging-projects'],
    ]);
    expect(needs.every((need) => need.known === undefined && need.deployedHolders.length === 0)).toBe(true);
    // --only: the namespaces of the Workers deployed now; a shared one for all its holders.
    const only = needsOf(planKvNamespaces({ manifest, env: 'staging', tree: memoryTree(files), deploying: ['receiver'], deployed: [] }));
    expect(only.map((need) => need.binding)).toEqual(['API_KEYS']);
    expect(
      needsOf(planKvNamespaces({ manifest, env: 'staging', tree: memoryTree(files), deploying: ['auth-shim'], deployed: [] })).map(
        (need) => need.binding,
      ),
    ).toEqual(['ROLES']);
  });

  it('takes a recorded id over nothing, and asks the live version of a deployed Worker whose config has none', () => {
    const { manifest, files } = scaffold();
    const recorded = { ...manifest, kvNamespaces: { staging: { PROJECTS: id('a') } } };
    const needs = needsOf(
      planKvNamespaces({ manifest: recorded, env: 'staging', tree: memoryTree(files), deploying: all, deployed: ['api', 'auth-shim'] }),
    );
    expect(needs.find((need) => need.binding === 'PROJECTS')?.known).toEqual({ id: id('a'), source: 'recorded' });
    expect(needs.find((need) => need.binding === 'ROLES')?.deployedHolders).toEqual(['auth-shim']);
    expect(deployedHoldersToRead(needs)).toEqual(['api', 'auth-shim']);
  });

  it('refuses when appshell.json and a config disagree, or when a config lacking the id was edited, before any call', () => {
    const { manifest, files } = scaffold();
    const recorded = { ...manifest, kvNamespaces: { staging: { API_KEYS: id('c') } } };
    const config = JSON.parse(files['workers/receiver/wrangler.jsonc']!.replace(/^\s*\/\/.*$/gm, ''));
    config.env.staging.kv_namespaces.find((entry: { binding: string }) => entry.binding === 'API_KEYS').id = id('d');
    const disagree = planKvNamespaces({
      manifest: recorded,
      env: 'staging',
      tree: memoryTree({ ...files, 'workers/receiver/wrangler.jsonc': JSON.stringify(config) }),
      deploying: all,
      deployed: [],
    });
    expect(disagree.ok === false && disagree.message).toMatch(
      /^API_KEYS in --env staging must be one KV namespace for api and receiver, but appshell.json and the configs name c+, d+/,
    );

    const edited = planKvNamespaces({
      manifest,
      env: 'staging',
      tree: memoryTree({ ...files, 'workers/api/wrangler.jsonc': `${files['workers/api/wrangler.jsonc']}// a note\n` }),
      deploying: all,
      deployed: [],
    });
    expect(edited.ok === false && edited.message).toBe(
      'workers/api/wrangler.jsonc changed since appshell wrote it, and its API_KEYS in env.staging.kv_namespaces has no id; nothing was created or deployed',
    );
  });
});

describe('resolveKvNamespaces', () => {
  const needs = (): KvNamespaceNeed[] => {
    const { manifest, files } = scaffold();
    return needsOf(planKvNamespaces({ manifest, env: 'staging', tree: memoryTree(files), deploying: all, deployed: ['api'] }));
  };

  it('keeps what a deployed Worker binds, then finds by title, adopts what wrangler made, and leaves the rest to create', () => {
    const resolved = resolveKvNamespaces(needs(), 'staging', {
      deployed: new Map([
        [
          'api',
          new Map([
            ['API_KEYS', id('a')],
            ['PROJECTS', id('b')],
          ]),
        ],
      ]),
      listed: [
        { id: id('c'), title: 'shop-api-keys-staging' },
        { id: id('d'), title: 'shop-api-staging-projects' },
      ],
    });
    expect(resolved.ok && resolved.reports.map((report) => [report.binding, report.id, report.source])).toEqual([
      ['API_KEYS', id('a'), 'deployed'],
      ['PROJECTS', id('b'), 'deployed'],
    ]);
    expect(resolved.ok && resolved.unresolved.map((need) => need.binding)).toEqual(['ROLES']);

    const fresh = resolveKvNamespaces(needs(), 'staging', {
      deployed: new Map([['api', new Map()]]),
      listed: [
        { id: id('c'), title: 'shop-api-keys-staging' },
        { id: id('d'), title: 'shop-api-staging-projects' },
        { id: id('e'), title: 'shop-roles-staging' },
      ],
      created: new Set(['shop-roles-staging']),
    });
    expect(fresh.ok && fresh.reports.map((report) => [report.binding, report.id, report.source])).toEqual([
      ['API_KEYS', id('c'), 'found'],
      ['ROLES', id('e'), 'created'],
      ['PROJECTS', id('d'), 'adopted'],
    ]);
    expect(fresh.ok && fresh.reports[2]!.title).toBe('shop-api-staging-projects');
    expect(fresh.ok && fresh.unresolved).toEqual([]);
    // Nothing listed yet: what is not known stays unresolved (the caller lists the account once, then asks again).
    const unlisted = resolveKvNamespaces(needs(), 'staging', { deployed: new Map() });
    expect(unlisted.ok && unlisted.unresolved.map((need) => need.binding)).toEqual(['API_KEYS', 'ROLES', 'PROJECTS']);
  });

  it('refuses when two deployed holders of a shared namespace bind different ones', () => {
    const { manifest, files } = scaffold();
    const both = needsOf(
      planKvNamespaces({ manifest, env: 'staging', tree: memoryTree(files), deploying: all, deployed: ['api', 'receiver'] }),
    );
    const split = resolveKvNamespaces(both, 'staging', {
      deployed: new Map([
        ['api', new Map([['API_KEYS', id('a')]])],
        ['receiver', new Map([['API_KEYS', id('b')]])],
      ]),
    });
    expect(split.ok === false && split.message).toMatch(
      /^API_KEYS in --env staging must be one KV namespace, but the deployed api and receiver bind a+ and b+/,
    );
  });
});

describe('planKvNamespaceWrites', () => {
  it('records every id in appshell.json and writes it into each holder, and a renamed project keeps its namespaces', () => {
    const { manifest, files } = scaffold();
    const reports = [
      {
        binding: 'API_KEYS',
        title: 'shop-api-keys-staging',
        id: id('a'),
        source: 'created' as const,
        workers: ['api', 'receiver'] as const,
      },
      { binding: 'ROLES', title: 'shop-roles-staging', id: id('b'), source: 'found' as const, workers: ['auth-shim'] as const },
      { binding: 'PROJECTS', title: 'shop-projects-staging', id: id('c'), source: 'adopted' as const, workers: ['api'] as const },
    ].map((report) => ({ ...report, workers: [...report.workers] }));
    const written = planKvNamespaceWrites({ manifest, env: 'staging', tree: memoryTree(files), reports });
    if (!written.ok) throw new Error(written.message);
    expect(written.manifest.kvNamespaces).toEqual({ staging: { API_KEYS: id('a'), ROLES: id('b'), PROJECTS: id('c') } });
    expect(
      written.files
        .filter((file) => file.action === 'update' && !file.path.startsWith('.appshell/'))
        .map((file) => file.path)
        .sort(),
    ).toEqual(['appshell.json', 'workers/api/wrangler.jsonc', 'workers/auth-shim/wrangler.jsonc', 'workers/receiver/wrangler.jsonc']);
    const tree = memoryTree(Object.fromEntries([...Object.entries(files), ...written.files.map((file) => [file.path, file.content])]));
    expect(boundIn(tree, 'workers/api/wrangler.jsonc', 'staging')).toEqual({ API_KEYS: id('a'), PROJECTS: id('c') });
    expect(boundIn(tree, 'workers/auth-shim/wrangler.jsonc', 'staging')).toEqual({ ROLES: id('b') });
    // Written again: nothing to do.
    expect(planKvNamespaceWrites({ manifest: written.manifest, env: 'staging', tree, reports })).toMatchObject({ ok: true, files: [] });

    // The project renamed (every script name changes): the recorded ids are known, no namespace is looked up or made.
    const renamed = parseManifest(JSON.stringify({ ...written.manifest, name: 'boutique' }));
    if (!renamed.ok) throw new Error(renamed.message);
    const needs = needsOf(planKvNamespaces({ manifest: renamed.manifest, env: 'staging', tree, deploying: all, deployed: [] }));
    expect(needs.map((need) => need.known)).toEqual([
      { id: id('a'), source: 'recorded' },
      { id: id('b'), source: 'recorded' },
      { id: id('c'), source: 'recorded' },
    ]);
    expect(describeKvNamespace(reports[2]!, 'staging')).toBe(
      `KV namespace PROJECTS (--env staging): shop-projects-staging, id ${id('c')} (made by wrangler for this Worker's first deploy; bound again instead of made twice), of api`,
    );
  });
});

describe('reading what a deployed Worker binds', () => {
  it('reads the live version from `deployments status --json` and its KV bindings from `versions view --json`', () => {
    const status = JSON.stringify({
      id: 'd1',
      versions: [
        { version_id: 'old', percentage: 10 },
        { version_id: 'new', percentage: 90 },
      ],
    });
    expect(readLiveVersionId(`${status}\n`)).toBe('new');
    expect(readLiveVersionId('The Worker has no deployments.')).toBeUndefined();
    const version = JSON.stringify({
      id: 'new',
      resources: {
        bindings: [
          { type: 'kv_namespace', name: 'PROJECTS', namespace_id: id('a') },
          { type: 'plain_text', name: 'X', text: 'y' },
        ],
      },
    });
    expect(readVersionKvBindings(version)).toEqual(new Map([['PROJECTS', id('a')]]));
    expect(readVersionKvBindings('{"id": "x"}')).toBeUndefined();
    expect(readVersionKvBindings('not json')).toBeUndefined();
  });
});
