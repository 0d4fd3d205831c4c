import { ApiError } from './lib/errors.js';
import { signatureHeaders } from './lib/webhook-signature.js';

/** Statuses worth another try: the receiver (or what is in front of it) was briefly unavailable. */
const transientStatuses = new Set([502, 503, 504]);

export interface ForwardOptions {
  /** Sends the request: the service binding's `fetch`, or the global `fetch` for a URL. */
  send: (request: Request) => Promise<Response>;
  url: string;
  secrets: string[];
  body: string;
  attempts?: number;
  baseDelayMs?: number;
}

/**
 * Signs `body` once (one `webhook-id`, one timestamp) and delivers it, retrying connection errors and
 * 502/503/504 with exponential backoff. Every retry carries the same `webhook-id`, so the receiver's one-time
 * check makes a retry of a request that did arrive harmless (it answers 409 instead of acting twice).
 *
 * @example
 * const response = await forwardSigned({ send: (r) => env.RECEIVER.fetch(r), url: 'https://receiver/inbox', secrets, body });
 */
export async function forwardSigned(options: ForwardOptions): Promise<{ response: Response; attempts: number; id: string }> {
  const id = `msg_${crypto.randomUUID().replace(/-/g, '')}`;
  const headers = {
    'content-type': 'application/json',
    ...signatureHeaders(options.secrets, id, Math.floor(Date.now() / 1000), options.body),
  };
  const attempts = options.attempts ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 200;
  let lastError = 'no attempt';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const response = await options.send(new Request(options.url, { method: 'POST', headers, body: options.body }));
      if (!transientStatuses.has(response.status) || attempt === attempts) return { response, attempts: attempt, id };
      lastError = `receiver answered ${response.status}`;
      await response.body?.cancel();
    } catch (error) {
      lastError = `receiver unreachable: ${(error as Error).message}`;
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, baseDelayMs * 2 ** (attempt - 1)));
  }
  throw Object.assign(new ApiError(502, 'upstream_failed', 'The receiver could not be reached'), { detail: lastError });
}
