import type { Context } from 'hono';
import type { ApiEnv } from '../env.js';
import { ApiError } from '../lib/errors.js';
import type { AuthContext } from '../lib/session-token.js';
import type { BuiltInHandler } from '../routes/mount.js';
import { canProject, isAdmin } from './permissions.js';
import { ProjectStore, type Project } from './store.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The example domain resource, behind the auth guard and the rate limiter: `GET/POST /v1/projects`,
// `GET/PATCH/DELETE /v1/projects/:id` (route-table.ts). Rules live in `permissions.ts`; the bodies are checked
// against `projectCreate` / `projectUpdate` before a handler runs.

export const listProjects: BuiltInHandler<'listProjects'> = async (c) => {
  const auth = c.get('auth');
  const store = new ProjectStore(c.env.PROJECTS);
  const cursor = c.req.valid('query').cursor || undefined;
  const page = isAdmin(auth) ? await store.listAll(auth.tenant, cursor) : await store.listForUser(auth.tenant, auth.userId, cursor);
  // The index says where to look; the rules still decide what is shown.
  const projects = page.projects.filter((project) => canProject(auth, 'view', project));
  return c.json({ projects, ...(page.cursor ? { cursor: page.cursor } : {}) });
};

export const createProject: BuiltInHandler<'createProject'> = async (c) => {
  const auth = c.get('auth');
  const input = c.req.valid('json');
  const now = new Date().toISOString();
  const project: Project = {
    id: crypto.randomUUID(),
    name: input.name.trim(),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ownerId: auth.userId,
    memberIds: [...new Set(input.memberIds ?? [])].filter((id) => id !== auth.userId),
    ...(auth.tenant !== undefined ? { tenant: auth.tenant } : {}),
    createdAt: now,
    updatedAt: now,
  };
  await new ProjectStore(c.env.PROJECTS).put(project, null);
  return c.json({ project }, 201);
};

export const getProject: BuiltInHandler<'getProject'> = async (c) => {
  const project = await visibleProject(c, c.get('auth'));
  return c.json({ project });
};

export const updateProject: BuiltInHandler<'updateProject'> = async (c) => {
  const auth = c.get('auth');
  const previous = await visibleProject(c, auth);
  const input = c.req.valid('json');
  if (!canProject(auth, 'update', previous)) forbid(c, 'update');
  if (input.memberIds !== undefined && !canProject(auth, 'manageMembers', previous)) forbid(c, 'manageMembers');
  const project: Project = {
    ...previous,
    ...(input.name !== undefined ? { name: input.name.trim() } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.memberIds !== undefined ? { memberIds: [...new Set(input.memberIds)].filter((id) => id !== previous.ownerId) } : {}),
    updatedAt: new Date().toISOString(),
  };
  await new ProjectStore(c.env.PROJECTS).put(project, previous);
  return c.json({ project });
};

export const deleteProject: BuiltInHandler<'deleteProject'> = async (c) => {
  const auth = c.get('auth');
  const project = await visibleProject(c, auth);
  if (!canProject(auth, 'delete', project)) forbid(c, 'delete');
  await new ProjectStore(c.env.PROJECTS).delete(project);
  return c.json({ deleted: true, id: project.id });
};

/** The project named in the path if the caller may see it; otherwise 404, so existence never leaks. */
async function visibleProject(c: Context<ApiEnv>, auth: AuthContext): Promise<Project> {
  const id = c.req.param('id') ?? '';
  const project = uuidPattern.test(id) ? await new ProjectStore(c.env.PROJECTS).get(auth.tenant, id) : null;
  if (!project || !canProject(auth, 'view', project)) throw new ApiError(404, 'not_found', 'No such project');
  return project;
}

function forbid(c: Context<ApiEnv>, action: string): never {
  c.set('errorDetail', `projects: ${action} not allowed`);
  throw new ApiError(403, 'forbidden', 'Not allowed');
}
