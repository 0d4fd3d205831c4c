import Handlebars from 'handlebars';
import type { TemplateSource } from './template-source.js';

const handlebars = Handlebars.create();
handlebars.registerHelper('json', (value: unknown) => new Handlebars.SafeString(JSON.stringify(value)));
handlebars.registerHelper('join', (value: unknown[], separator: unknown) => value.join(typeof separator === 'string' ? separator : ', '));
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
handlebars.registerHelper('first', (list: unknown[]) => (Array.isArray(list) ? list[0] : undefined));
handlebars.registerHelper('lower', (value: unknown) => String(value).toLowerCase());
handlebars.registerHelper('includes', (list: unknown[], item: unknown) => Array.isArray(list) && list.includes(item));

const compileOptions = { noEscape: true, strict: true } as const;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/**
 * Templates compiled ahead of time by the build (`dist/precompiled-templates.js`), keyed by their exact text:
 * parsing Handlebars costs more start-up than everything else `init-worker` renders. A template whose text
 * differs from what was built is simply compiled at run time.
 */
export function usePrecompiledTemplates(specs: ReadonlyMap<string, unknown>): void {
  for (const [text, spec] of specs) {
    if (!compiled.has(text)) compiled.set(text, handlebars.template(spec as Parameters<typeof handlebars.template>[0]));
  }
}

/** The build's side of `usePrecompiledTemplates`: JavaScript source of one template's compiled form. */
export function precompileTemplate(text: string): string {
  return handlebars.precompile(text, compileOptions) as string;
}

/** Renders one `.hbs` template (compiled once per process); other files are returned as they are. */
export function renderTemplate(path: string, text: string, context: object): string {
  if (!path.endsWith('.hbs')) return text;
  let template = compiled.get(text);
  if (!template) {
    template = handlebars.compile(text, compileOptions);
    compiled.set(text, template);
  }
  return template(context);
}

/** Output path of a template file: `.hbs` dropped, `gitignore` restored to `.gitignore`, `biome-config.jsonc` to `biome.jsonc`. */
export function outputPath(path: string): string {
  const withoutHbs = path.endsWith('.hbs') ? path.slice(0, -'.hbs'.length) : path;
  // Both are stored under other names: npm leaves `.gitignore` out of a package, and a `biome.jsonc` inside this
  // repository would be a second root config to Biome.
  return withoutHbs.replace(/(^|\/)gitignore$/, '$1.gitignore').replace(/(^|\/)biome-config\.jsonc$/, '$1biome.jsonc');
}

/** The template files under one folder, with paths relative to it. */
export function filesUnder(source: TemplateSource, folder: string): [string, string][] {
  const prefix = `${folder}/`;
  return [...source]
    .filter(([path]) => path.startsWith(prefix))
    .map(([path, text]) => [path.slice(prefix.length), text] as [string, string])
    .sort(([a], [b]) => a.localeCompare(b));
}

/** One file of `templates/snippets/` (what add-route writes for a new route or action), rendered with `context`. */
export function renderSnippet(source: TemplateSource, name: string, context: object): string {
  const text = source.get(`snippets/${name}`);
  if (text === undefined) throw new Error(`templates/snippets/${name} is missing`);
  return renderTemplate(name, text, context);
}
