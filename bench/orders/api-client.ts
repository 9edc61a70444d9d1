/** JSON calls to the API under test, as a marketplace makes them: Bearer key, and an Idempotency-Key on every POST. */
import crypto from 'node:crypto';

export interface Answer {
  status: number;
  text: string;
  body: any;
}

export type ApiClient = ReturnType<typeof apiClient>;

export function apiClient(baseUrl: string, apiKey: string) {
  const call = async (method: 'GET' | 'POST', path: string, body?: object): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
    if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
    if (body) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, text, body: parsed };
  };
  return {
    post: (path: string, body?: object) => call('POST', path, body),
    get: (path: string) => call('GET', path),
  };
}

/** The answer unless its status is `expected`; then an error naming the call, the status and the body. */
export function expectStatus(what: string, res: Answer, expected: number): Answer {
  if (res.status !== expected) throw new Error(`${what} answered ${res.status} (expected ${expected}): ${res.text.slice(0, 500)}`);
  return res;
}
