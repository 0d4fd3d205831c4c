import { describe, expect, it } from 'vitest';
import {
  createAccountState,
  createKvNamespace,
  createR2Bucket,
  pageOf,
  uploadScript,
  type AccountState,
  type UploadMetadata,
} from './account-state.js';

const module = {
  name: 'index.js',
  contentType: 'application/javascript+module',
  content: Buffer.from('export default {}').toString('base64'),
};
const upload = (state: AccountState, name: string, metadata: Omit<UploadMetadata, 'main_module'>) =>
  uploadScript(state, name, { metadata: { main_module: 'index.js', ...metadata }, modules: [module], mode: 'script' });
const codeOf = (outcome: { ok: boolean; code?: number }) => (outcome.ok ? 'ok' : outcome.code);

describe('the emulated account refuses what a real account refuses', () => {
  it('a service binding to a Worker that does not exist (10143)', () => {
    const state = createAccountState();
    expect(codeOf(upload(state, 'sender', { bindings: [{ name: 'RECEIVER', type: 'service', service: 'receiver' }] }))).toBe(10143);
    expect(state.scripts).toEqual({});
    expect(codeOf(upload(state, 'receiver', {}))).toBe('ok');
    expect(codeOf(upload(state, 'sender', { bindings: [{ name: 'RECEIVER', type: 'service', service: 'receiver' }] }))).toBe('ok');
  });

  it('Durable Object migrations: a class no migration created (10061), a wrong old tag (10079), a class created twice (10074)', () => {
    const state = createAccountState();
    const binding = { name: 'LIMITER', type: 'durable_object_namespace', class_name: 'Limiter' };
    expect(codeOf(upload(state, 'api', { bindings: [binding] }))).toBe(10061);
    expect(
      codeOf(upload(state, 'api', { bindings: [binding], migrations: { new_tag: 'v1', steps: [{ new_sqlite_classes: ['Limiter'] }] } })),
    ).toBe('ok');
    expect(state.scripts.api).toMatchObject({ migrationTag: 'v1', durableObjectClasses: ['Limiter'], sqliteClasses: ['Limiter'] });
    expect(codeOf(upload(state, 'api', { bindings: [binding], migrations: { new_tag: 'v2', steps: [{ new_classes: ['Audit'] }] } }))).toBe(
      10079,
    );
    expect(
      codeOf(
        upload(state, 'api', { bindings: [binding], migrations: { old_tag: 'v1', new_tag: 'v2', steps: [{ new_classes: ['Limiter'] }] } }),
      ),
    ).toBe(10074);
    expect(
      codeOf(
        upload(state, 'api', { bindings: [binding], migrations: { old_tag: 'v1', new_tag: 'v2', steps: [{ new_classes: ['Audit'] }] } }),
      ),
    ).toBe('ok');
    expect(state.scripts.api).toMatchObject({ migrationTag: 'v2', durableObjectClasses: ['Limiter', 'Audit'] });
  });

  it('a KV namespace (10041) or R2 bucket (10085) that does not exist; a KV title taken twice (10014)', () => {
    const state = createAccountState();
    expect(codeOf(upload(state, 'api', { bindings: [{ name: 'KV', type: 'kv_namespace', namespace_id: 'nope' }] }))).toBe(10041);
    expect(codeOf(upload(state, 'api', { bindings: [{ name: 'R2', type: 'r2_bucket', bucket_name: 'uploads' }] }))).toBe(10085);
    const namespace = createKvNamespace(state, 'keys');
    expect(codeOf(createKvNamespace(state, 'keys'))).toBe(10014);
    expect(codeOf(createR2Bucket(state, 'uploads'))).toBe('ok');
    const id = namespace.ok ? namespace.value.id : '';
    expect(
      codeOf(
        upload(state, 'api', {
          bindings: [
            { name: 'KV', type: 'kv_namespace', namespace_id: id },
            { name: 'R2', type: 'r2_bucket', bucket_name: 'uploads' },
          ],
        }),
      ),
    ).toBe('ok');
    // A second upload that inherits the bindings keeps them.
    expect(
      codeOf(
        upload(state, 'api', {
          bindings: [
            { name: 'KV', type: 'inherit' },
            { name: 'R2', type: 'inherit' },
          ],
        }),
      ),
    ).toBe('ok');
    expect(state.scripts.api!.versions.at(-1)!.bindings.map((binding) => binding.type)).toEqual(['kv_namespace', 'r2_bucket']);
  });

  it('pages lists, so that a client asking for the page after the last gets an empty one (wrangler stops there)', () => {
    const items = Array.from({ length: 5 }, (_, index) => index);
    expect(pageOf(items, 1, 2).items).toEqual([0, 1]);
    expect(pageOf(items, 3, 2).items).toEqual([4]);
    expect(pageOf(items, 4, 2).items).toEqual([]);
    expect(pageOf(items, 1, 2).info).toMatchObject({ page: 1, per_page: 2, count: 2, total_count: 5 });
  });
});
