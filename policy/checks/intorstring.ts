/** Deployment rollingUpdate values: a non-negative integer or a percentage string ("25%"). */
export function intOrPercent(v: unknown): { value: number; percent: boolean } | undefined {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return { value: v, percent: false };
  if (typeof v === "string") {
    const m = /^([0-9]{1,9})%$/.exec(v);
    if (m) return { value: Number(m[1]), percent: true };
    if (/^[0-9]{1,9}$/.test(v)) return { value: Number(v), percent: false };
  }
  return undefined;
}
