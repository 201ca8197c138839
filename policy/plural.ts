/**
 * Counted nouns in messages: `plural(1, "file")` is "1 file", `plural(3, "file")` "3 files".
 * English only; `many` is the plural when adding "s" is wrong ("policies", "entries").
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
