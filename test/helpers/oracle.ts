/**
 * Upstream's controllers as the oracle of the expansion: the pure half of
 * test/e2e/upstream-controllers.test.ts. Objects from both sides are normalised the same way,
 * paired by identity, compared field by field, and every difference must be listed as
 * deliberate in docs/upstream-oracle.md (parsed here), or the suite fails.
 *
 * Normalisation removes only what the API server or the run makes up (uids, versions,
 * timestamps, status, field managers) and orders what Kuscia writes in Go map order (which
 * changes from run to run): the ports and services in CLUSTER_DEFINE and ALLOCATED_PORTS (also
 * re-serialised, as protojson varies its spacing on purpose), the KUSCIA_PORT_*_NUMBER
 * variables and the `kuscia.secretflow/access-domain` list.
 */

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

/** `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
export function keyOf(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

const DROPPED_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];
/** Written by the test harness, not by the product: the provider must not wait on a cluster without a kubelet. */
const TEST_ANNOTATIONS = ["pulumi.com/skipAwait"];
export const UID_PLACEHOLDER = "<uid>";
/** What render writes where only the API server could know a uid (policy/expand/kusciajob.ts). */
const RENDER_UID_PLACEHOLDERS = new Set(["<job uid>"]);
const PORT_ENV = /^KUSCIA_PORT_.*_NUMBER$/;

/**
 * A normalised deep copy of `o`. `uids`: the uids of the objects in the cluster; a string equal
 * to one of them (a `kd-uid` or `job-uid` label) becomes `<uid>`, as does render's placeholder.
 */
export function normalise(o: KubeObject, uids: ReadonlySet<string> = new Set()): KubeObject {
  const c = structuredClone(o) as KubeObject;
  delete c.status;
  const m = c.metadata as Record<string, unknown>;
  for (const k of DROPPED_METADATA) delete m[k];
  const anns = m.annotations as Record<string, string> | undefined;
  if (anns) for (const k of TEST_ANNOTATIONS) delete anns[k];
  const refs = m.ownerReferences as Record<string, unknown>[] | undefined;
  if (refs) for (const r of refs) delete r.uid;
  for (const k of ["labels", "annotations", "ownerReferences"]) {
    const v = m[k];
    if (v && typeof v === "object" && Object.keys(v).length === 0) delete m[k];
  }
  replaceUids(c, uids);
  if (anns?.["kuscia.secretflow/access-domain"]) anns["kuscia.secretflow/access-domain"] = anns["kuscia.secretflow/access-domain"].split(",").sort().join(",");
  const pod = (c.spec as { template?: { spec?: { containers?: unknown[]; initContainers?: unknown[] } } } | undefined)?.template?.spec;
  for (const ctr of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])] as { env?: { name: string; value?: string }[] }[]) {
    if (ctr.env) ctr.env = normaliseEnv(ctr.env);
  }
  return c;
}

function replaceUids(v: unknown, uids: ReadonlySet<string>): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      if (typeof x === "string" && (uids.has(x) || RENDER_UID_PLACEHOLDERS.has(x))) v[i] = UID_PLACEHOLDER;
      else replaceUids(x, uids);
    });
  } else if (v && typeof v === "object") {
    const r = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(r)) {
      if (typeof x === "string" && (uids.has(x) || RENDER_UID_PLACEHOLDERS.has(x))) r[k] = UID_PLACEHOLDER;
      else replaceUids(x, uids);
    }
  }
}

/** Env with CLUSTER_DEFINE/ALLOCATED_PORTS canonical and each run of KUSCIA_PORT_* variables sorted by name. */
export function normaliseEnv(env: { name: string; value?: string }[]): { name: string; value?: string }[] {
  const out = env.map((e) => {
    if ((e.name === "CLUSTER_DEFINE" || e.name === "ALLOCATED_PORTS") && typeof e.value === "string") return { ...e, value: canonicalJson(e.value) };
    return { ...e };
  });
  for (let i = 0; i < out.length; ) {
    if (!PORT_ENV.test(out[i].name)) {
      i++;
      continue;
    }
    let j = i;
    while (j < out.length && PORT_ENV.test(out[j].name)) j++;
    const run = out.slice(i, j).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    out.splice(i, j - i, ...run);
    i = j;
  }
  return out;
}

/** CLUSTER_DEFINE / ALLOCATED_PORTS as one canonical JSON text: keys sorted, services and ports by name. */
export function canonicalJson(text: string): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return text; // not JSON: compared as written
  }
  const doc = v as { parties?: { services?: { portName?: string }[] }[]; ports?: { name?: string }[] };
  for (const p of doc.parties ?? []) p.services?.sort((a, b) => String(a.portName).localeCompare(String(b.portName)));
  doc.ports?.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** One field that differs: upstream's value and the product's (undefined: absent). */
export interface FieldDifference {
  path: string;
  upstream: unknown;
  product: unknown;
}

/** Field path in the form the docs page uses: `spec.template.spec.containers[0].env`, `metadata.labels["a/b"]`. */
function child(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Every leaf where `upstream` and `product` differ (arrays compared index by index). */
export function diffObjects(upstream: unknown, product: unknown, path = ""): FieldDifference[] {
  if (Object.is(upstream, product)) return [];
  const isObj = (x: unknown) => x !== null && typeof x === "object";
  if (Array.isArray(upstream) && Array.isArray(product)) {
    const out: FieldDifference[] = [];
    for (let i = 0; i < Math.max(upstream.length, product.length); i++) out.push(...diffObjects(upstream[i], product[i], child(path, i)));
    return out;
  }
  if (isObj(upstream) && isObj(product) && !Array.isArray(upstream) && !Array.isArray(product)) {
    const a = upstream as Record<string, unknown>;
    const b = product as Record<string, unknown>;
    const out: FieldDifference[] = [];
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) out.push(...diffObjects(a[k], b[k], child(path, k)));
    return out;
  }
  return [{ path, upstream, product }];
}

/** Which product output a comparison holds to upstream. */
export type Comparison = "render" | "bare" | "pulumi";
export const COMPARISONS: readonly Comparison[] = ["render", "bare", "pulumi"];

/** A difference as the docs page lists it: object, field (or a whole object on one side only), comparison. */
export interface Difference {
  scenario: string;
  comparison: Comparison;
  object: string;
  /** A field path, `(only upstream)` or `(only product)`. */
  field: string;
  detail?: string;
}

export const ONLY_UPSTREAM = "(only upstream)";
export const ONLY_PRODUCT = "(only product)";

export interface PairResult {
  compared: number;
  identical: number;
  differences: Difference[];
  /** Per object key: its differences (for the counts). */
  byObject: Map<string, Difference[]>;
}

/** Pairs `upstream` and `product` objects by key and compares them, both already normalised. */
export function compareSets(scenario: string, comparison: Comparison, upstream: readonly KubeObject[], product: readonly KubeObject[]): PairResult {
  const u = new Map(upstream.map((o) => [keyOf(o), o]));
  const p = new Map(product.map((o) => [keyOf(o), o]));
  const keys = [...new Set([...u.keys(), ...p.keys()])].sort();
  const byObject = new Map<string, Difference[]>();
  const differences: Difference[] = [];
  let identical = 0;
  for (const k of keys) {
    const a = u.get(k);
    const b = p.get(k);
    let ds: Difference[];
    if (!a) ds = [{ scenario, comparison, object: k, field: ONLY_PRODUCT }];
    else if (!b) ds = [{ scenario, comparison, object: k, field: ONLY_UPSTREAM }];
    else ds = diffObjects(a, b).map((d) => ({ scenario, comparison, object: k, field: d.path, detail: `upstream ${show(d.upstream)}, product ${show(d.product)}` }));
    if (ds.length === 0) identical++;
    byObject.set(k, ds);
    differences.push(...ds);
  }
  return { compared: keys.length, identical, differences, byObject };
}

function show(v: unknown): string {
  if (v === undefined) return "absent";
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** A deliberate difference from the docs page. Patterns take `*` (any run of characters). */
export interface Deliberate {
  scenario: string;
  object: string;
  field: string;
  comparisons: Comparison[];
  reason: string;
  /** 1-based line in the page, for messages. */
  line: number;
}

/**
 * The deliberate differences of docs/upstream-oracle.md: under each `## <scenario>` heading, the
 * rows of its table `| object | field | compared with | why |`, where object and field are in
 * backticks (`*` matches any run of characters) and "compared with" lists render, bare or pulumi.
 * Throws on a malformed row, naming its line.
 */
export function parseDeliberate(markdown: string): Deliberate[] {
  const out: Deliberate[] = [];
  let scenario: string | undefined;
  markdown.split("\n").forEach((text, i) => {
    const h = /^## (.+?)\s*$/.exec(text);
    if (h) {
      scenario = h[1];
      return;
    }
    if (!scenario || !text.startsWith("|") || /^\|\s*(object|-)/.test(text)) return;
    const cells = text.split("|").slice(1, -1).map((c) => c.trim());
    const where = `docs/upstream-oracle.md:${i + 1}`;
    if (cells.length !== 4) throw new Error(`${where}: a row needs 4 cells (object | field | compared with | why), found ${cells.length}`);
    const code = (c: string) => /^`([^`]+)`$/.exec(c)?.[1];
    const object = code(cells[0]);
    const field = code(cells[1]);
    if (!object || !field) throw new Error(`${where}: object and field must each be one \`code\` span`);
    const comparisons = cells[2].split(/[,\s]+/).filter(Boolean) as Comparison[];
    const bad = comparisons.find((c) => !COMPARISONS.includes(c));
    if (bad || comparisons.length === 0) throw new Error(`${where}: "compared with" lists ${COMPARISONS.join(", ")}; found ${JSON.stringify(cells[2])}`);
    if (!cells[3]) throw new Error(`${where}: a deliberate difference needs its reason`);
    out.push({ scenario, object, field, comparisons, reason: cells[3], line: i + 1 });
  });
  return out;
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

/** The entry that documents `d`, if any. */
export function documenting(d: Difference, deliberate: readonly Deliberate[]): Deliberate | undefined {
  return deliberate.find((e) => e.scenario === d.scenario && e.comparisons.includes(d.comparison) && glob(e.object).test(d.object) && glob(e.field).test(d.field));
}
