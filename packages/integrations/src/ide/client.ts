import type { IdeContextInput, IdeFeedbackInput, IdeFeedbackReport, IdeRecommendations } from './protocol.js';

/** The server's paths of the IDE protocol. */
export const IDE_PATHS = {
  recommendations: '/v1/integrations/ide/recommendations',
  feedback: '/v1/integrations/ide/feedback',
} as const;

export interface IdeClientOptions {
  /** The server, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** A bearer token: a read token for recommendations, a write token for feedback (a write token does both). */
  token?: string | undefined;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch | undefined;
}

export interface IdeClient {
  /** `POST /v1/integrations/ide/recommendations`. */
  recommend(context: IdeContextInput): Promise<IdeRecommendations>;
  /** `POST /v1/integrations/ide/feedback`. */
  feedback(report: IdeFeedbackInput): Promise<IdeFeedbackReport>;
}

/** A refusal by the server: its status and the API's error body (`code`, `message`, per-field `issues`). */
export class IdeClientError extends Error {
  override name = 'IdeClientError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly { index: number; field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/**
 * A client of the IDE protocol over the server's HTTP API, for plugin authors.
 * @example
 * const ide = createIdeClient({ baseUrl: 'http://127.0.0.1:8787', token: process.env.SKILLS_TOKEN });
 * const { recommendations } = await ide.recommend({ language: 'python', code: 'def test_add():', line: 1, cursor: 4 });
 * await ide.feedback({ session_id: 'vscode-1', recommended: recommendations.map((r) => r.skill_name), selected: 'pytest-run', completed: true });
 */
export function createIdeClient(options: IdeClientOptions): IdeClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const send = options.fetch ?? fetch;
  async function post<T>(path: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const response = await send(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new IdeClientError(
        response.status,
        'invalid_response',
        `${path}: the server answered ${response.status} with a body that is not JSON`,
      );
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; issues?: IdeClientError['issues'] } } | undefined)?.error;
      throw new IdeClientError(
        response.status,
        error?.code ?? 'http_error',
        error?.message ?? `${path}: HTTP ${response.status}`,
        error?.issues ?? [],
      );
    }
    return json as T;
  }
  return {
    recommend: (context) => post<IdeRecommendations>(IDE_PATHS.recommendations, context),
    feedback: (report) => post<IdeFeedbackReport>(IDE_PATHS.feedback, report),
  };
}
