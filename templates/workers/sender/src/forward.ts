/** Statuses worth another try: the receiver (or what is in front of it) was briefly unavailable. */
const transientStatuses = new Set([502, 503, 504]);

export interface ForwardOptions {
  /** Sends the request: the service binding's `fetch`, or the global `fetch` for a URL. */
  send: (request: Request) => Promise<Response>;
  url: string;
  /** The signed headers (`signRequest`): the same id and signature on every attempt. */
  headers: Record<string, string>;
  body: string;
  /** Deliveries at most, the first included. Default 3. */
  attempts?: number;
  /** Wait before the second attempt; doubles each time, with jitter. Default 200 ms. */
  baseDelayMs?: number;
  /** One attempt that has not answered after this long counts as a connection error. Default 10 s. */
  attemptTimeoutMs?: number;
}

/** The receiver's answer, or why there is none after every attempt (for the log; never sent to the client). */
export type ForwardResult = { ok: true; response: Response; attempts: number } | { ok: false; attempts: number; detail: string };

/**
 * Delivers one signed request, retrying connection errors, timeouts and 502/503/504 with exponential backoff.
 * Every retry carries the same `webhook-id` and signature, so the receiver's one-time check makes the retry of
 * a request that did arrive harmless: it answers 409 instead of acting twice.
 *
 * @example
 * const result = await forwardSigned({ send: (r) => env.RECEIVER.fetch(r), url: 'https://receiver/inbox', headers: signed.headers, body });
 */
export async function forwardSigned(options: ForwardOptions): Promise<ForwardResult> {
  const attempts = options.attempts ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const timeoutMs = options.attemptTimeoutMs ?? 10_000;
  let detail = 'no attempt';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (attempt > 1) await sleep(backoff(baseDelayMs, attempt));
    const request = new Request(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: options.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    try {
      const response = await options.send(request);
      // The last answer is relayed whatever it is: the app sees the receiver's own 502/503/504.
      if (!transientStatuses.has(response.status) || attempt === attempts) return { ok: true, response, attempts: attempt };
      detail = `receiver answered ${response.status}`;
      await response.body?.cancel();
    } catch (error) {
      detail = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'fetch failed';
    }
  }
  return { ok: false, attempts, detail: `${detail} (after ${attempts} attempts)` };
}

/** Exponential backoff with jitter (half fixed, half random), so that many senders do not retry in step. */
function backoff(baseDelayMs: number, attempt: number): number {
  const delay = baseDelayMs * 2 ** (attempt - 2);
  return delay / 2 + Math.random() * (delay / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
