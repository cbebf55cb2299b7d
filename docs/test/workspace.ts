import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root (docs/ is one level down). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The docs folder. */
export const DOCS = join(ROOT, 'docs');

export function readDoc(path: string): string {
  return readFileSync(join(DOCS, path), 'utf8');
}

export interface WorkspacePackage {
  name: string;
  /** Folder relative to the root, e.g. `packages/storage`. */
  dir: string;
  /** Workspace packages named in dependencies, peerDependencies or optionalDependencies. */
  dependsOn: string[];
  /** Workspace packages named in devDependencies only. */
  devDependsOn: string[];
}

/** Every package pnpm-workspace.yaml names, with its workspace dependencies. */
export function workspacePackages(): WorkspacePackage[] {
  const globs = (parse(readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[] }).packages;
  const dirs = globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [glob];
    const parent = glob.slice(0, -2);
    return readdirSync(join(ROOT, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
  const manifests = dirs
    .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
    .map((dir) => ({
      dir: relative(ROOT, join(ROOT, dir)),
      json: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest,
    }));
  const names = new Set(manifests.map((m) => m.json.name));
  const ours = (deps: Record<string, string> | undefined) => Object.keys(deps ?? {}).filter((dep) => names.has(dep));
  return manifests.map(({ dir, json }) => {
    const dependsOn = [...new Set([...ours(json.dependencies), ...ours(json.peerDependencies), ...ours(json.optionalDependencies)])].sort();
    return {
      name: json.name,
      dir,
      dependsOn,
      devDependsOn: ours(json.devDependencies)
        .filter((dep) => !dependsOn.includes(dep))
        .sort(),
    };
  });
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
