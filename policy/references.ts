/**
 * Checks across objects: one object names another that upstream Kuscia looks up
 * (a KusciaDeployment's or KusciaJob's AppImage and party Domains, a route's
 * Domains, an InteropConfig's Domains, a DomainDataGrant's DomainData and Domains,
 * a DomainData's DomainDataSource). Pure: the input is a set of objects (files given
 * to `review --references`, the cluster listed by `audit`), the output findings
 * naming both objects. Apply order is not guaranteed, so every rule is a warning
 * by default; the policy configuration sets its action like any other rule's.
 *
 * Adding a reference is one entry in REFERENCES: the source kind, the target
 * kind and where the names are.
 */
import { CLUSTER_SCOPED_KINDS } from "./kinds/scope";
import { applyConfiguration } from "./config/apply";
import type { PolicyConfig } from "./config/types";
import { isObj, type Obj } from "./checks/values";
import { dotted, type Segment } from "./paths";
import { PREFLIGHT, factsOf, type Facts, type KindRef, type PreflightFinding, type PreflightRule, type Targets } from "./preflight";
import type { AuditRecord, RuleDefinition, Violation, Warning } from "./types";
import { NO_CEL } from "./vap/reasons";

export { PREFLIGHT, factsOf, type Facts, type Targets } from "./preflight";

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
  /** Namespace of the target; "" for cluster-scoped targets (Domain, AppImage). */
  namespace: string;
}

export interface ReferenceKind {
  /** Rule id, `ref.<source>.<target>`. */
  id: string;
  from: { apiVersion: string; kind: string };
  to: { apiVersion: string; kind: string };
  summary: string;
  /** The upstream file and function that looks the target up. */
  source: string;
  /** What upstream then does when the target is missing (the message says it). */
  consequence: string;
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

/**
 * The cluster-scoped names at `field` of every item of nested lists under spec: `["tasks",
 * "parties"], "domainID"` reads `spec.tasks[i].parties[j].domainID`.
 */
const inLists = (lists: readonly string[], field: string) => (o: Obj): Reference[] => {
  const walk = (parent: unknown, depth: number, path: Segment[]): Reference[] => {
    if (depth === lists.length) {
      const name = isObj(parent) ? str(parent[field]) : undefined;
      return name ? [{ path: [...path, field], name, namespace: "" }] : [];
    }
    return list(isObj(parent) ? parent[lists[depth]] : undefined).flatMap((item, i) => walk(item, depth + 1, [...path, lists[depth], i]));
  };
  return walk(spec(o), 0, ["spec"]);
};

/** The object's own namespace ("" when cluster-scoped or not set). */
function nsOf(o: Obj): string {
  const m = isObj(o.metadata) ? o.metadata : {};
  return typeof m.namespace === "string" ? m.namespace : "";
}

const KD_UTIL = "pkg/controllers/kusciadeployment/util.go";
const KD_RECONCILE = "pkg/controllers/kusciadeployment/reconcile.go";
const CDR = "pkg/controllers/clusterdomainroute";
const KJ = "pkg/controllers/kusciajob/handler/scheduler.go";
const DDC = "pkg/controllers/domaindata/controller.go";

/**
 * Every table entry: one line per reference the rule book checks. `source` names
 * the upstream file and function that looks the target up (checked against the
 * upstream tree), `consequence` what upstream then does; the message says both.
 */
export const REFERENCES: readonly ReferenceKind[] = [
  {
    id: "ref.kd.appimage",
    from: { apiVersion: KUSCIA, kind: "KusciaDeployment" },
    to: { apiVersion: KUSCIA, kind: "AppImage" },
    summary: "every spec.parties[].appImageRef names an AppImage that exists",
    source: `${KD_UTIL}: buildPartyKitInfo (appImageLister.Get(party.AppImageRef)), called by buildPartyKitInfos from ${KD_RECONCILE}: ProcessKusciaDeployment`,
    consequence: "the KusciaDeployment controller sets the deployment Failed (reason BuildPartyKitInfoFailed) and does not retry until the deployment changes",
    refs: inLists(["parties"], "appImageRef"),
  },
  {
    id: "ref.kd.domain",
    from: { apiVersion: KUSCIA, kind: "KusciaDeployment" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "every spec.parties[].domainID and spec.initiator names a Domain that exists",
    source: `${KD_RECONCILE}: isInitiatorController and selfParties (domainLister.Get), via computeExceptGeneratedAnnotations in ProcessKusciaDeployment; ${KD_UTIL}: buildPartyKitInfo (namespaceLister.Get(party.DomainID): the Domain's namespace)`,
    consequence: "the KusciaDeployment controller requeues it with an error and, after 15 retries, sets it Failed (reason RetryProcessingFailed)",
    refs: (o) => [...field("initiator")(o), ...inLists(["parties"], "domainID")(o)],
  },
  {
    id: "ref.cdr.domain",
    from: { apiVersion: KUSCIA, kind: "ClusterDomainRoute" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "spec.source and spec.destination name Domains that exist",
    source: `${CDR}/domain.go: getDomainRole (domainLister.Get of source and destination), first step of ${CDR}/controller.go: syncHandler`,
    consequence: "the ClusterDomainRoute controller creates no DomainRoutes and tokens and keeps retrying (it is requeued again when the Domain appears)",
    refs: field("source", "destination"),
  },
  {
    id: "ref.dr.domain",
    from: { apiVersion: KUSCIA, kind: "DomainRoute" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "spec.source and spec.destination name Domains that exist",
    source: `pkg/controllers/domainroute/controller.go: syncHandler (token routes wait for tokenConfig.sourcePublicKey and destinationPublicKey, "wait domain update"), which ${CDR}/domain.go: syncDomainPubKey fills from each Domain's spec.cert (getPublicKeyFromDomain)`,
    consequence: "the DomainRoute controller waits without an error: a token route never gets its keys or a token, so the gateways never connect",
    refs: field("source", "destination"),
  },
  {
    id: "ref.interop.domain",
    from: { apiVersion: KUSCIA, kind: "InteropConfig" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "spec.host and every spec.members[] name Domains that exist",
    source: "pkg/interconn/kuscia/interopconfig.go: registerInteropConfig, then pkg/interconn/kuscia/hostresources/manager.go: Register (newHostResourcesController: a client of the host's API server through the gateway, informers in namespace <member>)",
    consequence: "the interconn controller registers the host/member pair but, without the Domains (their namespaces and routes), mirrors nothing; Register's error is dropped, nothing retries",
    refs: (o) => [
      ...field("host")(o),
      ...list(spec(o).members).flatMap((m, i) => (str(m) ? [{ path: ["spec", "members", i], name: m as string, namespace: "" }] : [])),
    ],
  },
  {
    id: "ref.kj.appimage",
    from: { apiVersion: KUSCIA, kind: "KusciaJob" },
    to: { apiVersion: KUSCIA, kind: "AppImage" },
    summary: "every spec.tasks[].appImage names an AppImage that exists",
    source: `${KJ}: findMatchedDeployTemplate (AppImages().Get; on error buildPartyTemplate leaves the party template empty); pkg/controllers/kusciatask/handler/pending_handler.go: buildPartyKitInfo (appImagesLister.Get)`,
    consequence: "the job's KusciaTask gets condition ResourceCreated False (KusciaTaskCreateFailed) and its resources are never created",
    refs: inLists(["tasks"], "appImage"),
  },
  {
    id: "ref.kj.domain",
    from: { apiVersion: KUSCIA, kind: "KusciaJob" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "spec.initiator and every spec.tasks[].parties[].domainID name Domains that exist",
    source: `${KJ}: kusciaJobValidate (namespaceLister.Get(initiator): the Domain's namespace); annotateInterConn (namespaceLister.Get(party.DomainID)) and allApprovalAccept (domainLister.Get)`,
    consequence: "a missing initiator fails the job (ValidateFailed); a missing party keeps it Initialized, retried with an error",
    refs: (o) => [...field("initiator")(o), ...inLists(["tasks", "parties"], "domainID")(o)],
  },
  {
    id: "ref.ddg.domaindata",
    from: { apiVersion: KUSCIA, kind: "DomainDataGrant" },
    to: { apiVersion: KUSCIA, kind: "DomainData" },
    summary: "spec.domainDataID names a DomainData in the grant's namespace (for a grant its author owns)",
    source: `${DDC}: ensureDomainData (DomainDatas(dg.Namespace).Get(spec.domainDataID)), called by syncDomainDataGrantHandler when spec.author is the namespace`,
    consequence: "the DomainData controller copies nothing to the grantee (\"can't found domaindata\") and keeps retrying",
    refs: (o) => {
      const ns = nsOf(o);
      const name = str(spec(o).domainDataID);
      // Upstream looks the data up only for the author's own grant; a received copy is not checked.
      return name && ns && spec(o).author === ns ? [{ path: ["spec", "domainDataID"], name, namespace: ns }] : [];
    },
  },
  {
    id: "ref.ddg.domain",
    from: { apiVersion: KUSCIA, kind: "DomainDataGrant" },
    to: { apiVersion: KUSCIA, kind: "Domain" },
    summary: "spec.grantDomain and spec.author name Domains that exist",
    source: `${DDC}: syncDomainDataGrantHandler and ensureDomainData (Domains().Get(spec.grantDomain), to find where to copy the grant and the data)`,
    consequence: "the DomainData controller copies nothing to the grantee and keeps retrying (\"get domain ... err\")",
    refs: field("grantDomain", "author"),
  },
  {
    id: "ref.dd.domaindatasource",
    from: { apiVersion: KUSCIA, kind: "DomainData" },
    to: { apiVersion: KUSCIA, kind: "DomainDataSource" },
    summary: "spec.dataSource names a DomainDataSource in the DomainData's namespace",
    source: "pkg/datamesh/dataserver/utils/context.go: GetDomainDataAndSource (QueryDomainDataSource(data.DatasourceId) in the domain's namespace); pkg/datamesh/metaserver/service/domaindata.go: checkDataSource",
    consequence: "DataMesh refuses every read and write of the data (FailedPrecondition \"Query data source by id(...) fail\")",
    refs: (o) => {
      const ns = nsOf(o);
      const name = str(spec(o).dataSource);
      return name && ns ? [{ path: ["spec", "dataSource"], name, namespace: ns }] : [];
    },
  },
];

const kindKeyOf = (k: { apiVersion: string; kind: string }) => `${k.apiVersion}/${k.kind}`;

/** The rules, as `ruleDefinitions()` lists them: the name references, then the pre-flight checks (policy/preflight.ts). */
export function referenceRuleDefinitions(): RuleDefinition[] {
  return [
    ...REFERENCES.map((r) => ({ id: r.id, kind: kindKeyOf(r.from), severity: "warning" as const, summary: r.summary, source: r.source, vap: { unexpressible: NO_CEL.reference } })),
    ...PREFLIGHT.map((r) => ({ id: r.id, kind: kindKeyOf(r.from), severity: "warning" as const, summary: r.summary, source: r.source, vap: r.vap })),
  ];
}

/** Every cross-object rule id (`ref.*`): the name references and the pre-flight checks. */
export function referenceRuleIds(): string[] {
  return [...REFERENCES, ...PREFLIGHT].map((r) => r.id);
}

/** Kind keys (`apiVersion/kind`) that the checks read: what a caller must list (or watch) completely. */
export function referencedKinds(): { apiVersion: string; kind: string }[] {
  const seen = new Map<string, { apiVersion: string; kind: string }>();
  for (const r of REFERENCES) seen.set(kindKeyOf(r.to), r.to);
  for (const r of PREFLIGHT) for (const k of [...r.needs, ...(r.uses ?? [])]) seen.set(kindKeyOf(k), k);
  return [...seen.values()];
}

/** Kind keys of the objects the checks review (the referring kinds). */
export function referringKinds(): { apiVersion: string; kind: string }[] {
  const seen = new Map<string, { apiVersion: string; kind: string }>();
  for (const r of [...REFERENCES, ...PREFLIGHT]) seen.set(kindKeyOf(r.from), r.from);
  return [...seen.values()];
}

/**
 * Every path a cross-object finding on `obj` may name (dotted), for the line numbers of
 * `review`: the referring fields and the pre-flight checks' fields.
 */
export function referencePaths(obj: unknown): string[] {
  const ref = refOf(obj);
  if (!ref) return [];
  const key = kindKeyOf(ref);
  const out: string[] = [];
  for (const k of REFERENCES) {
    if (kindKeyOf(k.from) !== key) continue;
    try {
      for (const r of k.refs(obj as Obj)) out.push(dotted(r.path));
    } catch {
      // malformed: the kind's own rules report it
    }
  }
  for (const p of PREFLIGHT) {
    if (kindKeyOf(p.from) !== key) continue;
    try {
      const s = p.subject(obj as Obj);
      if (s !== undefined) for (const path of p.paths(s)) out.push(dotted(path));
    } catch {
      // malformed
    }
  }
  return out;
}

export function refOf(obj: unknown): ObjectRef | undefined {
  if (!isObj(obj) || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string" || !isObj(obj.metadata)) return undefined;
  const m = obj.metadata;
  if (typeof m.name !== "string") return undefined;
  // A cluster-scoped object has no namespace once the API server has it, whatever a file says.
  const namespace = typeof m.namespace === "string" && !CLUSTER_SCOPED_KINDS.has(`${obj.apiVersion}/${obj.kind}`) ? m.namespace : "";
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace, name: m.name, ...(typeof m.uid === "string" ? { uid: m.uid } : {}) };
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

/** Where targets are found besides the objects added (the webhook's watch cache): facts by kind, namespace and name. */
export interface TargetLookup {
  get(kind: KindRef, namespace: string, name: string): Facts | undefined;
  list(kind: KindRef, namespace: string): [string, Facts][];
}

/**
 * Accumulates what the checks need, object by object, keeping only names and small facts:
 * the identities and facts (policy/preflight.ts factsOf) of objects of referenced kinds, the
 * references and pre-flight subjects of referring ones. So a cluster can be read page by page
 * without keeping the objects.
 */
export class ReferenceIndex {
  /** kind key -> namespace -> name -> facts. */
  private readonly present = new Map<string, Map<string, Map<string, Facts>>>();
  constructor(private readonly lookup?: TargetLookup) {}
  private readonly pending: { object: ObjectRef; kind: ReferenceKind; refs: Reference[] }[] = [];
  private readonly subjects: { object: ObjectRef; rule: PreflightRule; subject: unknown }[] = [];
  private static readonly targets = new Set(referencedKinds().map(kindKeyOf));
  private static readonly bySource = (() => {
    const m = new Map<string, ReferenceKind[]>();
    for (const r of REFERENCES) m.set(kindKeyOf(r.from), [...(m.get(kindKeyOf(r.from)) ?? []), r]);
    return m;
  })();
  private static readonly preflightBySource = (() => {
    const m = new Map<string, PreflightRule[]>();
    for (const r of PREFLIGHT) m.set(kindKeyOf(r.from), [...(m.get(kindKeyOf(r.from)) ?? []), r]);
    return m;
  })();

  add(obj: unknown): void {
    const ref = refOf(obj);
    if (!ref) return;
    const key = kindKeyOf(ref);
    if (ReferenceIndex.targets.has(key)) {
      const byNs = this.present.get(key) ?? new Map<string, Map<string, Facts>>();
      const byName = byNs.get(ref.namespace) ?? new Map<string, Facts>();
      byName.set(ref.name, factsOf(obj as Obj));
      byNs.set(ref.namespace, byName);
      this.present.set(key, byNs);
    }
    for (const kind of ReferenceIndex.bySource.get(key) ?? []) {
      let refs: Reference[];
      try {
        refs = kind.refs(obj as Obj);
      } catch {
        refs = []; // malformed objects are the kind rules' business
      }
      if (refs.length) this.pending.push({ object: ref, kind, refs });
    }
    for (const rule of ReferenceIndex.preflightBySource.get(key) ?? []) {
      let subject: unknown;
      try {
        subject = rule.subject(obj as Obj);
      } catch {
        subject = undefined;
      }
      if (subject !== undefined) this.subjects.push({ object: ref, rule, subject });
    }
  }

  /** The targets as the checks see them: added objects, then the lookup; a kind not complete has none. */
  private targetsFor(complete?: ReadonlySet<string>): Targets {
    const own = this.present;
    const lookup = this.lookup;
    const done = (k: KindRef) => !complete || complete.has(kindKeyOf(k));
    return {
      complete: done,
      get(kind, namespace, name) {
        if (!done(kind)) return undefined;
        return own.get(kindKeyOf(kind))?.get(namespace)?.get(name) ?? lookup?.get(kind, namespace, name);
      },
      list(kind, namespace) {
        if (!done(kind)) return [];
        const out = new Map<string, Facts>(lookup?.list(kind, namespace) ?? []);
        for (const [name, f] of own.get(kindKeyOf(kind))?.get(namespace) ?? []) out.set(name, f);
        return [...out];
      },
    };
  }

  /** Objects with at least one finding, in the order they were added. */
  results(opts: ReferenceOptions): ReferenceResult[] {
    const now = opts.now ?? new Date();
    const targets = this.targetsFor(opts.complete);
    const byObject = new Map<string, { object: ObjectRef; warnings: Warning[] }>();
    const push = (object: ObjectRef, w: Warning) => {
      const entry = byObject.get(refKey(object)) ?? { object, warnings: [] };
      entry.warnings.push(w);
      byObject.set(refKey(object), entry);
    };
    for (const p of this.pending) {
      if (!targets.complete(p.kind.to)) continue;
      const seen = new Set<string>();
      for (const r of p.refs) {
        if (targets.get(p.kind.to, r.namespace, r.name) !== undefined) continue;
        const path = dotted(r.path);
        if (seen.has(`${path}\u0000${r.name}`)) continue;
        seen.add(`${path}\u0000${r.name}`);
        const where = r.namespace ? `${r.namespace}/${r.name}` : r.name;
        push(p.object, { path, rule: p.kind.id, message: `${path}: names ${p.kind.to.kind} "${where}", which does not exist; ${p.kind.consequence}` });
      }
    }
    for (const s of this.subjects) {
      if (!s.rule.needs.every((k) => targets.complete(k))) continue;
      let found: PreflightFinding[];
      try {
        found = s.rule.check(s.subject, targets, { kusciaVersion: opts.config.kusciaVersion });
      } catch {
        found = []; // a malformed subject: the kind's own rules report it
      }
      for (const f of found) {
        const path = dotted(f.path);
        push(s.object, { path, rule: s.rule.id, message: `${path}: ${f.message}` });
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
