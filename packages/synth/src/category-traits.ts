import type { SkillCategory, WorkflowPhase } from './types.js';

/** What skills of one category have in common; each skill draws its own values from these. */
export interface CategoryTraits {
  /** Range of per-skill median durations, in seconds (drawn log-uniformly). */
  medianSeconds: readonly [number, number];
  /** Phase of an invocation made outside a workflow, most of the time. */
  usualPhase: WorkflowPhase;
  /** Whether a failed execution step of a workflow may be rolled back. */
  canRollBack: boolean;
  /** Error types; each skill takes a few of them. Some contain dots and brackets on purpose. */
  errorTypes: readonly string[];
}

export const CATEGORY_TRAITS: Readonly<Record<SkillCategory, CategoryTraits>> = {
  testing: {
    medianSeconds: [4, 90],
    usualPhase: 'verification',
    canRollBack: false,
    errorTypes: [
      'AssertionError',
      'TimeoutError',
      'ImportError: app.auth.models',
      "fixture 'db_session' not found",
      "KeyError: ['user_id']",
      'ModuleNotFoundError: No module named pytest_asyncio',
    ],
  },
  linting: {
    medianSeconds: [0.8, 12],
    usualPhase: 'verification',
    canRollBack: false,
    errorTypes: [
      'LintViolation: E501 line too long',
      'ConfigError: pyproject.toml [tool.ruff]',
      'SyntaxError: invalid syntax (api/routes.py, line 42)',
      'TimeoutError',
      'UnicodeDecodeError',
    ],
  },
  formatting: {
    medianSeconds: [0.4, 6],
    usualPhase: 'execution',
    canRollBack: false,
    errorTypes: [
      'FormatCheckFailed: 3 files would be reformatted',
      'ParseError: cannot parse src/app.py',
      'ConfigError: [tool.black] target-version',
      'PermissionError',
    ],
  },
  typing: {
    medianSeconds: [3, 60],
    usualPhase: 'verification',
    canRollBack: false,
    errorTypes: [
      'TypeError: incompatible types in assignment [assignment]',
      'AttributeError: "Session" has no attribute "query" [attr-defined]',
      'ImportError: stubs not installed for requests.adapters',
      'TimeoutError',
      'MemoryError',
    ],
  },
  git: {
    medianSeconds: [0.2, 4],
    usualPhase: 'cleanup',
    canRollBack: true,
    errorTypes: [
      'MergeConflict: src/config.py',
      'GitError: rejected (non-fast-forward)',
      'AuthenticationError',
      'GitError: nothing to commit',
      'HookFailed: pre-commit',
    ],
  },
  review: {
    medianSeconds: [20, 240],
    usualPhase: 'verification',
    canRollBack: false,
    errorTypes: ['ContextLengthExceeded', 'RateLimitError: 429 Too Many Requests', 'TimeoutError', 'DiffTooLarge: 5000+ lines'],
  },
  build: {
    medianSeconds: [30, 400],
    usualPhase: 'execution',
    canRollBack: true,
    errorTypes: [
      'BuildError: COPY failed: file not found',
      'OOMKilled',
      'NetworkError: registry-1.docker.io',
      'TimeoutError',
      'LinkError: undefined reference [libssl.so.3]',
    ],
  },
  deploy: {
    medianSeconds: [40, 600],
    usualPhase: 'execution',
    canRollBack: true,
    errorTypes: [
      'ImagePullBackOff',
      'CrashLoopBackOff',
      'TimeoutError',
      'ForbiddenError: serviceaccounts "deployer"',
      'ValidationError: spec.template.spec.containers[0].image',
    ],
  },
  infrastructure: {
    medianSeconds: [20, 500],
    usualPhase: 'execution',
    canRollBack: true,
    errorTypes: [
      'StateLockError',
      'ProviderError: aws.s3.bucket',
      'TimeoutError',
      'QuotaExceeded: compute.instances',
      "InvalidReference: module.vpc.outputs['subnet_ids']",
    ],
  },
  docs: {
    medianSeconds: [2, 90],
    usualPhase: 'execution',
    canRollBack: false,
    errorTypes: [
      'SphinxWarning: undefined label: api.reference',
      "KeyError: ['x']",
      'ImportError: docs.conf',
      'BrokenLink: https://example.com/old-page',
    ],
  },
  security: {
    medianSeconds: [3, 120],
    usualPhase: 'verification',
    canRollBack: false,
    errorTypes: [
      'B105: hardcoded_password_string',
      'VulnerabilityFound: CVE-2024-3651 in idna',
      'SecretDetected: aws_access_key_id',
      'TimeoutError',
    ],
  },
  packaging: {
    medianSeconds: [3, 150],
    usualPhase: 'setup',
    canRollBack: true,
    errorTypes: [
      'ERESOLVE: unable to resolve dependency tree',
      'NetworkError: registry.npmjs.org',
      'ResolutionImpossible: numpy>=2.0 and scipy<1.11',
      'ChecksumMismatch',
      'TimeoutError',
    ],
  },
  agent: {
    medianSeconds: [20, 300],
    usualPhase: 'execution',
    canRollBack: false,
    errorTypes: [
      'ContextLengthExceeded',
      'ToolCallError: tools.edit_file',
      'TimeoutError',
      'RateLimitError: 429 Too Many Requests',
      'AssertionError',
      "ValueError: unexpected plan step ['verify']",
    ],
  },
};
