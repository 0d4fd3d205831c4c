import { describe, expect, it } from 'vitest';
import { basePath, hashContent, memoryTree, planFiles, readBase, renderState, statePath } from './plan.js';

describe('base copies', () => {
  it('records what appshell writes as content, outside the printed plan, and never for .dev.vars', () => {
    const planned = planFiles(
      [
        { path: 'a.ts', content: 'one\n' },
        { path: 'workers/api/.dev.vars', content: 'SECRET=x\n', mode: 0o600 },
      ],
      memoryTree(),
      { force: false },
    );
    expect(planned.find((file) => file.path === basePath('a.ts'))).toMatchObject({ content: 'one\n', action: 'create', internal: true });
    expect(planned.some((file) => file.path.includes('.appshell/base/workers/api/.dev.vars'))).toBe(false);
  });

  it('keeps the old base of a file in conflict, so the team still merges against what appshell wrote', () => {
    const tree = memoryTree({
      'a.ts': 'team\n',
      [basePath('a.ts')]: 'one\n',
      [statePath]: renderState({ version: 1, files: { 'a.ts': hashContent('one\n') } }),
    });
    const planned = planFiles([{ path: 'a.ts', content: 'two\n' }], tree, { force: false });
    expect(planned.find((file) => file.path === 'a.ts')?.action).toBe('conflict');
    expect(planned.some((file) => file.path === basePath('a.ts'))).toBe(false);
  });

  it('reads the base of a project written before base copies from the file while its hash matches', () => {
    const state = renderState({ version: 1, files: { 'a.ts': hashContent('one\n') } });
    expect(readBase(memoryTree({ 'a.ts': 'one\n', [statePath]: state }), 'a.ts')).toBe('one\n');
    expect(readBase(memoryTree({ 'a.ts': 'edited\n', [statePath]: state }), 'a.ts')).toBeUndefined();
  });
});
