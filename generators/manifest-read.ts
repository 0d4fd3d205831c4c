import { manifestFileName, manifestSchema, manifestSchemaVersion, migrateManifest, type ProjectManifest } from './manifest.js';
import { withMigrationLedgers } from './migrations.js';

export type ManifestResult = { ok: true; manifest: ProjectManifest; migratedFrom?: number } | { ok: false; message: string };

/** Parses `appshell.json` text; the message names the first bad field. */
export function parseManifest(text: string): ManifestResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${manifestFileName} is not valid JSON: ${(error as Error).message}` };
  }
  const migrated = migrateManifest(value);
  if (!migrated.ok) return migrated;
  const parsed = manifestSchema.safeParse(migrated.value);
  if (parsed.success) {
    return {
      ok: true,
      manifest: withMigrationLedgers(parsed.data),
      ...(migrated.from < manifestSchemaVersion ? { migratedFrom: migrated.from } : {}),
    };
  }
  const issue = parsed.error.issues[0]!;
  return { ok: false, message: `${manifestFileName}: ${issue.path.join('.') || '(root)'} ${issue.message}` };
}
