import * as commentJson from 'comment-json';
import { parse as parseToml } from 'smol-toml';
import type { ConfigFormat, WranglerConfig } from './wrangler-config.js';

/**
 * Reads a wrangler config written by appshell or edited by the team. JSONC goes through comment-json, whose
 * tree keeps the comments for a structural edit; TOML through smol-toml. Kept apart from the writer so that
 * commands that only write do not load the parsers.
 */
export function parseWranglerConfig(text: string, format: ConfigFormat): WranglerConfig {
  if (format === 'toml') return parseToml(text) as unknown as WranglerConfig;
  return commentJson.parse(text) as unknown as WranglerConfig;
}
