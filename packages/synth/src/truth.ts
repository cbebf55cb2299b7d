import { placeIncidents } from './incidents.js';
import type { ResolvedOptions } from './options.js';
import { drawPopulation } from './population.js';
import { createRandom } from './random.js';
import { favouriteWeights, expectedShares, workflowWeights, type GroupMix } from './session-mix.js';
import { skillCatalog, type CatalogEntry } from './skill-names.js';
import { drawSkillProfiles, zipfWeights } from './skill-profiles.js';
import { RANDOM_SUCCESS_RATE } from './success-model.js';
import { HOURLY_WEIGHTS, WEEKEND_FACTOR } from './traffic.js';
import type { WorkloadTruth } from './types.js';
import { buildWorkflows, type Workflow } from './workflows.js';

/** Independent random streams, so that changing one option does not reshuffle unrelated parts. */
export const STREAMS = { skills: 1, population: 2, incidents: 3, pools: 4, traffic: 5, sessions: 6 } as const;

const DAY = 86_400_000;

/** The truth plus the index-based tables the generator needs. */
export interface Model {
  truth: WorkloadTruth;
  catalog: CatalogEntry[];
  workflows: Workflow[];
  /** Skill indexes of each workflow's steps. */
  workflowSteps: Int32Array[];
  zipf: Float64Array;
  groupMixes: GroupMix[];
}

/** Draws everything about a workload that is not an individual invocation. */
export function buildModel(options: ResolvedOptions): Model {
  const catalog = skillCatalog(options.skills);
  const names = catalog.map((entry) => entry.name);
  const skillIndex = new Map(names.map((name, i) => [name, i]));
  const zipf = zipfWeights(names.length);
  const skills = drawSkillProfiles(catalog, createRandom(options.seed, STREAMS.skills));
  const population = drawPopulation(options.users, names, zipf, createRandom(options.seed, STREAMS.population));
  const workflows = buildWorkflows(catalog);
  const workflowSteps = workflows.map((workflow) => Int32Array.from(workflow.skills, (name) => skillIndex.get(name) ?? -1));

  const activityByGroup = new Float64Array(population.groups.length);
  let totalActivity = 0;
  for (const user of population.users) {
    activityByGroup[user.group] = (activityByGroup[user.group] as number) + user.activity;
    totalActivity += user.activity;
  }
  const groupMixes: GroupMix[] = population.favouriteIndexes.map((favourites, group) => {
    const isFavourite = new Set(favourites);
    return {
      traffic: (activityByGroup[group] as number) / totalActivity,
      favourites,
      favouriteWeights: favouriteWeights(favourites, zipf),
      workflowWeights: workflowWeights(workflowSteps, (skill) => isFavourite.has(skill), zipf),
    };
  });
  const shares = expectedShares(zipf, workflowSteps, groupMixes, options.favouriteShare, options.workflowShare);
  skills.forEach((skill, i) => {
    skill.popularity = shares[i] as number;
  });

  const end = options.start + options.days * DAY;
  const incidents =
    typeof options.incidents === 'number'
      ? placeIncidents(
          options.incidents,
          skills,
          { start: options.start, hours: options.days * 24 },
          options.successModel,
          createRandom(options.seed, STREAMS.incidents),
        )
      : options.incidents.map((spec) => ({ ...spec }));

  const truth: WorkloadTruth = {
    seed: options.seed,
    start: options.start,
    end,
    successModel: options.successModel,
    randomSuccessRate: RANDOM_SUCCESS_RATE,
    contextEffect: options.contextEffect,
    favouriteShare: options.favouriteShare,
    workflowShare: options.workflowShare,
    traffic: { hourlyWeights: HOURLY_WEIGHTS.slice(), weekendFactor: WEEKEND_FACTOR },
    skills,
    users: population.users,
    groups: population.groups,
    incidents,
    workflows: workflows.map((workflow) => workflow.skills.slice()),
    workflowNames: workflows.map((workflow) => workflow.name),
  };
  return { truth, catalog, workflows, workflowSteps, zipf, groupMixes };
}
