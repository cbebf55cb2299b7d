// Moved to dialect/sqlite/wal-checkpointer.ts (SQLite-only, #20); kept so prune.ts's import still builds.
export { startWalCheckpointer, type WalCheckpointer } from './dialect/sqlite/wal-checkpointer.js';
