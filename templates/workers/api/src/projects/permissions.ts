import type { AuthContext } from '../lib/session-token.js';
import type { Project } from './store.js';

/**
 * Who may do what with a project, in one place, as pure functions of the caller and the project: the
 * same shape as the rules a team keeps in `instant.perms.ts` (`view`, `update`, `delete` per entity).
 *
 * - `view`, `update`: the owner, a member, or an `admin` of the same tenant.
 * - `manageMembers`, `delete`: the owner or an `admin` of the same tenant.
 *
 * A caller who may not `view` a project must not learn that it exists: routes answer 404, not 403.
 *
 * @example
 * if (!canProject(auth, 'view', project)) throw new ApiError(404, 'not_found', 'No such project');
 * if (!canProject(auth, 'delete', project)) throw new ApiError(403, 'forbidden', 'Not allowed');
 */
export const projectRules = {
  view: (auth, project) => isTenantAdmin(auth, project) || isOwner(auth, project) || isMember(auth, project),
  update: (auth, project) => isTenantAdmin(auth, project) || isOwner(auth, project) || isMember(auth, project),
  manageMembers: (auth, project) => isTenantAdmin(auth, project) || isOwner(auth, project),
  delete: (auth, project) => isTenantAdmin(auth, project) || isOwner(auth, project),
} satisfies Record<string, (auth: AuthContext, project: Project) => boolean>;

export type ProjectAction = keyof typeof projectRules;

export const adminRole = 'admin';

export function canProject(auth: AuthContext, action: ProjectAction, project: Project): boolean {
  // Tenants never mix, whatever the rule says.
  return sameTenant(auth, project) && projectRules[action](auth, project);
}

export function isAdmin(auth: AuthContext): boolean {
  return auth.roles.includes(adminRole);
}

function isTenantAdmin(auth: AuthContext, project: Project): boolean {
  return isAdmin(auth) && sameTenant(auth, project);
}

function isOwner(auth: AuthContext, project: Project): boolean {
  return project.ownerId === auth.userId;
}

function isMember(auth: AuthContext, project: Project): boolean {
  return project.memberIds.includes(auth.userId);
}

function sameTenant(auth: AuthContext, project: Project): boolean {
  return (project.tenant ?? null) === (auth.tenant ?? null);
}
