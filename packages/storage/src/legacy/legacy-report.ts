/** What happened to one table of the original database. */
export interface LegacyTableReport {
  /** The original's table name. */
  table: string;
  /** Where its rows went in this store (`—` when not carried over). */
  into: string;
  /** Rows in the original table. */
  found: number;
  /** Rows written now. */
  imported: number;
  /** Rows already in the store from an earlier import of this database (same stable id). */
  alreadyImported: number;
  /** Rows left out, counted per reason. */
  skipped: { reason: string; count: number }[];
  /** Notes on values changed on the way in (e.g. a field dropped), counted per note. */
  adjusted: { note: string; count: number }[];
}

/** Counts per table. */
export class TableTally {
  found = 0;
  imported = 0;
  alreadyImported = 0;
  private readonly skips = new Map<string, number>();
  private readonly notes = new Map<string, number>();
  constructor(
    readonly table: string,
    readonly into: string,
  ) {}
  skip(reason: string, count = 1): void {
    this.skips.set(reason, (this.skips.get(reason) ?? 0) + count);
  }
  adjust(note: string, count = 1): void {
    this.notes.set(note, (this.notes.get(note) ?? 0) + count);
  }
  get skippedCount(): number {
    let n = 0;
    for (const count of this.skips.values()) n += count;
    return n;
  }
  report(): LegacyTableReport {
    const list = <K extends string>(map: Map<string, number>, key: K) =>
      [...map]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([text, count]) => ({ [key]: text, count }) as Record<K, string> & { count: number });
    return {
      table: this.table,
      into: this.into,
      found: this.found,
      imported: this.imported,
      alreadyImported: this.alreadyImported,
      skipped: list(this.skips, 'reason'),
      adjusted: list(this.notes, 'note'),
    };
  }
}
