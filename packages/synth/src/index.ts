export { generateWorkload } from './workload.js';
export { trueSuccessProbability } from './success-model.js';
export { skillNames } from './skill-names.js';
export { createRandom } from './random.js';
export type { Random } from './random.js';
export type {
  Incident,
  IncidentKind,
  IncidentSpec,
  GroupProfile,
  SkillCategory,
  SkillProfile,
  SuccessContext,
  SuccessModel,
  SyntheticInvocation,
  SyntheticWorkload,
  TrafficProfile,
  UserProfile,
  WorkflowPath,
  WorkflowPhase,
  WorkloadOptions,
  WorkloadTruth,
} from './types.js';
