import { countActions, type PlannedFile } from '../generators/plan.js';

const symbols = { create: '+', update: '~', unchanged: '=', conflict: '!' } as const;

/** The plan as lines a person reads; `--dry-run` prints exactly what apply would do. */
export function formatPlan(files: PlannedFile[], options: { showUnchanged?: boolean } = {}): string[] {
  const lines: string[] = [];
  for (const file of files) {
    if (file.action === 'unchanged' && !options.showUnchanged) continue;
    lines.push(`  ${symbols[file.action]} ${file.action.padEnd(9)} ${file.path}${file.reason ? `  (${file.reason})` : ''}`);
  }
  const counts = countActions(files);
  lines.push(`  ${counts.create} to create, ${counts.update} to update, ${counts.unchanged} unchanged, ${counts.conflict} in conflict`);
  return lines;
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}
