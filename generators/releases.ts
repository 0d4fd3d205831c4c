/** Compares `major.minor.patch` versions (a pre-release suffix sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => {
    const [core = '', pre] = version.split('-', 2);
    return { numbers: core.split('.').map((part) => Number.parseInt(part, 10) || 0), pre };
  };
  const left = parts(a);
  const right = parts(b);
  for (let index = 0; index < 3; index += 1) {
    const difference = (left.numbers[index] ?? 0) - (right.numbers[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  if (left.pre === right.pre) return 0;
  if (left.pre === undefined) return 1;
  if (right.pre === undefined) return -1;
  return left.pre < right.pre ? -1 : 1;
}

export interface ReleaseNotes {
  version: string;
  /** The entry's lines as CHANGELOG.md holds them, without its heading. */
  lines: string[];
}

/**
 * The CHANGELOG.md entries after `from` up to and including `to` (Keep a Changelog headings `## [x.y.z]`), newest
 * first as the file lists them: what `appshell upgrade` prints, so a team reads which changes touch generated code.
 *
 * @example
 * releasesBetween(changelog, '0.1.0', '0.2.0'); // [{ version: '0.2.0', lines: ['### Fixed', '- Generated code: ...'] }]
 */
export function releasesBetween(changelog: string, from: string, to: string): ReleaseNotes[] {
  const releases: ReleaseNotes[] = [];
  let current: ReleaseNotes | undefined;
  for (const line of changelog.split('\n')) {
    const heading = /^## \[([^\]]+)\]/.exec(line);
    if (heading) {
      const version = heading[1]!;
      const inRange = /^\d/.test(version) && compareVersions(version, from) > 0 && compareVersions(version, to) <= 0;
      current = inRange ? { version, lines: [] } : undefined;
      if (current) releases.push(current);
      continue;
    }
    if (/^\[[^\]]+\]:\s/.test(line)) current = undefined;
    current?.lines.push(line);
  }
  for (const release of releases) {
    while (release.lines[0]?.trim() === '') release.lines.shift();
    while (release.lines.at(-1)?.trim() === '') release.lines.pop();
  }
  return releases;
}
