/**
 * HTTP to the server that served the page (same origin only). With tokens on, the first 401 asks
 * for a token once; it is kept in sessionStorage for this tab and sent as a Bearer token (and as
 * the WebSocket's first message).
 */
import { apiUrl, authHeaders, keepToken, storedToken, takeEarly } from './early-requests.js';

export { storedToken };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let asking: Promise<string> | null = null;
let askForToken: (wrong: boolean) => Promise<string> = async () => {
  throw new ApiError(401, 'a token is needed');
};

/** How the page asks for a token (a dialog); set once by the page. */
export function setTokenPrompt(prompt: (wrong: boolean) => Promise<string>): void {
  askForToken = prompt;
}

export async function getJson<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const url = apiUrl(path, params);
  for (let attempt = 0; ; attempt++) {
    const token = storedToken();
    // The first render's requests were started by the boot script (early-requests.ts): taken once.
    const response = await ((attempt === 0 ? takeEarly(url) : undefined) ?? fetch(url, { headers: authHeaders(token) }));
    if (response.status === 401 && attempt < 5) {
      asking ??= askForToken(token !== null).finally(() => (asking = null));
      keepToken(await asking);
      continue;
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      throw new ApiError(response.status, body?.error?.message ?? `${response.status} ${response.statusText}`);
    }
    return (await response.json()) as T;
  }
}
