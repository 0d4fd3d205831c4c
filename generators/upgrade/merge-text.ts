import { diff3Merge } from 'node-diff3';

export interface TextMergeResult {
  content: string;
  /** How many regions both sides changed differently; each is marked in `content` as git marks it. */
  conflicts: number;
}

export interface MergeLabels {
  ours: string;
  base: string;
  theirs: string;
}

/**
 * Three-way merge of lines, as `git merge-file --diff3` does: what only one side changed is taken, what both changed
 * alike is taken once, and what both changed differently is kept between markers (ours, then the base, then theirs).
 * node-diff3 does the merging in plain JavaScript, so a project without git upgrades the same way.
 *
 * @example
 * mergeText({ base: 'a\nb\n', ours: 'A\nb\n', theirs: 'a\nB\n' }, labels); // { content: 'A\nB\n', conflicts: 0 }
 */
export function mergeText(input: { base: string; ours: string; theirs: string }, labels: MergeLabels): TextMergeResult {
  const split = (text: string) => text.split('\n');
  const regions = diff3Merge(split(input.ours), split(input.base), split(input.theirs), { excludeFalseConflicts: true });
  const lines: string[] = [];
  let conflicts = 0;
  for (const region of regions) {
    if (region.ok) {
      lines.push(...region.ok);
      continue;
    }
    conflicts += 1;
    const { a, o, b } = region.conflict!;
    lines.push(`<<<<<<< ${labels.ours}`, ...a, `||||||| ${labels.base}`, ...o, '=======', ...b, `>>>>>>> ${labels.theirs}`);
  }
  return { content: lines.join('\n'), conflicts };
}

/** Whether a file still holds a conflict marker block that `mergeText` (or git) wrote. */
export function hasConflictMarkers(text: string): boolean {
  return /^<<<<<<< /m.test(text) && /^=======$/m.test(text) && /^>>>>>>> /m.test(text);
}
