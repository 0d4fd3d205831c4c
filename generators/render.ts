import Handlebars from 'handlebars';
import type { TemplateSource } from './template-source.js';

const handlebars = Handlebars.create();
handlebars.registerHelper('json', (value: unknown) => new Handlebars.SafeString(JSON.stringify(value)));
handlebars.registerHelper('join', (value: unknown[], separator: unknown) =>
  value.join(typeof separator === 'string' ? separator : ', '),
);
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
handlebars.registerHelper('first', (list: unknown[]) => (Array.isArray(list) ? list[0] : undefined));
handlebars.registerHelper('lower', (value: unknown) => String(value).toLowerCase());
handlebars.registerHelper('includes', (list: unknown[], item: unknown) => Array.isArray(list) && list.includes(item));

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Renders one `.hbs` template (compiled once per process); other files are returned as they are. */
export function renderTemplate(path: string, text: string, context: object): string {
  if (!path.endsWith('.hbs')) return text;
  let template = compiled.get(text);
  if (!template) {
    template = handlebars.compile(text, { noEscape: true, strict: true });
    compiled.set(text, template);
  }
  return template(context);
}

/** Output path of a template file: `.hbs` dropped, and `gitignore` restored to `.gitignore` (npm strips dotfiles named so). */
export function outputPath(path: string): string {
  const withoutHbs = path.endsWith('.hbs') ? path.slice(0, -'.hbs'.length) : path;
  return withoutHbs.replace(/(^|\/)gitignore$/, '$1.gitignore');
}

/** The template files under one folder, with paths relative to it. */
export function filesUnder(source: TemplateSource, folder: string): [string, string][] {
  const prefix = `${folder}/`;
  return [...source]
    .filter(([path]) => path.startsWith(prefix))
    .map(([path, text]) => [path.slice(prefix.length), text] as [string, string])
    .sort(([a], [b]) => a.localeCompare(b));
}
