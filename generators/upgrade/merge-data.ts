import * as commentJson from 'comment-json';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';

/** Keys that name an entry of a list of objects (bindings, migration steps), so lists merge entry by entry. */
const identityKeys = ['tag', 'binding', 'name', 'pattern'] as const;

type Data = unknown;
type DataObject = Record<string, unknown>;

function isObject(value: Data): value is DataObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Equal as data: key order and comments (comment-json keeps them under symbols) do not count. */
export function sameData(a: Data, b: Data): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameData(item, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameData(a[key], b[key]));
  }
  return false;
}

function identityOf(items: unknown[][]): string | undefined {
  const all = items.flat();
  if (all.length === 0 || !all.every(isObject)) return undefined;
  return identityKeys.find((key) => all.every((item) => typeof (item as DataObject)[key] === 'string'));
}

/**
 * Three-way merge of data, in place into `ours` (so comment-json keeps the team's comments): a value the template
 * changed and the team did not takes the template's; one the team changed and the template did not stays; lists of
 * bindings or migration steps merge entry by entry (by tag, binding or name), lists of words as sets. A value both
 * changed differently is a conflict, named by its path.
 */
function mergeInto(ours: DataObject, base: DataObject, theirs: DataObject, path: string, conflicts: string[]): void {
  for (const key of new Set([...Object.keys(base), ...Object.keys(theirs)])) {
    const merged = mergeValue(ours[key], base[key], theirs[key], `${path}${path ? '.' : ''}${key}`, conflicts);
    if (merged.remove) delete ours[key];
    else if (merged.set) ours[key] = merged.value;
  }
}

function mergeValue(
  ours: Data,
  base: Data,
  theirs: Data,
  path: string,
  conflicts: string[],
): { set?: boolean; remove?: boolean; value?: Data } {
  if (sameData(base, theirs) || sameData(ours, theirs)) return {};
  if (sameData(ours, base)) return theirs === undefined ? { remove: true } : { set: true, value: theirs };
  if (isObject(ours) && isObject(theirs) && (base === undefined || isObject(base))) {
    mergeInto(ours, (base as DataObject | undefined) ?? {}, theirs, path, conflicts);
    return {};
  }
  if (Array.isArray(ours) && Array.isArray(theirs) && (base === undefined || Array.isArray(base))) {
    const merged = mergeList(ours, (base as unknown[] | undefined) ?? [], theirs, path, conflicts);
    if (merged) return { set: true, value: merged };
  }
  conflicts.push(path);
  return {};
}

function mergeList(ours: unknown[], base: unknown[], theirs: unknown[], path: string, conflicts: string[]): unknown[] | undefined {
  const identity = identityOf([ours, base, theirs]);
  if (identity) {
    const find = (list: unknown[], id: unknown) => list.find((item) => (item as DataObject)[identity] === id) as DataObject | undefined;
    const result: unknown[] = [];
    for (const item of ours as DataObject[]) {
      const id = item[identity];
      const merged = mergeValue(item, find(base, id), find(theirs, id), `${path}[${String(id)}]`, conflicts);
      if (merged.remove) continue;
      result.push(merged.set ? merged.value : item);
    }
    for (const item of theirs as DataObject[]) {
      const id = item[identity];
      if (!find(ours, id) && !find(base, id)) result.push(item);
    }
    return result;
  }
  if ([...ours, ...base, ...theirs].every((item) => typeof item !== 'object' || item === null)) {
    const removed = base.filter((item) => !theirs.includes(item));
    const added = theirs.filter((item) => !base.includes(item) && !ours.includes(item));
    return [...ours.filter((item) => !removed.includes(item)), ...added];
  }
  return undefined;
}

export type DataFormat = 'jsonc' | 'json' | 'toml';

export type DataMergeResult = { ok: true; content: string } | { ok: false; conflicts: string[] };

/** The comment lines at the top of a TOML file (the `#:schema` line, appshell's header, the team's own notes). */
function leadingComments(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#') && line.trim() !== '') break;
    lines.push(line);
  }
  return lines.join('\n').replace(/\n*$/, '\n\n');
}

/**
 * Merges a config file as data: `wrangler.jsonc` through comment-json (the team's comments stay where they are),
 * `package.json` as JSON, `wrangler.toml` through smol-toml (values merge; comments other than the leading block are
 * not kept, since smol-toml does not carry them). A value both sides changed is a conflict: the caller falls back to a
 * text merge with markers.
 */
export function mergeDataFile(input: { base: string; ours: string; theirs: string }, format: DataFormat): DataMergeResult {
  const parse = (text: string): Data => (format === 'toml' ? parseToml(text) : commentJson.parse(text));
  let ours: Data, base: Data, theirs: Data;
  try {
    [ours, base, theirs] = [parse(input.ours), parse(input.base), parse(input.theirs)];
  } catch {
    return { ok: false, conflicts: ['(the file does not parse)'] };
  }
  if (!isObject(ours) || !isObject(base) || !isObject(theirs)) return { ok: false, conflicts: ['(root)'] };
  const conflicts: string[] = [];
  mergeInto(ours, base, theirs, '', conflicts);
  if (conflicts.length > 0) return { ok: false, conflicts };
  if (format === 'toml') return { ok: true, content: `${leadingComments(input.ours)}${stringifyToml(ours)}\n` };
  if (format === 'json') return { ok: true, content: `${JSON.stringify(ours, null, 2)}\n` };
  return { ok: true, content: `${commentJson.stringify(ours, null, 2)}\n` };
}

/** How a file is merged: wrangler configs and package.json as data, everything else as text. */
export function dataFormatOf(path: string): DataFormat | undefined {
  if (/(^|\/)wrangler\.jsonc$/.test(path)) return 'jsonc';
  if (/(^|\/)wrangler\.toml$/.test(path)) return 'toml';
  if (/(^|\/)package\.json$/.test(path)) return 'json';
  return undefined;
}
