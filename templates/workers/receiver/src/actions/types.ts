// The context Hono hands its routes (waitUntil, passThroughOnException, props): workers-types 5 declares more on the
// global ExecutionContext than Hono passes through.
import type { ExecutionContext } from 'hono';
import type { Env } from '../env.js';
import type { AuthContext } from '../lib/session-token.js';

/** What an action handler gets besides its payload. */
export interface ActionContext<User extends AuthContext | null = AuthContext | null> {
  env: Env;
  /** The signed-in end user (from the session JWT inside the signed body); null for actions without a user. */
  user: User;
  /** The request's `webhook-id`: unique per request, the same across the sender's retries. */
  webhookId: string;
  ctx: ExecutionContext;
}

/**
 * An action handler: the payload is the signed JSON body without `action` and `jwt`. Return a JSON-able value
 * (answered with 200) or a Response; throw `ApiError` for an error envelope.
 *
 * @example
 * export const ping: ActionHandler = (payload) => ({ ok: true, echo: payload });
 */
export type ActionHandler = (payload: Record<string, unknown>, context: ActionContext) => unknown | Promise<unknown>;

/** An action that needs a signed-in user: its handler gets a non-null `user`. */
export type UserActionHandler = (payload: Record<string, unknown>, context: ActionContext<AuthContext>) => unknown | Promise<unknown>;

/**
 * One entry of the action registry (`src/actions/index.ts`), the file `appshell add-route --worker receiver` writes.
 *
 * @example
 * { name: 'provision-api-key', requiresUser: true, handler: provisionApiKey }
 */
export type ReceiverAction =
  | { name: string; requiresUser: true; handler: UserActionHandler }
  | { name: string; requiresUser?: false; handler: ActionHandler };
