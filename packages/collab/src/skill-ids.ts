/** A two-way mapping between skill names and the dense numeric ids the algorithms use. */
export interface SkillIds {
  /** The id of `name`, assigning the next free id the first time a name is seen. */
  idOf(name: string): number;
  /** The name behind `id`, or `undefined` for an id never assigned. */
  nameOf(id: number): string | undefined;
  /** How many names have ids. */
  readonly size: number;
}

/**
 * Creates a skill-name interner: ids are assigned 0, 1, 2, … in first-seen order, so the same
 * names in the same order always get the same ids.
 *
 * @example
 * const ids = createSkillIds(['lint', 'test']);
 * ids.idOf('test');   // 1
 * ids.idOf('deploy'); // 2 (new)
 * ids.nameOf(0);      // 'lint'
 */
export function createSkillIds(names: Iterable<string> = []): SkillIds {
  const byName = new Map<string, number>();
  const byId: string[] = [];
  const idOf = (name: string): number => {
    let id = byName.get(name);
    if (id === undefined) {
      id = byId.length;
      byName.set(name, id);
      byId.push(name);
    }
    return id;
  };
  for (const name of names) idOf(name);
  return {
    idOf,
    nameOf: (id) => byId[id],
    get size() {
      return byId.length;
    },
  };
}
