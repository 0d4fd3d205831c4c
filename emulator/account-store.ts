// Keeps an emulated account in a folder between runs (`appshell deploy --rehearse --rehearse-state <dir>`), so a
// rehearsal can be a second deploy: `account.json` holds the state, `data/` the Workers' KV, R2 and DO data.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAccountState, type AccountState } from './account-state.js';

export const accountStateFile = 'account.json';

export async function loadAccountState(dir: string, fresh: { accountId?: string } = {}): Promise<AccountState> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, accountStateFile), 'utf8')) as AccountState;
    return { ...createAccountState(fresh), ...parsed };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return createAccountState(fresh);
    throw new Error(`${join(dir, accountStateFile)} is not an emulated account's state: ${(error as Error).message}`);
  }
}

/** Writes beside and renames, so an interrupted run leaves the previous state whole. */
export async function saveAccountState(dir: string, state: AccountState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, accountStateFile);
  await writeFile(`${target}.tmp`, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(`${target}.tmp`, target);
}

export const accountDataDir = (dir: string) => join(dir, 'data');
