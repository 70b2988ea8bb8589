// Whether two plain values would serialise to the same JSON text, decided without serialising
// them: generate compares 10,000 states with the ones it read back, and two JSON.stringify calls
// per state were a tenth of a run where nothing changed (and most of its garbage).

/** True when JSON.stringify(a) === JSON.stringify(b), for data made of objects, arrays, strings, numbers, booleans and null. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return sameScalar(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return sameArray(a, b as unknown[]);
  return sameObject(a as Record<string, unknown>, b as Record<string, unknown>);
}

/** Two different scalars are the same JSON only as null: NaN and the infinities are written as null. */
function sameScalar(a: unknown, b: unknown): boolean {
  return writtenAsNull(a) && writtenAsNull(b);
}

const writtenAsNull = (v: unknown): boolean => v === null || (typeof v === 'number' && !Number.isFinite(v));

function sameArray(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  // An undefined item is written as null.
  for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
  return true;
}

/** Same keys with a defined value, in the same order (JSON text keeps the order), and same values. */
function sameObject(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ka.length && a[ka[i]] === undefined) i++;
    while (j < kb.length && b[kb[j]] === undefined) j++;
    if (i === ka.length || j === kb.length) return i === ka.length && j === kb.length;
    if (ka[i] !== kb[j] || !sameJson(a[ka[i]], b[kb[j]])) return false;
    i++;
    j++;
  }
}
