/**
 * Pre-flight checks: what Kuscia's controllers will find when they run a KusciaJob or a
 * KusciaDeployment, read from the other objects of the set (the files given to
 * `review --references`, the cluster `audit` lists, the webhook's watch cache). Each rule
 * names the upstream function that fails and says what it then does, so the warning comes at
 * admission rather than as a job stuck long after.
 *
 * - `ref.kj.deploy-template`, `ref.kd.deploy-template`: each party's role has a deploy template
 *   in its AppImage (pkg/utils/resources/appimage.go: SelectDeployTemplate);
 * - `ref.kd.template-container`: each container a party template overrides is one of the deploy
 *   template's (pkg/controllers/kusciadeployment/util.go: mergeDeployTemplate matches by name and
 *   ignores the others);
 * - `ref.kj.interconn`: the job's partners do not mix the kuscia and bfia protocols
 *   (kusciajob/handler/scheduler.go: annotateInterConn, from v0.15);
 * - `ref.kj.route`: the routes between a task's parties are Ready
 *   (kusciatask/plugins/clusterdomainroute_plugin.go: CDRCheckPlugin.Permit, from v1.0);
 * - `ref.kj.quota`: a task fits the ResourceQuotas of its local parties' namespaces, the one
 *   Kuscia makes from the Domain's spec.resourceQuota.podMaxCount among them
 *   (domain/resource_quota.go: makeResourceQuota; the API server's quota admission).
 *
 * A target that is missing is the `ref.*` name rules' finding (policy/references.ts), not these
 * rules': they check only what they can see. Pure: the index keeps of each object only the
 * small facts below, so a cluster can be read page by page.
 */
import type { KusciaVersion } from "./config/version";
import { parseQuantity } from "./checks/quantity";
import { arr, at, isObj, num, str, type Obj } from "./checks/values";
import { selectDeployTemplate } from "./expand/kusciadeployment";
import type { Segment } from "./paths";
import type { VapForm } from "./types";
import { NO_CEL } from "./vap/reasons";

const KUSCIA = "kuscia.secretflow/v1alpha1";
export type KindRef = { apiVersion: string; kind: string };
export const DOMAIN: KindRef = { apiVersion: KUSCIA, kind: "Domain" };
export const APPIMAGE: KindRef = { apiVersion: KUSCIA, kind: "AppImage" };
export const CDR: KindRef = { apiVersion: KUSCIA, kind: "ClusterDomainRoute" };
export const DR: KindRef = { apiVersion: KUSCIA, kind: "DomainRoute" };
export const QUOTA: KindRef = { apiVersion: "v1", kind: "ResourceQuota" };
const KJ: KindRef = { apiVersion: KUSCIA, kind: "KusciaJob" };
const KD: KindRef = { apiVersion: KUSCIA, kind: "KusciaDeployment" };

/** What a check knows of a target object: small and JSON-able (the webhook posts it to its review workers). */
export type Facts = Record<string, unknown>;

/** The targets a check reads. */
export interface Targets {
  /** The facts of one object; undefined when it is absent (or its kind was not listed completely). */
  get(kind: KindRef, namespace: string, name: string): Facts | undefined;
  /** Every object of a kind in a namespace, by name. */
  list(kind: KindRef, namespace: string): [string, Facts][];
  /** True when every object of the kind is known. */
  complete(kind: KindRef): boolean;
}

export interface PreflightFinding {
  path: Segment[];
  message: string;
}

export interface PreflightRule<S = unknown> {
  /** Rule id, `ref.<source>.<what>`. */
  id: string;
  from: KindRef;
  /** Target kinds the rule reads; it runs only when all are complete. */
  needs: readonly KindRef[];
  /** Target kinds it reads when they are complete (and does without otherwise). */
  uses?: readonly KindRef[];
  summary: string;
  /** The upstream file and function that fails. */
  source: string;
  /** Its ValidatingAdmissionPolicy form: none, it reads other objects. */
  vap: VapForm;
  /** What the rule keeps of the referring object; undefined when there is nothing to check. */
  subject(o: Obj): S | undefined;
  /** The paths its findings may name (for the line numbers of `review`). */
  paths(s: S): Segment[][];
  check(s: S, t: Targets, ctx: { kusciaVersion: KusciaVersion }): PreflightFinding[];
}

// ---- Facts of the targets: what each target kind keeps.

type ResourceList = { cpu?: string; memory?: string };
interface ContainerFacts {
  /** The container's name ("" when it has none): what a KusciaDeployment party's override must name. */
  name: string;
  requests: ResourceList;
  limits: ResourceList;
}
interface TemplateFacts {
  name: string;
  role: string;
  replicas: number;
  containers: ContainerFacts[];
}

function resources(v: unknown): ResourceList {
  const out: ResourceList = {};
  for (const k of ["cpu", "memory"] as const) {
    const q = at(v, k);
    if (typeof q === "string" || typeof q === "number") out[k] = String(q);
  }
  return out;
}

const FACTS: Record<string, (o: Obj) => Facts> = {
  // The Namespace labels the domain controller makes from it (domain/namespace.go: createNamespace) and the quota (resource_quota.go).
  [`${KUSCIA}/Domain`]: (o) => {
    const protocols = arr(at(o, "spec", "interConnProtocols")) ?? [];
    const podMaxCount = num(at(o, "spec", "resourceQuota", "podMaxCount"));
    return { role: str(at(o, "spec", "role")) ?? "", protocol: str(protocols[0]) ?? "", ...(podMaxCount !== undefined ? { podMaxCount } : {}) };
  },
  [`${KUSCIA}/AppImage`]: (o) => ({
    templates: (arr(at(o, "spec", "deployTemplates")) ?? []).filter(isObj).map(
      (t): TemplateFacts => ({
        name: str(t.name) ?? "",
        role: str(t.role) ?? "",
        replicas: num(t.replicas) ?? 1,
        containers: (arr(at(t, "spec", "containers")) ?? []).map((c) => ({ name: str(at(c, "name")) ?? "", requests: resources(at(c, "resources", "requests")), limits: resources(at(c, "resources", "limits")) })),
      }),
    ),
  }),
  [`${KUSCIA}/ClusterDomainRoute`]: (o) => {
    const ready = (arr(at(o, "status", "conditions")) ?? []).find((c) => at(c, "type") === "Ready");
    return ready ? { ready: { status: String(at(ready, "status") ?? ""), reason: String(at(ready, "reason") ?? "") } } : {};
  },
  [`${KUSCIA}/DomainRoute`]: (o) => (at(o, "status", "isDestinationUnreachable") === true ? { unreachable: true } : {}),
  "v1/ResourceQuota": (o) => {
    const hard: Record<string, string> = {};
    const h = at(o, "spec", "hard");
    if (isObj(h)) for (const k of QUOTA_KEYS) if (typeof h[k] === "string" || typeof h[k] === "number") hard[k] = String(h[k]);
    return { hard, scoped: at(o, "spec", "scopes") !== undefined || at(o, "spec", "scopeSelector") !== undefined };
  },
};

/** The facts a check keeps of `o` (an object of a referenced kind); `{}` for a kind checked for presence only. */
export function factsOf(o: Obj): Facts {
  const f = FACTS[`${String(o.apiVersion)}/${String(o.kind)}`];
  try {
    return f ? f(o) : {};
  } catch {
    return {}; // malformed: the kind's own rules report it
  }
}

// ---- Subjects: what the rules keep of the referring objects.

interface PartySubject {
  path: Segment[];
  domainID: string;
  role: string;
  resources?: { requests: ResourceList; limits: ResourceList };
}
interface TaskSubject {
  index: number;
  appImage?: string;
  parties: PartySubject[];
}
interface JobSubject {
  initiator?: string;
  annotations: Record<string, string>;
  tasks: TaskSubject[];
}

function jobSubject(o: Obj): JobSubject | undefined {
  const tasks = (arr(at(o, "spec", "tasks")) ?? []).flatMap((t, i): TaskSubject[] => {
    if (!isObj(t)) return [];
    const parties = (arr(t.parties) ?? []).flatMap((p, j): PartySubject[] => {
      const domainID = str(at(p, "domainID"));
      if (!domainID) return [];
      const res = at(p, "resources");
      return [{ path: ["spec", "tasks", i, "parties", j], domainID, role: str(at(p, "role")) ?? "", ...(isObj(res) ? { resources: { requests: resources(res.requests), limits: resources(res.limits) } } : {}) }];
    });
    return [{ index: i, appImage: str(t.appImage) || undefined, parties }];
  });
  if (tasks.length === 0) return undefined;
  const ann = at(o, "metadata", "annotations");
  const annotations: Record<string, string> = {};
  if (isObj(ann)) for (const k of [SELF_PARTIES, SELF_AS_INITIATOR]) if (typeof ann[k] === "string") annotations[k] = ann[k] as string;
  return { initiator: str(at(o, "spec", "initiator")) || undefined, annotations, tasks };
}

/** A KusciaDeployment party's container overrides: the names its template gives, by index. */
interface KdOverrides {
  path: Segment[];
  appImage: string;
  role: string;
  containers: { index: number; name: string }[];
}

// ---- Shared pieces.

const q = (s: string) => JSON.stringify(s);
const SCHEDULER = "pkg/controllers/kusciajob/handler/scheduler.go";
const PENDING = "pkg/controllers/kusciatask/handler/pending_handler.go";
const KD_UTIL = "pkg/controllers/kusciadeployment/util.go";
const SELF_PARTIES = "kuscia.secretflow/interconn-self-parties";
const SELF_AS_INITIATOR = "kuscia.secretflow/self-cluster-as-initiator";
const PARTNER = "partner";

/**
 * Why `role` has no deploy template among `templates` (SelectDeployTemplate), or undefined
 * when it has one: the check of `ref.kj.deploy-template` and `ref.kd.deploy-template`.
 */
export function missingDeployTemplate(appImage: string, templates: readonly { role: string }[], role: string): string | undefined {
  if (selectDeployTemplate(templates, role)) return undefined;
  if (templates.length === 0) return `AppImage ${q(appImage)} has no deploy templates ("deploy templates are empty")`;
  const roles = [...new Set(templates.map((t) => t.role))].map(q).join(", ");
  return `AppImage ${q(appImage)} has no deploy template for role ${q(role)} (its templates' roles: ${roles}; none without a role), so SelectDeployTemplate fails ("not found deploy template for role ${q(role)}")`;
}

function templatesOf(f: Facts | undefined): TemplateFacts[] | undefined {
  return f && Array.isArray(f.templates) ? (f.templates as TemplateFacts[]) : undefined;
}

/** A party's path to its role, or to the party when it has none. */
const rolePath = (p: PartySubject): Segment[] => (p.role ? [...p.path, "role"] : p.path);

// ---- Resources of a task's pods, as the controllers compute them.

/** Quantity formats of k8s.io/apimachinery resource.Quantity, which SplitRSC rounds by. */
function binaryFormat(v: string): boolean {
  return /(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+)$/.test(v.trim());
}

/** Go's %.0f: round half to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/**
 * One part of `v` split `n` ways as pkg/utils/resources/common.go: SplitRSC does (decimal
 * quantities in whole millis, rounded down; binary ones in bytes, then rounded to the unit
 * below their size), in base units (cores, bytes). Undefined when `v` is not a quantity.
 */
export function splitQuantity(v: string, n: number): number | undefined {
  const x = parseQuantity(v);
  if (x === undefined || n <= 0) return undefined;
  if (!binaryFormat(v)) return Math.floor(Math.ceil(x * 1000 - 1e-9) / n) / 1000;
  const per = Math.floor(Math.ceil(x - 1e-9) / n);
  for (const [min, unit] of [[2 ** 60, 2 ** 50], [2 ** 50, 2 ** 40], [2 ** 40, 2 ** 30], [2 ** 30, 2 ** 20], [2 ** 20, 2 ** 10]] as const) {
    if (per >= min) return roundHalfEven(per / unit) * unit;
  }
  return per;
}

type Demand = { pods: number; "requests.cpu"?: number; "limits.cpu"?: number; "requests.memory"?: number; "limits.memory"?: number };
const QUOTA_KEYS = ["pods", "count/pods", "cpu", "requests.cpu", "limits.cpu", "memory", "requests.memory", "limits.memory"] as const;
/** A quota key and the demand it limits (`cpu` is `requests.cpu`, as in Kubernetes' quota evaluator). */
const QUOTA_DEMAND: Record<(typeof QUOTA_KEYS)[number], keyof Demand> = {
  pods: "pods",
  "count/pods": "pods",
  cpu: "requests.cpu",
  "requests.cpu": "requests.cpu",
  "limits.cpu": "limits.cpu",
  memory: "requests.memory",
  "requests.memory": "requests.memory",
  "limits.memory": "limits.memory",
};

/**
 * What one party adds to its namespace: its pods, and their CPU and memory requests and limits
 * when every container states them. The job controller splits the party's resources evenly over
 * the template's containers and replicas (scheduler.go: buildPartyTemplate, SplitRSC); the task
 * controller lays them over the template's own (pending_handler.go: mergeDeployTemplate); the API
 * server defaults a missing request to the limit.
 */
function partyDemand(t: TemplateFacts, p: PartySubject): Demand {
  const n = t.containers.length * t.replicas;
  const d: Demand = { pods: t.replicas };
  for (const res of ["cpu", "memory"] as const) {
    let req = 0;
    let lim = 0;
    let reqKnown = t.containers.length > 0;
    let limKnown = t.containers.length > 0;
    for (const c of t.containers) {
      const partyLim = p.resources?.limits[res];
      const partyReq = p.resources?.requests[res];
      const l = partyLim !== undefined ? splitQuantity(partyLim, n) : c.limits[res] !== undefined ? parseQuantity(c.limits[res]) : undefined;
      const r0 = partyReq !== undefined ? splitQuantity(partyReq, n) : c.requests[res] !== undefined ? parseQuantity(c.requests[res]) : undefined;
      const r = r0 ?? l;
      if (l === undefined) limKnown = false;
      else lim += l * t.replicas;
      if (r === undefined) reqKnown = false;
      else req += r * t.replicas;
    }
    if (reqKnown) d[`requests.${res}`] = req;
    if (limKnown) d[`limits.${res}`] = lim;
  }
  return d;
}

function addDemand(a: Demand, b: Demand): Demand {
  const out: Demand = { pods: a.pods + b.pods };
  for (const k of ["requests.cpu", "limits.cpu", "requests.memory", "limits.memory"] as const) {
    if (a[k] !== undefined && b[k] !== undefined) out[k] = a[k]! + b[k]!;
  }
  return out;
}

function formatDemand(k: keyof Demand, v: number): string {
  if (k === "pods") return `${v} pod${v === 1 ? "" : "s"}`;
  if (k.endsWith("cpu")) return `${Number.isInteger(v) ? `${v}` : `${Math.round(v * 1000)}m`} CPU (${k})`;
  for (const [unit, size] of [["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) if (v >= size && v % size === 0) return `${v / size}${unit} of memory (${k})`;
  return `${v} bytes of memory (${k})`;
}

// ---- The rules.

const deployTemplateRule = (
  id: string,
  from: KindRef,
  summary: string,
  source: string,
  consequence: string,
  subject: (o: Obj) => { appImage: string; party: PartySubject }[] | undefined,
): PreflightRule<{ appImage: string; party: PartySubject }[]> => ({
  id,
  from,
  vap: { unexpressible: NO_CEL.reference },
  needs: [APPIMAGE],
  summary,
  source,
  subject,
  paths: (s) => s.map((x) => rolePath(x.party)),
  check(s, t) {
    const out: PreflightFinding[] = [];
    for (const { appImage, party } of s) {
      const templates = templatesOf(t.get(APPIMAGE, "", appImage));
      if (!templates) continue; // missing AppImage: ref.*.appimage
      const why = missingDeployTemplate(appImage, templates, party.role);
      if (why) out.push({ path: rolePath(party), message: `${why}; ${consequence}` });
    }
    return out;
  },
});

// Each rule keeps a subject of its own shape; the index holds them side by side.
export const PREFLIGHT: readonly PreflightRule<any>[] = [
  deployTemplateRule(
    "ref.kj.deploy-template",
    KJ,
    "each spec.tasks[].parties[].role has a deploy template in the task's AppImage (one for the role, or one without a role)",
    `pkg/utils/resources/appimage.go: SelectDeployTemplate, called by ${PENDING}: buildPartyKitInfo for every party of the task (and ${SCHEDULER}: buildPartyTemplate via findMatchedDeployTemplate)`,
    "the KusciaTask controller cannot build the party, so the task's resources are never created (condition ResourceCreated False, KusciaTaskCreateFailed)",
    (o) => {
      const s = jobSubject(o);
      const out = s?.tasks.flatMap((t) => (t.appImage ? t.parties.map((party) => ({ appImage: t.appImage!, party })) : [])) ?? [];
      return out.length ? out : undefined;
    },
  ),
  deployTemplateRule(
    "ref.kd.deploy-template",
    KD,
    "each spec.parties[].role has a deploy template in the party's AppImage (one for the role, or one without a role)",
    `pkg/utils/resources/appimage.go: SelectDeployTemplate, called by ${KD_UTIL}: buildPartyKitInfo for every party`,
    "the KusciaDeployment controller sets the deployment Failed (reason BuildPartyKitInfoFailed) and does not retry until the deployment changes",
    (o) => {
      const out = (arr(at(o, "spec", "parties")) ?? []).flatMap((p, i) => {
        const domainID = str(at(p, "domainID"));
        const appImage = str(at(p, "appImageRef"));
        return domainID && appImage ? [{ appImage, party: { path: ["spec", "parties", i], domainID, role: str(at(p, "role")) ?? "" } }] : [];
      });
      return out.length ? out : undefined;
    },
  ),
  {
    id: "ref.kd.template-container",
    from: KD,
    vap: { unexpressible: NO_CEL.reference },
    needs: [APPIMAGE],
    summary: "each container a party template overrides (spec.parties[].template.spec.containers[].name) is a container of the deploy template the party gets from its AppImage",
    source: `${KD_UTIL}: mergeDeployTemplate (takes the deploy template's spec and, for each party-template container, only resources.requests and resources.limits of the deploy-template container of the same name; a name matching none is dropped without an error), called by ${KD_UTIL}: buildPartyKitInfo; the same in every release from v0.8`,
    subject: (o) => {
      const out = (arr(at(o, "spec", "parties")) ?? []).flatMap((p, i): KdOverrides[] => {
        const appImage = str(at(p, "appImageRef"));
        const containers = (arr(at(p, "template", "spec", "containers")) ?? []).flatMap((c, j) => {
          const name = str(at(c, "name"));
          return name ? [{ index: j, name }] : [];
        });
        return appImage && containers.length > 0 ? [{ path: ["spec", "parties", i], appImage, role: str(at(p, "role")) ?? "", containers }] : [];
      });
      return out.length ? out : undefined;
    },
    paths: (s: KdOverrides[]) => s.flatMap((p) => p.containers.map((c) => [...p.path, "template", "spec", "containers", c.index, "name"])),
    check(s: KdOverrides[], t) {
      const out: PreflightFinding[] = [];
      for (const p of s) {
        const templates = templatesOf(t.get(APPIMAGE, "", p.appImage));
        if (!templates) continue; // missing AppImage: ref.kd.appimage
        const tpl = selectDeployTemplate(templates, p.role);
        if (!tpl) continue; // no template for the role: ref.kd.deploy-template
        const names = tpl.containers.map((c) => c.name);
        for (const c of p.containers) {
          if (names.includes(c.name)) continue;
          out.push({
            path: [...p.path, "template", "spec", "containers", c.index, "name"],
            message: `${q(c.name)} is not a container of AppImage ${q(p.appImage)}'s deploy template ${q(tpl.name)} (its containers: ${names.map(q).join(", ") || "none"}); Kuscia takes only the resources of a party-template container, from the deploy-template container of the same name, so this override is ignored and the deploy template's own resources apply: name one of its containers`,
          });
        }
      }
      return out;
    },
  } satisfies PreflightRule<KdOverrides[]>,
  {
    id: "ref.kj.interconn",
    from: KJ,
    vap: { unexpressible: NO_CEL.reference },
    needs: [DOMAIN],
    summary: "the job's partner parties (Domains with role partner) all use one interconnection protocol, kuscia or bfia",
    source: `${SCHEDULER}: annotateInterConn ("can't create a job with partners using both bfia and kuscia protocol", from v0.15; the protocol is the partner Namespace's label that pkg/controllers/domain/namespace.go: createNamespace copies from the Domain's spec.interConnProtocols[0], kuscia when unset; partners are listed only when the initiator's Namespace is not a partner's, annotateSelfClusterAsInitiator), called by annotateKusciaJob unless the job already carries ${SELF_PARTIES}`,
    subject: (o) => {
      const s = jobSubject(o);
      return s && !(SELF_PARTIES in s.annotations) ? s : undefined;
    },
    paths: (s: JobSubject) => s.tasks.flatMap((t) => t.parties.map((p) => [...p.path, "domainID"])),
    check(s: JobSubject, t, ctx) {
      // annotateKusciaJob returns early for a job with no party of this cluster that already carries
      // the self-cluster-as-initiator annotation; otherwise annotateSelfClusterAsInitiator rewrites that
      // annotation from the initiator's Namespace, and only a job this cluster initiates lists its partners.
      const domains = s.tasks.flatMap((task) => task.parties.map((p) => t.get(DOMAIN, "", p.domainID)));
      if (SELF_AS_INITIATOR in s.annotations && !domains.some((d) => d !== undefined && d.role !== PARTNER)) return [];
      const init = s.initiator ? t.get(DOMAIN, "", s.initiator) : undefined;
      if (!init || init.role === PARTNER) return [];
      const seen = new Set<string>();
      const partners: { party: PartySubject; protocol: string }[] = [];
      for (const task of s.tasks) {
        for (const p of task.parties) {
          if (seen.has(p.domainID)) continue;
          seen.add(p.domainID);
          const d = t.get(DOMAIN, "", p.domainID);
          if (d?.role === PARTNER) partners.push({ party: p, protocol: d.protocol === "bfia" ? "bfia" : "kuscia" });
        }
      }
      const first = partners[0];
      const other = partners.find((x) => x.protocol !== first?.protocol);
      if (!first || !other) return [];
      const consequence = ctx.kusciaVersion.atLeast("v0.15")
        ? `a job's partners must all use one protocol: the KusciaJob controller keeps the job Initialized and retries ("can't create a job with partners using both bfia and kuscia protocol")`
        : `a job's partners must all use one protocol: Kuscia ${ctx.kusciaVersion.name} lists them under both protocols' annotations, which it does not support (from v0.15 it refuses such a job)`;
      return [
        {
          path: [...other.party.path, "domainID"],
          message: `Domain ${q(other.party.domainID)} is a partner using the interconnection protocol ${other.protocol}, while partner ${q(first.party.domainID)} uses ${first.protocol}; ${consequence}`,
        },
      ];
    },
  } satisfies PreflightRule<JobSubject>,
  {
    id: "ref.kj.route",
    from: KJ,
    vap: { unexpressible: NO_CEL.reference },
    needs: [DOMAIN, CDR],
    uses: [DR],
    summary: "the ClusterDomainRoute between each two parties of a task is Ready, and no DomainRoute between them reports its destination unreachable",
    source: `pkg/controllers/kusciatask/plugins/clusterdomainroute_plugin.go: CDRCheckPlugin.Permit (every <source>-<destination> ClusterDomainRoute between the task's domains must have condition Ready True, from v1.0), called by ${PENDING}: createTaskResources; pkg/gateway/controller/check_healthy.go: markDestUnreachable (DomainRoute status.isDestinationUnreachable)`,
    subject: jobSubject,
    paths: (s: JobSubject) => s.tasks.flatMap((t) => t.parties.map((p) => [...p.path, "domainID"])),
    check(s: JobSubject, t, ctx) {
      const out: PreflightFinding[] = [];
      const reported = new Set<string>();
      for (const task of s.tasks) {
        const first = new Map<string, PartySubject>();
        for (const p of task.parties) if (!first.has(p.domainID)) first.set(p.domainID, p);
        // The plugin runs in the cluster that creates a party's pods: one with a local party.
        if (![...first.keys()].some((d) => { const f = t.get(DOMAIN, "", d); return f !== undefined && f.role !== PARTNER; })) continue;
        for (const src of first.keys()) {
          for (const [dst, party] of first) {
            const name = `${src}-${dst}`;
            if (src === dst || reported.has(name)) continue;
            const cdr = t.get(CDR, "", name);
            const ready = cdr?.ready as { status: string; reason: string } | undefined;
            let message: string | undefined;
            if (ready && ready.status !== "True") {
              const reason = ready.reason || "no reason given";
              message = ctx.kusciaVersion.atLeast("v1.0")
                ? `the ClusterDomainRoute ${q(name)} is not Ready (${reason}); the KusciaTask controller creates none of the task's pods until it is (KusciaTaskCreateFailed: "cdr-check ${src} to ${dst} failed with ${ready.reason}")`
                : `the ClusterDomainRoute ${q(name)} is not Ready (${reason}); the task's pods cannot reach ${q(dst)} through the gateway until it is`;
            } else if (!cdr && t.complete(DR) && t.get(DR, src, name)?.unreachable === true) {
              message = `the DomainRoute ${q(`${src}/${name}`)} reports its destination unreachable (status.isDestinationUnreachable, from the gateway's health check); the task's pods cannot reach ${q(dst)} until it recovers`;
            }
            if (!message) continue;
            reported.add(name);
            out.push({ path: [...party.path, "domainID"], message });
          }
        }
      }
      return out;
    },
  } satisfies PreflightRule<JobSubject>,
  {
    id: "ref.kj.quota",
    from: KJ,
    vap: { unexpressible: NO_CEL.reference },
    needs: [DOMAIN, APPIMAGE],
    uses: [QUOTA],
    summary: "each task fits the ResourceQuotas of its local parties' namespaces (pods, CPU, memory), including the one Kuscia makes from the Domain's spec.resourceQuota.podMaxCount",
    source: `pkg/controllers/domain/resource_quota.go: makeResourceQuota (ResourceQuota "resource-limitation", hard pods = spec.resourceQuota.podMaxCount); ${PENDING}: buildPartyKitInfo (the template's replicas), createResourceForParty (the pods, refused by the API server's ResourceQuota admission: "exceeded quota"); ${SCHEDULER}: buildPartyTemplate and pkg/utils/resources/common.go: SplitRSC (a party's resources split over its containers and replicas)`,
    subject: jobSubject,
    paths: (s: JobSubject) => s.tasks.flatMap((t) => t.parties.map((p) => [...p.path, "domainID"])),
    check(s: JobSubject, t) {
      const out: PreflightFinding[] = [];
      for (const task of s.tasks) {
        const templates = task.appImage ? templatesOf(t.get(APPIMAGE, "", task.appImage)) : undefined;
        if (!templates) continue;
        // Demand per local namespace (the domain ID), in party order.
        const byDomain = new Map<string, { first: PartySubject; demand: Demand; podMaxCount?: number }>();
        for (const p of task.parties) {
          const d = t.get(DOMAIN, "", p.domainID);
          if (!d || d.role === PARTNER) continue; // a partner's pods run in its own cluster
          const tpl = selectDeployTemplate(templates, p.role);
          if (!tpl) continue; // ref.kj.deploy-template
          const cur = byDomain.get(p.domainID);
          const demand = partyDemand(tpl, p);
          byDomain.set(p.domainID, cur ? { ...cur, demand: addDemand(cur.demand, demand) } : { first: p, demand, podMaxCount: typeof d.podMaxCount === "number" ? d.podMaxCount : undefined });
        }
        for (const [ns, { first, demand, podMaxCount }] of byDomain) {
          const quotas = t.complete(QUOTA) ? t.list(QUOTA, ns) : [];
          // The quota the domain controller makes, when it is not among those listed (review of files, an unlisted kind).
          if (podMaxCount !== undefined && !quotas.some(([name]) => name === KUSCIA_QUOTA)) quotas.push([KUSCIA_QUOTA, { hard: { pods: String(podMaxCount) }, scoped: false }]);
          for (const [name, f] of quotas) {
            if (f.scoped) continue; // applies to some pods only: not evaluated
            const hard = (f.hard ?? {}) as Record<string, string>;
            for (const key of QUOTA_KEYS) {
              if (hard[key] === undefined) continue;
              const limit = parseQuantity(hard[key]);
              const need = demand[QUOTA_DEMAND[key]];
              if (limit === undefined || need === undefined || need <= limit + 1e-9) continue;
              const kuscia = name === KUSCIA_QUOTA && (key === "pods" || key === "count/pods") ? `, which Kuscia makes from Domain ${q(ns)}'s spec.resourceQuota.podMaxCount` : "";
              out.push({
                path: [...first.path, "domainID"],
                message: `the task needs ${formatDemand(QUOTA_DEMAND[key], need)} in namespace ${q(ns)}, above its ResourceQuota ${q(name)} (hard ${key}: ${hard[key]}${kuscia}); the API server refuses the pods beyond it ("exceeded quota"), so the KusciaTask controller cannot create the task's resources (KusciaTaskCreateFailed)`,
              });
            }
          }
        }
      }
      return out;
    },
  } satisfies PreflightRule<JobSubject>,
];

const KUSCIA_QUOTA = "resource-limitation";
