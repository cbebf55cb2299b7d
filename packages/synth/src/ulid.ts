/** Crockford's base32, in ascending character order so that ids sort like their numbers. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODES = Array.from(ALPHABET, (char) => char.charCodeAt(0));
const TWO_POW_25 = 33_554_432;
/** Largest counter the 50 counter bits hold. */
const MAX_COUNTER = 2 ** 50 - 1;

/**
 * Makes ULID-shaped ids (26 characters): 10 characters of epoch ms, then 6 of a 30-bit tag
 * (derived from the seed, so different seeds give different ids), then 10 of a 50-bit counter.
 * Unique for distinct counters; ids made in nondecreasing time with increasing counters sort
 * in that order.
 */
export function createUlidEncoder(tag: number): (time: number, counter: number) => string {
  const t0 = code(tag >>> 25);
  const t1 = code(tag >>> 20);
  const t2 = code(tag >>> 15);
  const t3 = code(tag >>> 10);
  const t4 = code(tag >>> 5);
  const t5 = code(tag);
  return (time, counter) => {
    if (counter > MAX_COUNTER) throw new RangeError(`id counter overflow (${counter})`);
    // A 48-bit epoch and a 50-bit counter, each split in 25-bit halves that fit in an int32.
    const th = Math.floor(time / TWO_POW_25);
    const tl = time - th * TWO_POW_25;
    const ch = Math.floor(counter / TWO_POW_25);
    const cl = counter - ch * TWO_POW_25;
    return String.fromCharCode(
      code(th >>> 20),
      code(th >>> 15),
      code(th >>> 10),
      code(th >>> 5),
      code(th),
      code(tl >>> 20),
      code(tl >>> 15),
      code(tl >>> 10),
      code(tl >>> 5),
      code(tl),
      t0,
      t1,
      t2,
      t3,
      t4,
      t5,
      code(ch >>> 20),
      code(ch >>> 15),
      code(ch >>> 10),
      code(ch >>> 5),
      code(ch),
      code(cl >>> 20),
      code(cl >>> 15),
      code(cl >>> 10),
      code(cl >>> 5),
      code(cl),
    );
  };
}

function code(fiveBits: number): number {
  return CODES[fiveBits & 31] as number;
}
