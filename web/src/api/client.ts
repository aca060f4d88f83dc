/** A refusal or failure from the API, reduced to what the portal needs: a stable code to put into words. */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly code: string,
    readonly status: number,
    readonly detail = '',
  ) {
    super(`${status} ${code}`);
  }
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
}

let csrfToken: string | undefined;

/**
 * The portal never holds a token: the browser sends its HttpOnly session cookie, and every request
 * that changes something carries the session's CSRF token, which the API checks against the session.
 */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Sends one request to the API (same origin, with the session cookie) and answers the raw response, or throws an ApiProblem. */
export async function send(path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  const method = options.method ?? (options.body !== undefined ? 'POST' : 'GET');
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiProblem('network', 0);
  }
  if (!res.ok) throw await problemOf(res);
  return res;
}

/** GET or POST and parse the JSON answer. */
export async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  const res = await send(path, options);
  return (await res.json()) as T;
}

async function problemOf(res: Response): Promise<ApiProblem> {
  try {
    const body: unknown = await res.json();
    if (typeof body === 'object' && body !== null && 'code' in body && typeof body.code === 'string') {
      const detail = 'detail' in body && typeof body.detail === 'string' ? body.detail : '';
      return new ApiProblem(body.code, res.status, detail);
    }
  } catch {
    // not problem+json: a proxy's page, say; the status alone decides the words
  }
  return new ApiProblem(res.status >= 500 ? 'internal' : `http_${res.status}`, res.status);
}

/** Reads an NDJSON stream line by line (the audit verifications report progress this way). */
export async function* ndjson(res: Response): AsyncGenerator<unknown> {
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffered += value;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield JSON.parse(line) as unknown;
    }
    if (done) break;
  }
  if (buffered.trim()) yield JSON.parse(buffered) as unknown;
}

/** Saves a response body as a file the person can keep. */
export async function download(res: Response, filename: string): Promise<void> {
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
