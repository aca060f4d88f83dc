/**
 * Fabric orders state keys by their UTF-8 bytes. JavaScript compares strings by UTF-16 code units,
 * which disagrees for characters above U+FFFF (surrogate pairs) against U+E000–U+FFFF. UTF-8 byte
 * order equals code point order, so remap the code units to restore it without encoding.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // surrogates encode code points ≥ U+10000
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
