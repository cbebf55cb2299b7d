import { sql } from 'kysely';
import { defineMigration } from './define-migration.js';

/**
 * V3: the workflow phase and step of an invocation, and three views of effectiveness per phase.
 * All rates are fractions 0–1; average durations cover completed invocations whose duration is
 * known (the original averaged a NULL duration as 0 s in places).
 */
export const workflowCorrelation = defineMigration({
  async up(db) {
    await db.schema.alterTable('skill_invocation').addColumn('workflow_phase', 'text').execute();
    await db.schema.alterTable('skill_invocation').addColumn('workflow_step_id', 'text').execute();
    // Partial: invocations without a phase (most of them, for many clients) cost no index write.
    await db.schema.createView('v_skill_effectiveness_by_phase').as(effectivenessByPhase).execute();
    await db.schema.createView('v_workflow_phase_patterns').as(phasePatterns).execute();
    await db.schema.createView('v_skills_by_phase_usage').as(skillsByPhaseUsage).execute();
  },

  // SQLite drops a column only when no index, view or trigger refers to it, so the views and
  // the index go first; the table itself is never rebuilt (the original's rebuild broke on the
  // V1 views and lost the triggers).
  async down(db) {
    await db.schema.dropView('v_skills_by_phase_usage').execute();
    await db.schema.dropView('v_workflow_phase_patterns').execute();
    await db.schema.dropView('v_skill_effectiveness_by_phase').execute();
    await db.schema.alterTable('skill_invocation').dropColumn('workflow_step_id').execute();
    await db.schema.alterTable('skill_invocation').dropColumn('workflow_phase').execute();
  },
});

const effectivenessByPhase = sql`
  SELECT
    si.skill_name,
    si.workflow_phase,
    COUNT(*) AS total_invocations,
    SUM(CASE WHEN si.completed = 1 THEN 1 ELSE 0 END) AS completed_count,
    SUM(CASE WHEN si.completed = 1 THEN 0 ELSE 1 END) AS abandoned_count,
    AVG(CASE WHEN si.completed = 1 THEN si.duration_seconds END) AS avg_duration_seconds,
    CAST(SUM(CASE WHEN si.completed = 1 THEN 1 ELSE 0 END) AS DOUBLE PRECISION) / COUNT(*) AS completion_rate
  FROM skill_invocation si
  WHERE si.workflow_phase IS NOT NULL
  GROUP BY si.skill_name, si.workflow_phase`;

const phasePatterns = sql`
  SELECT
    si.workflow_phase,
    COUNT(*) AS invocations_in_phase,
    COUNT(DISTINCT si.skill_name) AS unique_skills_in_phase,
    SUM(CASE WHEN si.completed = 1 THEN 1 ELSE 0 END) AS successful_completions,
    AVG(CASE WHEN si.completed = 1 THEN si.duration_seconds END) AS avg_phase_duration
  FROM skill_invocation si
  WHERE si.workflow_phase IS NOT NULL
  GROUP BY si.workflow_phase`;

const skillsByPhaseUsage = sql`
  SELECT
    si.skill_name,
    si.workflow_phase,
    COUNT(*) AS usage_count,
    CAST(SUM(CASE WHEN si.completed = 1 THEN 1 ELSE 0 END) AS DOUBLE PRECISION) / COUNT(*) AS success_rate
  FROM skill_invocation si
  WHERE si.workflow_phase IS NOT NULL
  GROUP BY si.skill_name, si.workflow_phase`;
