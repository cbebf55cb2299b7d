import { INVOCATION_COLUMNS, invocationInputSchema, WORKFLOW_PHASES } from '@skills/storage';
import { generateWorkload } from '@skills/synth';
import { describe, expect, it } from 'vitest';

// Synth depends on nothing (docs/architecture.md), so it cannot take the invocation's shape from
// storage; the CLI, which seeds stores with it, depends on both and holds the two together here.
describe("the seeded workload (@skills/synth) in storage's shape", () => {
  const invocations = [...generateWorkload({ invocations: 5000, users: 30, skills: 12, days: 2, seed: 11 }).batches()].flat();

  it("carries storage's columns but created_at (the store's own), in storage's order", () => {
    const keys = INVOCATION_COLUMNS.filter((column) => column !== 'created_at').join();
    expect(invocations.filter((invocation) => Object.keys(invocation).join() !== keys)).toEqual([]);
  });

  it("uses storage's workflow phases, every one of them", () => {
    const phases = new Set(invocations.map((invocation) => invocation.workflow_phase).filter((phase) => phase !== null));
    expect([...phases].sort()).toEqual([...WORKFLOW_PHASES].sort());
  });

  it("passes storage's invocation schema as generated", () => {
    const refused = invocations.filter((invocation) => !invocationInputSchema.safeParse(invocation).success);
    expect(refused).toEqual([]);
  });
});
