import { countActions, summarizePlan, type PlannedFile } from '../generators/plan.js';

const symbols = { create: '+', update: '~', unchanged: '=', conflict: '!', remove: '-' } as const;

/**
 * The plan as lines a person reads; `--dry-run` prints exactly what apply would do. With `summary`, files to create
 * are counted per part of the project instead of listed (updates and conflicts are always listed, one a line).
 */
export function formatPlan(files: PlannedFile[], options: { showUnchanged?: boolean; summary?: boolean } = {}): string[] {
  const lines: string[] = [];
  if (options.summary) {
    for (const row of summarizePlan(files)) {
      if (row.create > 0) lines.push(`  + ${row.group}: ${row.create} file${row.create === 1 ? '' : 's'} to create`);
    }
  }
  for (const file of files) {
    if (file.internal || (file.action === 'unchanged' && !options.showUnchanged)) continue;
    if (file.action === 'create' && options.summary) continue;
    lines.push(`  ${symbols[file.action]} ${file.action.padEnd(9)} ${file.path}${file.reason ? `  (${file.reason})` : ''}`);
  }
  const counts = countActions(files);
  const removals = counts.remove > 0 ? `, ${counts.remove} to remove` : '';
  lines.push(
    `  ${counts.create} to create, ${counts.update} to update${removals}, ${counts.unchanged} unchanged, ${counts.conflict} in conflict`,
  );
  return lines;
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}
