/**
 * Checks across objects: one object names another that the upstream controller
 * looks up (a KusciaDeployment's AppImage and party Domains, a route's Domains,
 * an InteropConfig's Domains). Pure: the input is a set of objects (files given
 * to `review --references`, the cluster listed by `audit`), the output findings
 * naming both objects. Apply order is not guaranteed, so every rule is a warning
 * by default; the policy configuration sets its action like any other rule's.
 *
 * Adding a reference is one entry in REFERENCES: the source kind, the target
 * kind and where the names are.
 */
import { applyConfiguration } from "./config/apply";
import type { PolicyConfig } from "./config/types";
import { isObj, type Obj } from "./checks/values";
import { dotted, type Segment } from "./paths";
import type { AuditRecord, RuleInfo, Violation, Warning } from "./types";

const KUSCIA = "kuscia.secretflow/v1alpha1";

/** Where an object is: enough to find it and to name it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** "" for cluster-scoped objects. */
  namespace: string;
  name: string;
  uid?: string;
}

/** One name an object holds that should name another object. */
export interface Reference {
  path: Segment[];
  name: string;
  /** Namespace of the target; "" (cluster-scoped) for every kind listed so far. */
  namespace: string;
}

export interface ReferenceKind {
  /** Rule id, `ref.<source>.<target>`. */
  id: string;
  from: { apiVersion: string; kind: string };
  to: { apiVersion: string; kind: string };
  summary: string;
  /** The upstream controller that fails when the target is missing. */
  source: string;
  /** The names `obj` refers to (each once per path). */
  refs(obj: Obj): Reference[];
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function spec(o: Obj): Obj {
  return isObj(o.spec) ? o.spec : {};
}

/** A cluster-scoped name at `spec.<field>`. */
const field = (...fields: string[]) => (o: Obj): Reference[] =>
  fields.flatMap((f) => {
    const name = str(spec(o)[f]);
    return name ? [{ path: ["spec", f], name, namespace: "" }] : [];
  });

/** Every table entry: one line per reference the rule book checks. */
export const REFERENCES: readonly ReferenceKind[] = [
  {
    id: "ref.kd.appimage",
    from: { apiVersion: KUSCIA, kind: "KusciaDeployment" },
    to: { apiVersion: KUSCIA, kind: "AppImage" },
    summary: "every spec.parties[].appImageRef names an AppImage that exists",
    source: "pkg/controllers/kusciadeployment: the controller gets each party's AppImage (appImageLister.Get) and marks the deployment Failed when it is missing",
    refs: (o) => list(spec(o).parties).flatMap((p, i) => {
      const name = isObj(p) ? str(p.appImageRef) : undefined;
      return name ? [{ path: ["spec", "parties", i, "appImageRef"], name, namespace: "" }] : [];
    }),
  },
  {
    id: "ref.kd.domain",
    from: { apiVersion: KUSCIA, kind: "KusciaDeployment" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "every spec.parties[].domainID and spec.initiator names a Domain that exists",
    source: "pkg/controllers/kusciadeployment: the controller gets each party's Domain (domainLister.Get) to place its workloads in namespace <domainID>",
    refs: (o) => [
      ...field("initiator")(o),
      ...list(spec(o).parties).flatMap((p, i) => {
        const name = isObj(p) ? str(p.domainID) : undefined;
        return name ? [{ path: ["spec", "parties", i, "domainID"], name, namespace: "" }] : [];
      }),
    ],
  },
  {
    id: "ref.cdr.domain",
    from: { apiVersion: KUSCIA, kind: "ClusterDomainRoute" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "spec.source and spec.destination name Domains that exist",
    source: "pkg/controllers/clusterdomainroute: the controller gets the source and destination Domains (domainLister.Get) to create their DomainRoutes and tokens",
    refs: field("source", "destination"),
  },
  {
    id: "ref.dr.domain",
    from: { apiVersion: KUSCIA, kind: "DomainRoute" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "spec.source and spec.destination name Domains that exist",
    source: "pkg/gateway/controller: the gateway of the route's namespace reads the peer Domain's certificate to authenticate it",
    refs: field("source", "destination"),
  },
  {
    id: "ref.interop.domain",
    from: { apiVersion: KUSCIA, kind: "InteropConfig" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "spec.host and every spec.members[] name Domains that exist",
    source: "pkg/controllers/kusciajob and pkg/interconn/kuscia: the interop controllers watch namespace <member> for objects the host places there; without the Domain there is no such namespace",
    refs: (o) => [
      ...field("host")(o),
      ...list(spec(o).members).flatMap((m, i) => (str(m) ? [{ path: ["spec", "members", i], name: m as string, namespace: "" }] : [])),
    ],
  },
];

const kindKeyOf = (k: { apiVersion: string; kind: string }) => `${k.apiVersion}/${k.kind}`;

/** The rules, as `rules()` lists them. */
export function referenceRuleInfos(): RuleInfo[] {
  return REFERENCES.map((r) => ({ id: r.id, kind: kindKeyOf(r.from), severity: "warning" as const, summary: r.summary, source: r.source }));
}

/** Kind keys (`apiVersion/kind`) that references point at: what a caller must list completely. */
export function referencedKinds(): { apiVersion: string; kind: string }[] {
  const seen = new Map<string, { apiVersion: string; kind: string }>();
  for (const r of REFERENCES) seen.set(kindKeyOf(r.to), r.to);
  return [...seen.values()];
}

export function refOf(obj: unknown): ObjectRef | undefined {
  if (!isObj(obj) || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string" || !isObj(obj.metadata)) return undefined;
  const m = obj.metadata;
  if (typeof m.name !== "string") return undefined;
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: typeof m.namespace === "string" ? m.namespace : "", name: m.name, ...(typeof m.uid === "string" ? { uid: m.uid } : {}) };
}

export function refKey(r: { apiVersion: string; kind: string; namespace: string; name: string }): string {
  return `${r.apiVersion}/${r.kind}\u0000${r.namespace}\u0000${r.name}`;
}

/** The findings of one referring object, sorted by the policy configuration. */
export interface ReferenceResult {
  object: ObjectRef;
  violations: Violation[];
  warnings: Warning[];
  audits: AuditRecord[];
}

export interface ReferenceOptions {
  config: PolicyConfig;
  now?: Date;
  /**
   * Target kinds (`apiVersion/kind`) whose objects are all known to the index. A reference to
   * any other kind is not checked (e.g. `audit` could not list it: a 403). Default: every kind.
   */
  complete?: ReadonlySet<string>;
}

/**
 * Accumulates what references need, object by object, keeping only names: the
 * identities of objects of referenced kinds and the references of referring ones.
 * So a cluster can be read page by page without keeping the objects.
 */
export class ReferenceIndex {
  private readonly present = new Set<string>();
  private readonly pending: { object: ObjectRef; kind: ReferenceKind; refs: Reference[] }[] = [];
  private static readonly targets = new Set(REFERENCES.map((r) => kindKeyOf(r.to)));
  private static readonly bySource = (() => {
    const m = new Map<string, ReferenceKind[]>();
    for (const r of REFERENCES) m.set(kindKeyOf(r.from), [...(m.get(kindKeyOf(r.from)) ?? []), r]);
    return m;
  })();

  add(obj: unknown): void {
    const ref = refOf(obj);
    if (!ref) return;
    const key = kindKeyOf(ref);
    if (ReferenceIndex.targets.has(key)) this.present.add(refKey(ref));
    for (const kind of ReferenceIndex.bySource.get(key) ?? []) {
      let refs: Reference[];
      try {
        refs = kind.refs(obj as Obj);
      } catch {
        refs = []; // malformed objects are the kind rules' business
      }
      if (refs.length) this.pending.push({ object: ref, kind, refs });
    }
  }

  /** Objects with at least one finding, in the order they were added. */
  results(opts: ReferenceOptions): ReferenceResult[] {
    const now = opts.now ?? new Date();
    const byObject = new Map<string, { object: ObjectRef; warnings: Warning[] }>();
    for (const p of this.pending) {
      const targetKey = kindKeyOf(p.kind.to);
      if (opts.complete && !opts.complete.has(targetKey)) continue;
      const seen = new Set<string>();
      for (const r of p.refs) {
        const k = refKey({ ...p.kind.to, namespace: r.namespace, name: r.name });
        if (this.present.has(k)) continue;
        const path = dotted(r.path);
        if (seen.has(`${path}\u0000${r.name}`)) continue;
        seen.add(`${path}\u0000${r.name}`);
        const where = r.namespace ? `${r.namespace}/${r.name}` : r.name;
        const entry = byObject.get(refKey(p.object)) ?? { object: p.object, warnings: [] };
        entry.warnings.push({
          path,
          rule: p.kind.id,
          message: `${path}: names ${p.kind.to.kind} "${where}", which does not exist; ${p.object.kind} ${p.object.namespace ? p.object.namespace + "/" : ""}${p.object.name} refers to it and ${p.kind.source.split(":")[0]} will fail until it is created`,
        });
        byObject.set(refKey(p.object), entry);
      }
    }
    const out: ReferenceResult[] = [];
    for (const { object, warnings } of byObject.values()) {
      const sorted = applyConfiguration({ violations: [], warnings }, opts.config, object, now);
      if (sorted.violations.length + sorted.warnings.length + sorted.audits.length === 0) continue;
      out.push({ object, ...sorted });
    }
    return out;
  }
}

/** References among `objects`, taken as the complete set. */
export function checkReferences(objects: Iterable<unknown>, opts: ReferenceOptions): ReferenceResult[] {
  const index = new ReferenceIndex();
  for (const o of objects) index.add(o);
  return index.results(opts);
}
