import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { writeTransaction, type Store } from '@skills/storage';
import { isRecord, text } from './run-events.js';

/** One Agent Skill as its `SKILL.md` frontmatter declares it (docs/skills.md). */
export interface SkillFile {
  name: string;
  description?: string | undefined;
  whenToUse?: string | undefined;
  allowedTools?: string[] | undefined;
  /** `metadata.workflow_phase` (or `metadata.phase`) when the author gave one; never guessed. */
  workflowPhase?: string | undefined;
  /** Plugin skills are named `plugin:skill`. */
  plugin?: string | undefined;
  path: string;
}

export class SkillFileError extends Error {
  override name = 'SkillFileError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/**
 * The frontmatter of one SKILL.md (YAML between the first two `---` lines). The name is the
 * frontmatter's `name`, else the folder's; throws SkillFileError naming the file when the
 * frontmatter is not YAML or not a mapping.
 */
export function parseSkillFile(content: string, path: string, plugin?: string): SkillFile {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(content);
  let front: Record<string, unknown> = {};
  if (match) {
    let parsed: unknown;
    try {
      parsed = parseYaml(match[1]!);
    } catch (error) {
      throw new SkillFileError(path, `frontmatter is not valid YAML (${(error as Error).message.split('\n', 1)[0]})`);
    }
    if (parsed !== null && !isRecord(parsed)) throw new SkillFileError(path, 'frontmatter must be a mapping of fields');
    front = parsed ?? {};
  }
  const own = text(front.name)?.trim() ?? basename(dirname(path));
  const tools = front['allowed-tools'] ?? front.allowed_tools;
  const metadata = isRecord(front.metadata) ? front.metadata : {};
  return {
    name: plugin ? `${plugin}:${own}` : own,
    description: text(front.description),
    whenToUse: text(front.when_to_use) ?? text(front['when-to-use']),
    allowedTools: Array.isArray(tools) ? tools.map(String) : typeof tools === 'string' ? tools.split(/[,\s]+/).filter(Boolean) : undefined,
    workflowPhase: text(metadata.workflow_phase) ?? text(metadata.phase),
    plugin,
    path,
  };
}

/**
 * Every `<dir>/<skill>/SKILL.md` under the given skill folders (`~/.claude/skills`,
 * `<project>/.claude/skills`), and `<plugins>/<plugin>/skills/<skill>/SKILL.md` under plugin
 * folders. Missing folders are skipped; unreadable or malformed files are reported, not thrown.
 */
export async function findSkillFiles(folders: {
  skills?: readonly string[];
  plugins?: readonly string[];
}): Promise<{ skills: SkillFile[]; problems: string[] }> {
  const skills: SkillFile[] = [];
  const problems: string[] = [];
  const scan = async (dir: string, plugin?: string) => {
    for (const entry of await listDir(dir)) {
      const file = join(dir, entry, 'SKILL.md');
      let content: string;
      try {
        if (!(await stat(file)).isFile()) continue;
        content = await readFile(file, 'utf8');
      } catch {
        continue;
      }
      try {
        skills.push(parseSkillFile(content, file, plugin));
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  };
  for (const dir of folders.skills ?? []) await scan(dir);
  for (const root of folders.plugins ?? []) {
    for (const plugin of await listDir(root)) await scan(join(root, plugin, 'skills'), plugin);
  }
  const seen = new Set<string>();
  const unique = skills.filter((s) => {
    if (seen.has(s.name)) return false;
    seen.add(s.name);
    return true;
  });
  return { skills: unique, problems };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** The taxonomy category Agent Skills from SKILL.md files are filed under. */
export const AGENT_SKILLS_CATEGORY = 'Agent Skills';

/**
 * Files the skills into the taxonomy: the `Agent Skills` category, one mapping per skill, and a
 * modality row (`agent-skill`) holding its description — so skills that exist but are never
 * invoked are known. Idempotent; returns how many skills were new.
 */
export async function registerSkillFiles(
  store: Store,
  skills: readonly SkillFile[],
  now = Date.now(),
): Promise<{ added: number; known: number }> {
  if (skills.length === 0) return { added: 0, known: 0 };
  return writeTransaction(store, async (trx) => {
    await trx
      .insertInto('skill_categories')
      .values({
        category_name: AGENT_SKILLS_CATEGORY,
        domain: 'agent',
        description: 'Agent Skills declared in SKILL.md folders',
        parent_category: null,
        created_at: now,
      })
      .onConflict((oc) => oc.column('category_name').doNothing())
      .execute();
    const before = await trx
      .selectFrom('skill_category_mapping')
      .select('skill_name')
      .where('category_name', '=', AGENT_SKILLS_CATEGORY)
      .execute();
    const had = new Set(before.map((r) => r.skill_name));
    for (const skill of skills) {
      await trx
        .insertInto('skill_category_mapping')
        .values({ skill_name: skill.name, category_name: AGENT_SKILLS_CATEGORY, confidence: 1, created_at: now })
        .onConflict((oc) => oc.columns(['skill_name', 'category_name']).doNothing())
        .execute();
      const description =
        [skill.description, skill.whenToUse ? `When to use: ${skill.whenToUse}` : undefined].filter(Boolean).join(' ') || null;
      await trx
        .insertInto('skill_modalities')
        .values({
          skill_name: skill.name,
          modality_type: 'agent-skill',
          input_format: null,
          output_format: null,
          requires_human_review: 0,
          description,
        })
        .onConflict((oc) =>
          oc.column('skill_name').doUpdateSet({ description }).where('skill_modalities.modality_type', '=', 'agent-skill'),
        )
        .execute();
    }
    const added = skills.filter((s) => !had.has(s.name)).length;
    return { added, known: skills.length };
  });
}
