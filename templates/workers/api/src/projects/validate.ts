import { ApiError } from '../lib/errors.js';

export interface ProjectInput {
  name?: string;
  description?: string;
  memberIds?: string[];
}

const allowedFields = new Set(['name', 'description', 'memberIds']);
const userIdPattern = /^(?!\.{1,2}$)[A-Za-z0-9._:@|+-]{1,128}$/;

/**
 * Checks a create or update body field by field; the first problem is a 400 naming the field. Unknown
 * fields are refused rather than ignored, so a typo (`members`) does not silently do nothing.
 *
 * @example
 * const input = readProjectInput(body, 'create'); // { name: 'Apollo', memberIds: ['user_2'] }
 */
export function readProjectInput(body: Record<string, unknown>, mode: 'create' | 'update'): ProjectInput {
  const unknown = Object.keys(body).find((key) => !allowedFields.has(key));
  if (unknown !== undefined) bad(`unknown field ${JSON.stringify(unknown.slice(0, 40))}`);
  const input: ProjectInput = {};
  if (body.name !== undefined || mode === 'create') {
    if (typeof body.name !== 'string' || body.name.trim().length === 0 || body.name.length > 100) {
      bad('name must be a string of 1 to 100 characters');
    }
    input.name = body.name.trim();
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string' || body.description.length > 1000)
      bad('description must be a string of at most 1000 characters');
    input.description = body.description;
  }
  if (body.memberIds !== undefined) {
    const ids = body.memberIds;
    if (!Array.isArray(ids) || ids.length > 50 || !ids.every((id) => typeof id === 'string' && userIdPattern.test(id))) {
      bad('memberIds must be a list of at most 50 user ids');
    }
    input.memberIds = [...new Set(ids as string[])];
  }
  if (mode === 'update' && Object.keys(input).length === 0) bad('nothing to update');
  return input;
}

function bad(message: string): never {
  throw new ApiError(400, 'bad_request', message);
}
