import { describe, expect, it } from 'vitest';
import { readDoc, workspacePackages } from './workspace.js';

/** The diagram of docs/architecture.md: its nodes (id → package name) and `a --> b` edges. */
function diagram(): { nodes: Map<string, string>; edges: [string, string][] } {
  const text = readDoc('architecture.md');
  const blocks = [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks, 'architecture.md has exactly one mermaid diagram').toHaveLength(1);
  const nodes = new Map<string, string>();
  const edges: [string, string][] = [];
  for (const raw of blocks[0]!.split('\n')) {
    const line = raw.trim();
    if (line === '' || /^graph (TD|TB|BT|LR|RL)$/.test(line)) continue;
    const node = /^([\w-]+)\["(@skills\/[\w-]+)"\]$/.exec(line);
    const edge = /^([\w-]+) --> ([\w-]+)$/.exec(line);
    if (node) nodes.set(node[1]!, node[2]!);
    else if (edge) edges.push([edge[1]!, edge[2]!]);
    else throw new Error(`architecture.md diagram: cannot read the line "${line}" (expected id["@skills/name"] or a --> b)`);
  }
  for (const [from, to] of edges) {
    for (const id of [from, to]) if (!nodes.has(id)) throw new Error(`architecture.md diagram: edge names "${id}", which is not a node`);
  }
  return { nodes, edges };
}

const NOT_DRAWN = ['@skills/bench', '@skills/docs'];
const ANALYTICS = ['@skills/timeseries', '@skills/predictor', '@skills/abtest', '@skills/collab'];

describe('docs/architecture.md', () => {
  const packages = workspacePackages();
  const drawn = packages.filter((p) => !NOT_DRAWN.includes(p.name));

  it('draws every workspace package but bench and docs, once each', () => {
    const { nodes } = diagram();
    expect([...nodes.values()].sort()).toEqual(drawn.map((p) => p.name).sort());
    expect(new Set(nodes.values()).size).toBe(nodes.size);
    expect(packages.map((p) => p.name)).toEqual(expect.arrayContaining(NOT_DRAWN));
  });

  it("draws exactly the packages' runtime workspace dependencies as edges", () => {
    const { nodes, edges } = diagram();
    const drawnEdges = edges.map(([from, to]) => `${nodes.get(from)} --> ${nodes.get(to)}`).sort();
    const real = drawn.flatMap((p) => p.dependsOn.map((dep) => `${p.name} --> ${dep}`)).sort();
    expect(drawnEdges).toEqual(real);
    expect(new Set(drawnEdges).size).toBe(drawnEdges.length);
  });

  it('holds the rules it states: no cycles, no package on an app, analytics packages apart, synth and dashboard alone', () => {
    const byName = new Map(packages.map((p) => [p.name, p]));
    const visiting = new Set<string>();
    const done = new Set<string>();
    const cycles: string[] = [];
    const visit = (name: string, path: string[]) => {
      if (done.has(name)) return;
      if (visiting.has(name)) return void cycles.push([...path, name].join(' -> '));
      visiting.add(name);
      for (const dep of byName.get(name)!.dependsOn) visit(dep, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const p of packages) visit(p.name, []);
    expect(cycles).toEqual([]);

    const apps = new Set(packages.filter((p) => p.dir.startsWith('apps/')).map((p) => p.name));
    const onApps = packages
      .filter((p) => p.dir.startsWith('packages/'))
      .flatMap((p) => p.dependsOn.filter((d) => apps.has(d)).map((d) => `${p.name} -> ${d}`));
    expect(onApps).toEqual([]);

    const between = ANALYTICS.flatMap((name) =>
      byName
        .get(name)!
        .dependsOn.filter((d) => ANALYTICS.includes(d))
        .map((d) => `${name} -> ${d}`),
    );
    expect(between).toEqual([]);

    expect(byName.get('@skills/synth')!.dependsOn).toEqual([]);
    expect(byName.get('@skills/dashboard')!.dependsOn).toEqual([]);
  });

  it('names the development-only dependencies it leaves out', () => {
    const devOnly = packages
      .filter((p) => !NOT_DRAWN.includes(p.name))
      .flatMap((p) => p.devDependsOn.map((dep) => `${p.name} -> ${dep}`))
      .sort();
    expect(devOnly).toEqual([
      '@skills/collab -> @skills/synth',
      '@skills/predictor -> @skills/synth',
      '@skills/timeseries -> @skills/synth',
    ]);
  });
});
