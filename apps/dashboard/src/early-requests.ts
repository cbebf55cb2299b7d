/**
 * The first render's two requests (the header's totals and the skills table), started by a small
 * classic script (boot.ts) while the page's module is still downloading and compiling, so the
 * server's work on a cold range overlaps the page's own start. The page takes each response once,
 * for the same URL; anything else it asks is fetched as usual.
 */
import { filterParams, rangeParams, type PageState } from './state.js';

const TOKEN_KEY = 'skills-dashboard-token';
const EARLY = '__skillsEarlyRequests';

type EarlyWindow = typeof globalThis & { [EARLY]?: Map<string, Promise<Response>> };

/** The token kept for this tab (sessionStorage), if one was given. */
export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** `path?params`, as the page's requests are written. */
export function apiUrl(path: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams(params).toString();
  return query === '' ? path : `${path}?${query}`;
}

export function authHeaders(token: string | null): Record<string, string> {
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

/** A request of the page: its path and query parameters. */
export type PageRequest = [path: string, params: Record<string, string>];

/** The header's totals; `first`: without the previous range (the first render waits for less). */
export function summaryRequest(state: PageState, first: boolean): PageRequest {
  const params = { ...rangeParams(state), ...filterParams(state) };
  return ['/v1/dashboard/summary', first ? { ...params, previous: 'off' } : params];
}

/** The skills table (`first`: without its trend directions), or the open skill's view. */
export function mainRequest(state: PageState, first: boolean): PageRequest {
  if (state.view !== undefined) return [`/v1/dashboard/skills/${encodeURIComponent(state.view)}`, rangeParams(state)];
  const params = { ...rangeParams(state), ...filterParams(state) };
  return ['/v1/dashboard/skills', first ? { ...params, trends: 'off' } : params];
}

/** The first render's requests for a state, as the page asks them (the same two functions). */
export function firstRenderUrls(state: PageState): string[] {
  return [summaryRequest(state, true), mainRequest(state, true)].map(([path, params]) => apiUrl(path, params));
}

/** Start these requests now (boot.ts). */
export function startEarly(urls: string[]): void {
  const token = storedToken();
  const early = new Map<string, Promise<Response>>();
  for (const url of urls) {
    const response = fetch(url, { headers: authHeaders(token) });
    // A failure is the page's to report when it takes the response, not an unhandled rejection.
    response.catch(() => {});
    early.set(url, response);
  }
  (globalThis as EarlyWindow)[EARLY] = early;
  performance.mark(EARLY_MARK);
}

/** Marked when the early requests went out (the browser test checks the boot ran). */
export const EARLY_MARK = 'skills-dashboard:early-requests';

/** After the first render: what was started early and not taken is never used (it would be stale). */
export function forgetEarly(): void {
  delete (globalThis as EarlyWindow)[EARLY];
}

/** The response of a request started early for this URL, once; undefined when none was. */
export function takeEarly(url: string): Promise<Response> | undefined {
  const early = (globalThis as EarlyWindow)[EARLY];
  const response = early?.get(url);
  early?.delete(url);
  return response;
}
