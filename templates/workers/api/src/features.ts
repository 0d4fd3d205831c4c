import type { MiddlewareHandler } from 'hono';
import type { ApiEnv, Env } from './env.js';
import { ApiError } from './lib/errors.js';

/** The optional features a project picks at init; appshell writes the chosen ones into the `FEATURES` var. */
export type Feature = 'ai' | 'images' | 'stream';

/**
 * Whether a feature chosen at init is on. The Worker only learns the init answers through the `FEATURES` var
 * (a comma list written by appshell), so that var is the switch.
 *
 * @example
 * if (featureEnabled(c.env, 'ai')) { ... }
 */
export function featureEnabled(env: Pick<Env, 'FEATURES'>, feature: Feature): boolean {
  return (env.FEATURES ?? '').split(',').some((name) => name.trim() === feature);
}

/**
 * Answers 404 (as for any unknown route) when `feature` is off, so a disabled feature's routes do not exist.
 *
 * @example
 * app.use('/v1/ai/*', requireFeature('ai'));
 */
export function requireFeature(feature: Feature): MiddlewareHandler<ApiEnv> {
  return async function requireFeatureMiddleware(c, next) {
    if (!featureEnabled(c.env, feature)) {
      c.set('errorDetail', `feature ${feature} is off (FEATURES)`);
      throw new ApiError(404, 'not_found', 'No such route');
    }
    await next();
  };
}
