import type { Store } from '@skills/storage';

/** What the tools read and write. */
export interface SkillsToolsDeps {
  /**
   * The open store. Open it with its user-pseudonym secret (`openStore(url, { userPseudonymSecret })`)
   * for the collaborative tools and for recording to keep per-user data; without it those tools
   * answer with `isError` and say why.
   */
  store: Store;
  /** Clock, epoch ms (default `Date.now`): windows such as "the last hour" end here. */
  now?: () => number;
  /**
   * Told of every failure that is not the caller's mistake (a bug, the database down), for the
   * application to log; the caller still gets an `isError` result. Packages never print.
   */
  onError?: (error: unknown, tool: string) => void;
}
