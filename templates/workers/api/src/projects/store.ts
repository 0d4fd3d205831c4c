/**
 * Projects in KV. Keys use `/` as separator because `/` can never appear in a user id or tenant (the
 * session verifier refuses such claims), so one tenant's prefix can never match another's:
 *
 * - `project/<tenant|~>/<id>`: the project as JSON
 * - `member/<tenant|~>/<userId>/<id>`: index of the projects a user owns or belongs to (empty value)
 *
 * KV is eventually consistent between locations (a list may lag a write by up to a minute in
 * production) and has no compare-and-swap: fine for an example resource, and the reason a team with
 * stricter needs moves this store to a Durable Object or D1.
 */
export interface Project {
  id: string;
  name: string;
  description?: string;
  ownerId: string;
  memberIds: string[];
  tenant?: string;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectPage {
  projects: Project[];
  /** Pass back as `?cursor=` for the next page; absent on the last page. */
  cursor?: string;
}

const pageSize = 50;

function tenantKey(tenant: string | undefined): string {
  return tenant ?? '~';
}

function projectKey(tenant: string | undefined, id: string): string {
  return `project/${tenantKey(tenant)}/${id}`;
}

function memberKey(tenant: string | undefined, userId: string, id: string): string {
  return `member/${tenantKey(tenant)}/${userId}/${id}`;
}

/** The users whose index lists the project. */
function indexedUsers(project: Project): string[] {
  return [...new Set([project.ownerId, ...project.memberIds])];
}

export class ProjectStore {
  constructor(private readonly kv: KVNamespace) {}

  /** The project with `id` in `tenant`, or null. Never looks outside the tenant. */
  async get(tenant: string | undefined, id: string): Promise<Project | null> {
    return this.kv.get<Project>(projectKey(tenant, id), 'json');
  }

  /** Writes the project and brings the member index in line with `previous` (null when new). */
  async put(project: Project, previous: Project | null): Promise<void> {
    await this.kv.put(projectKey(project.tenant, project.id), JSON.stringify(project));
    const now = indexedUsers(project);
    const before = previous ? indexedUsers(previous) : [];
    await Promise.all([
      ...now.filter((user) => !before.includes(user)).map((user) => this.kv.put(memberKey(project.tenant, user, project.id), '')),
      ...before.filter((user) => !now.includes(user)).map((user) => this.kv.delete(memberKey(project.tenant, user, project.id))),
    ]);
  }

  async delete(project: Project): Promise<void> {
    await Promise.all([
      this.kv.delete(projectKey(project.tenant, project.id)),
      ...indexedUsers(project).map((user) => this.kv.delete(memberKey(project.tenant, user, project.id))),
    ]);
  }

  /** One page of the projects `userId` owns or belongs to. */
  async listForUser(tenant: string | undefined, userId: string, cursor?: string): Promise<ProjectPage> {
    const prefix = `member/${tenantKey(tenant)}/${userId}/`;
    const page = await this.kv.list({ prefix, limit: pageSize, ...(cursor ? { cursor } : {}) });
    const ids = page.keys.map(({ name }) => name.slice(prefix.length));
    return this.page(tenant, ids, page);
  }

  /** One page of every project of the tenant (for admins). */
  async listAll(tenant: string | undefined, cursor?: string): Promise<ProjectPage> {
    const prefix = `project/${tenantKey(tenant)}/`;
    const page = await this.kv.list({ prefix, limit: pageSize, ...(cursor ? { cursor } : {}) });
    const ids = page.keys.map(({ name }) => name.slice(prefix.length));
    return this.page(tenant, ids, page);
  }

  private async page(tenant: string | undefined, ids: string[], list: KVNamespaceListResult<unknown>): Promise<ProjectPage> {
    const found = await Promise.all(ids.map((id) => this.get(tenant, id)));
    // An index entry can outlive its project for a moment (eventual consistency): skip it.
    const projects = found.filter((project): project is Project => project !== null);
    return list.list_complete ? { projects } : { projects, cursor: list.cursor };
  }
}
