import { defineConfig } from 'vitest/config';

// One vitest run over every workspace project, so CI gets a single pass/fail total.
export default defineConfig({
  test: {
    projects: ['migrations', 'packages/*', 'apps/*', 'docs'],
  },
});
