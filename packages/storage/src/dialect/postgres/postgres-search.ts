import { sql, type Kysely } from 'kysely';
import type { SkillsDatabase } from '../../schema.js';
import type { SearchIndex, SearchRow } from '../store-driver.js';

/**
 * PostgreSQL's search: the generated `user_query_tsv` column (English configuration) and its GIN
 * index, always current, so there is nothing to refresh. Ties by id in byte order (`collate "C"`),
 * as SQLite compares text.
 */
export function postgresSearchIndex(db: Kysely<SkillsDatabase>): SearchIndex {
  return {
    async refresh() {
      return 0;
    },
    async find({ words, limit, skill, columns }) {
      const skillFilter = skill === undefined ? sql`` : sql`and i.skill_name = ${skill}`;
      const result = await sql<SearchRow>`
        select ${columns} from skill_invocation i
        where i.user_query_tsv @@ plainto_tsquery('english', ${words.join(' ')}) ${skillFilter}
        order by i.invoked_at desc, i.id collate "C" desc
        limit ${limit}`.execute(db);
      return result.rows;
    },
  };
}
