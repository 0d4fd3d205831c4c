import type { Context, Hono } from 'hono';
import type { ApiEnv } from '../env.js';
import { readJsonObject } from '../lib/json-body.js';
import { route } from '../lib/app.js';
import { ApiError } from '../lib/errors.js';
import type { AuthContext } from '../lib/session-token.js';
import { canProject, isAdmin } from './permissions.js';
import { ProjectStore, type Project } from './store.js';
import { readProjectInput } from './validate.js';

const maxBodyBytes = 16 * 1024;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The example domain resource, behind the auth guard and the rate limiter:
 * `GET/POST /v1/projects`, `GET/PATCH/DELETE /v1/projects/:id`. Rules live in `permissions.ts`.
 *
 * @example
 * mountProjectRoutes(app); // after app.use('*', authGuard(), userRateLimit())
 */
export function mountProjectRoutes(app: Hono<ApiEnv>): void {
  route(app, '/v1/projects', { GET: listProjects, POST: createProject });
  route(app, '/v1/projects/:id', { GET: getProject, PATCH: updateProject, DELETE: deleteProject });
}

async function listProjects(c: Context<ApiEnv>): Promise<Response> {
  const auth = c.get('auth');
  const store = new ProjectStore(c.env.PROJECTS);
  const cursor = c.req.query('cursor') || undefined;
  const page = isAdmin(auth) ? await store.listAll(auth.tenant, cursor) : await store.listForUser(auth.tenant, auth.userId, cursor);
  // The index says where to look; the rules still decide what is shown.
  const projects = page.projects.filter((project) => canProject(auth, 'view', project));
  return c.json({ projects, ...(page.cursor ? { cursor: page.cursor } : {}) });
}

async function createProject(c: Context<ApiEnv>): Promise<Response> {
  const auth = c.get('auth');
  const input = readProjectInput(await readJsonObject(c, maxBodyBytes), 'create');
  const now = new Date().toISOString();
  const project: Project = {
    id: crypto.randomUUID(),
    name: input.name!,
    ...(input.description !== undefined ? { description: input.description } : {}),
    ownerId: auth.userId,
    memberIds: (input.memberIds ?? []).filter((id) => id !== auth.userId),
    ...(auth.tenant !== undefined ? { tenant: auth.tenant } : {}),
    createdAt: now,
    updatedAt: now,
  };
  await new ProjectStore(c.env.PROJECTS).put(project, null);
  return c.json({ project }, 201);
}

async function getProject(c: Context<ApiEnv>): Promise<Response> {
  const project = await visibleProject(c, c.get('auth'));
  return c.json({ project });
}

async function updateProject(c: Context<ApiEnv>): Promise<Response> {
  const auth = c.get('auth');
  const previous = await visibleProject(c, auth);
  const input = readProjectInput(await readJsonObject(c, maxBodyBytes), 'update');
  if (!canProject(auth, 'update', previous)) forbid(c, 'update');
  if (input.memberIds !== undefined && !canProject(auth, 'manageMembers', previous)) forbid(c, 'manageMembers');
  const project: Project = {
    ...previous,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.memberIds !== undefined ? { memberIds: input.memberIds.filter((id) => id !== previous.ownerId) } : {}),
    updatedAt: new Date().toISOString(),
  };
  await new ProjectStore(c.env.PROJECTS).put(project, previous);
  return c.json({ project });
}

async function deleteProject(c: Context<ApiEnv>): Promise<Response> {
  const auth = c.get('auth');
  const project = await visibleProject(c, auth);
  if (!canProject(auth, 'delete', project)) forbid(c, 'delete');
  await new ProjectStore(c.env.PROJECTS).delete(project);
  return c.json({ deleted: true, id: project.id });
}

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
