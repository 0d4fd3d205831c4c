import type { SmokeStep } from '../generators/rehearsal-plan.js';

export interface SmokeResult {
  name: string;
  ok: boolean;
  status?: number;
  /** Why it failed: the status and the error envelope's code and message (never a token or a secret). */
  detail?: string;
}

function describeFailure(step: SmokeStep, status: number, text: string): string {
  let reason = text.slice(0, 200);
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error) reason = `${body.error.code ?? 'error'}: ${body.error.message ?? ''}`;
  } catch {
    // not JSON: a download, or a runtime error page
  }
  return `${step.method} ${step.path} answered ${status}, expected ${step.expectStatus}${reason ? ` (${reason})` : ''}`;
}

/**
 * Runs the smoke flow against the deployed Workers' local URLs, one step after another; a step after a failed one
 * is not attempted (they build on each other: no session, no API call).
 */
export async function runSmokeFlow(
  steps: SmokeStep[],
  urlOf: (step: SmokeStep) => string,
  onStep: (result: SmokeResult) => void,
): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  let token = '';
  for (const step of steps) {
    const headers = Object.fromEntries(Object.entries(step.headers).map(([name, value]) => [name, value.replace('{token}', token)]));
    let result: SmokeResult;
    try {
      const response = await fetch(new URL(step.path, urlOf(step)), {
        method: step.method,
        headers,
        body: step.body,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status !== step.expectStatus)
        result = { name: step.name, ok: false, status: response.status, detail: describeFailure(step, response.status, text) };
      else if (step.expectText !== undefined && text !== step.expectText)
        result = { name: step.name, ok: false, status: response.status, detail: 'the download is not what was uploaded' };
      else {
        if (step.capturesSession) token = String((JSON.parse(text) as { token?: string }).token ?? '');
        result = { name: step.name, ok: true, status: response.status };
      }
    } catch (error) {
      result = { name: step.name, ok: false, detail: (error as Error).message };
    }
    results.push(result);
    onStep(result);
    if (!result.ok) break;
  }
  return results;
}
