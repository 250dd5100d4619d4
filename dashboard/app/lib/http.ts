// The one place the app talks to the dashboard server. Signing in sets an HttpOnly session cookie
// that the browser sends with every same-origin request by itself, so nothing here holds a secret:
// no Authorization header, no token in storage, nothing a script on the page could read and leak.

/** An answer the server refused, with its sentence (`{"error": "…"}`) and whatever else it said. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The whole JSON body (e.g. `retry_after` of a 429, `errors` of a fan-out), when there was one. */
    readonly body: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. The server refuses state-changing calls whose body is not application/json (415). */
  body?: unknown;
  /** Sent as it is with its own Content-Type instead of `body` (the ad-spend import's text/csv). */
  raw?: { text: string; type: string };
  signal?: AbortSignal;
  /**
   * A 401 from this call is its own answer, not "the session ended": signing in ("wrong email or
   * password", "totp required") and the first look at /api/auth/me (not signed in yet).
   */
  expectUnauthorized?: boolean;
}

let sessionEnded: (message: string) => void = () => {};

/** Who to tell when any call answers 401: the session expired, was ended elsewhere, or the user was disabled. */
export function onSessionEnded(handler: (message: string) => void): void {
  sessionEnded = handler;
}

/** For a caller that looked closer at a 401 it expected and found the session gone after all. */
export function reportSessionEnded(message: string): void {
  sessionEnded(message);
}

/** Relative to the page's own directory, so the app also works behind a proxy under a sub-path. */
export function apiUrl(path: string): URL {
  return new URL(path, document.baseURI);
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, raw, signal, expectUnauthorized = false } = options;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (raw !== undefined) headers['Content-Type'] = raw.type;
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(apiUrl(path), {
      method,
      headers,
      body: raw !== undefined ? raw.text : body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError('Cannot reach the dashboard server. Is it running?', 0);
  }
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (!response.ok) {
    const message = typeof json?.error === 'string' ? json.error : `${response.status} ${response.statusText}`;
    if (response.status === 401 && !expectUnauthorized) sessionEnded(message);
    throw new ApiError(message, response.status, json);
  }
  if (json === null) throw new ApiError('The server sent an answer that is not JSON.', response.status);
  return json as T;
}

/** The message of anything a call threw, for showing to people. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A 403 that refuses the page itself (the user's roles), as opposed to one refusing a single action. */
export function isForbidden(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status === 403;
}
