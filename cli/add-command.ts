/**
 * What `add-route` and its receiver form (`--worker receiver`, in add-action.ts) share. A leaf module, so that
 * add-route.ts can load add-action.ts without add-action.ts importing it back.
 */

/** Options as commander hands them to `add-route`; receiver actions take the same set. */
export interface AddRouteFlags {
  methods?: string;
  public?: boolean;
  roles?: string;
  rateLimit?: string;
  description?: string;
  worker?: string;
  requiresUser?: boolean;
  dryRun?: boolean;
  force?: boolean;
  sync?: boolean;
}

/** What to do about generated files the team edited. */
export const moveEditsOrForceSuggestion =
  'Move your changes into appshell.json or the handler files, or re-run with --force to overwrite them.';
