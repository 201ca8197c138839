/**
 * Two spellings of a location inside an object: the dotted form people read in
 * messages (`spec.parties[1].domainID`) and the RFC 6901 pointer JSON Patch needs.
 */
export type Segment = string | number;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function dotted(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (IDENT.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

export function pointer(segments: readonly Segment[]): string {
  return segments.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** Parses an ajv instancePath (a JSON pointer) back into segments; array indexes become numbers. */
export function fromPointer(ptr: string): Segment[] {
  if (!ptr) return [];
  return ptr
    .slice(1)
    .split("/")
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** Inverse of `dotted`: `spec.parties[1]["a.b"]` → ["spec", "parties", 1, "a.b"]. */
export function parseDotted(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]) as string);
  }
  return out;
}
