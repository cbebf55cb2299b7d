// Store-backed: what users and the CLI call.
export { similarUsers, recommendSkills, recommendByItems, recommendFromPopulation } from './store/recommendations.js';
export type {
  RecommendationModel,
  SimilarityMethod,
  SimilarUsersOptions,
  SimilarUserMatch,
  RecommendSkillsOptions,
  Recommendation,
} from './store/recommendations.js';
export { communityBaselines, compareWithCommunity } from './store/baselines.js';
export type { CommunityBaseline, CommunityBaselinesOptions, CommunityComparison, CompareWithCommunityOptions } from './store/baselines.js';
export { skillDependencies, refreshSkillDependencies } from './store/dependencies.js';
export type { SkillDependencyRow, SkillDependenciesOptions, RefreshDependenciesOptions } from './store/dependencies.js';
export { forgetUser } from './store/forget-user.js';
export type { CollabOptions } from './store/collab-cache.js';

// Pure algorithms over plain data, used by the above and usable on their own.
export { buildPopulation } from './population.js';
export type { InteractionRow, Population, PopulationOptions } from './population.js';
export { nearestUsers } from './similarity-index.js';
export { buildSkillSets } from './skill-sets.js';
export type { SkillCompletions, SkillSetOptions } from './skill-sets.js';
export { createSkillIds } from './skill-ids.js';
export type { SkillIds } from './skill-ids.js';
export type { SimilarUser } from './similar-user.js';
export { jaccard, similarUsersExact } from './exact-similarity.js';
export { buildLshIndex, createMinHasher, estimateJaccard } from './minhash-lsh.js';
export type { LshIndex, LshOptions, MinHasher, MinHashOptions } from './minhash-lsh.js';
export { calibrateLsh, nearestUsersApproximate } from './approximate-neighbours.js';
export type { ApproximateNeighbours, CalibrationOptions, LshCalibration } from './approximate-neighbours.js';
export { buildUsageStats } from './usage-stats.js';
export type { SkillOutcome, SkillOutcomeRow, SkillTotals, UsageStats } from './usage-stats.js';
export { popularityRecommendations, rankByNeighbours, rankByRelatedSkills } from './recommend.js';
export { easeFromGram, gramMatrix } from './ease.js';
export type { EaseModel } from './ease.js';
export { buildEaseModel, chooseEaseLambda } from './fit-ease.js';
export type { EaseOptions, ExponentChoice, ExponentTrial, FittedEase, LambdaChoice, LambdaChoiceOptions, LambdaTrial } from './fit-ease.js';
export type { RecommendOptions, SkillRecommendation } from './recommend.js';
export { createCooccurrenceCounter, dependenciesFromSessions } from './dependencies.js';
export type { CooccurrenceCounter, DependencyOptions, SkillDependency } from './dependencies.js';
export { compareRate } from './significance.js';
/** The exact two-sided binomial test (scipy's binomtest), from @skills/stats. */
export { binomialTwoSidedPValue } from '@skills/stats';
export type { CompareRateOptions, RateComparison } from './significance.js';
export { effectivenessPercentiles } from './percentiles.js';
