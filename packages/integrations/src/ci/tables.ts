import type { Store } from '@skills/storage';
import type { Kysely } from 'kysely';
import type { SkillsDatabase } from '@skills/storage';

/** Migration 0010's tables (@skills/migrations), typed here: only this package reads and writes them. */
export interface CiJobsTable {
  id: string;
  kind: string;
  provider: string;
  pipeline: string;
  repository: string | null;
  run_id: string;
  attempt: number;
  name: string;
  stage: string | null;
  commit_sha: string | null;
  branch: string | null;
  status: string;
  error: string | null;
  started_at: number;
  duration_seconds: number | null;
  recorded_at: number;
}

export interface IntegrationDeliveriesTable {
  delivery_id: string;
  source: string;
  event: string;
  outcome: string;
  reason: string | null;
  invocations: number;
  received_at: number;
}

export type CiTables = {
  ci_jobs: CiJobsTable;
  integration_deliveries: IntegrationDeliveriesTable;
};

export function ciDb(store: Store): Kysely<SkillsDatabase & CiTables> {
  return store.db.withTables<CiTables>();
}
