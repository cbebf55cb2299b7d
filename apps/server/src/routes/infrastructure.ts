/** The OpenAPI entries of the routes outside /v1: probes, metrics, the document itself, the WebSocket. */
export function infrastructurePaths(withMetrics: boolean): Record<string, unknown> {
  const json = (description: string, example: unknown) => ({ description, content: { 'application/json': { example } } });
  return {
    '/healthz': { get: { operationId: 'healthz', summary: 'The process is up', responses: { 200: json('Up', { status: 'ok' }) } } },
    '/readyz': {
      get: {
        operationId: 'readyz',
        summary: 'The store answers (for load balancers: 503 while shutting down)',
        responses: { 200: json('Ready', { status: 'ready' }), 503: json('Store unreachable, or shutting down', { status: 'closing' }) },
      },
    },
    ...(withMetrics
      ? {
          '/metrics': {
            get: {
              operationId: 'metrics',
              summary: 'Prometheus metrics (text exposition format); needs a read token when SKILLS_READ_TOKENS is set',
              security: [{ bearer: [] }, {}],
              responses: {
                200: {
                  description:
                    'skill_invocations_total, skill_duration_seconds, skill_completion_rate, anomalies_detected_total, skill_active_sessions, …',
                  content: { 'text/plain': {} },
                },
              },
            },
          },
        }
      : {}),
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
      },
    },
    '/ws': {
      get: {
        operationId: 'websocket',
        summary: 'WebSocket upgrade: live metrics, skill:<name>, invocations and anomalies channels (see the README for the protocol)',
        security: [{ bearer: [] }, {}],
        responses: {
          101: { description: 'Switching protocols' },
          401: { description: 'Token missing or unknown (read tokens configured)' },
        },
      },
    },
  };
}
