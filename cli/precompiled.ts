import { loadTemplates, type TemplateSource } from '../generators/template-source.js';
import { usePrecompiledTemplates } from '../generators/render.js';

/** Loads the templates the build compiled ahead of time, when there are any (not under tsx or vitest). */
export async function loadPrecompiledTemplates(): Promise<void> {
  try {
    const url = new URL('../precompiled-templates.js', import.meta.url).href;
    const module = (await import(/* @vite-ignore */ url)) as { precompiledTemplates: ReadonlyMap<string, unknown> };
    usePrecompiledTemplates(module.precompiledTemplates);
  } catch {
    // Not built: templates compile when first rendered.
  }
}

/** The template files, with their compiled forms ready when the build made them. */
export async function loadCliTemplates(): Promise<TemplateSource> {
  const [source] = await Promise.all([loadTemplates(), loadPrecompiledTemplates()]);
  return source;
}
