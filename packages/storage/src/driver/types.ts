// Moved to ../dialect/store-driver.ts (one dialect seam, #20); kept so imports of this path still build.
export type { InsertIgnoreStatement, KeysLookup, RowsStatement, StoreDriver, WriteTx } from '../dialect/store-driver.js';
