/**
 * `kuscia-iac test --frontend vap --kubeconfig F`: each case through the API server's own
 * CEL, with no webhook: the ValidatingAdmissionPolicies of `kuscia-iac vap` and, where the
 * server has them, the MutatingAdmissionPolicies of the defaults, generated for the case's
 * policy configuration and clock and installed in the cluster the kubeconfig names. Each case
 * is a server-side dry run (`?dryRun=All`): nothing is stored but the old object of an UPDATE,
 * created for the case and deleted after it.
 *
 * Meant for a throwaway cluster (kind, the e2e API server): it installs policies named
 * `kuscia-iac-test-<run>.*`, creates the namespaces the cases need and the old objects of
 * UPDATE cases, and removes all of them at the end. Old objects carry a label the generated
 * policies leave alone (one matchCondition added for the run), so an old object that breaks a
 * rule can be stored, as one stored before the policies were.
 *
 * What the API server shows, and so what is compared: whether it refuses, with the first
 * refusing policy's rule only (it stops at the first ValidatingAdmissionPolicy that denies);
 * the warnings of rules at `warn`; the object after mutation. Only rules with a CEL form are
 * compared (`kuscia-iac vap --list` says why the others have none). Not shown, not compared:
 * audit records and exceptions (the policies' Audit action writes to the API server's audit
 * log). Not applicable: DELETE (the policies match CREATE and UPDATE), a case the API server
 * refuses by itself before any policy (its CRD schema, object names), and a requester the
 * cluster's RBAC does not let create the object.
 */
import { randomBytes } from "node:crypto";
import { deliverObject } from "../../policy";
import { CEL_RULES } from "../../policy/vap";
import type { PatchOperation } from "../../policy/types";
import { ApiError, apiBase, connect, KubeClient, type KubeOptions } from "../../audit/kube";
import { checkKubeVersion, generateVap, pluralOf } from "../../vap/generate";
import { generateMutating, mutatingApiVersion } from "../../vap/mutating";
import type { TestCase } from "../load";
import { observeBook, outcomeOf, sortedSet, type Observation } from "../observe";
import type { FrontendView } from "../compare";
import type { Frontend } from "./types";
import { patchedObject } from "./pack";
import type { Operation } from "fast-json-patch";

type Obj = Record<string, unknown>;

const RUN_LABEL = "kuscia-iac.secretflow/test-run";
const FIXTURE_LABEL = "kuscia-iac.secretflow/test-fixture";
const PROBE_LABEL = "kuscia-iac.secretflow/test-probe";
const PROBE_ANNOTATION = "kuscia-iac.secretflow/test-probe-mutated";
const POLICY_DENIED = /ValidatingAdmissionPolicy '([^']+)' with binding '[^']+' denied request: /;

export interface VapFrontendOptions extends KubeOptions {
  /** Emit v1beta1 MutatingAdmissionPolicies on 1.34-1.35 (the server enables the gate). */
  mutatingBeta?: boolean;
  /** How long to wait for installed policies to take effect, in ms (default 60 s). */
  settleMs?: number;
  /** Progress and notes, one line each. */
  log?: (line: string) => void;
}

/** The fields a mutation may touch, as compared after admission (the API server adds metadata). */
function payload(o: unknown): Obj {
  const x = (o ?? {}) as Obj;
  return { ...(x.spec !== undefined ? { spec: x.spec } : {}), ...(x.data !== undefined ? { data: x.data } : {}) };
}

export class VapFrontend implements Frontend {
  readonly name = "vap";
  readonly view: FrontendView;
  private readonly run = randomBytes(4).toString("hex");
  private group?: { key: string; prefix: string };
  private groups = 0;
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly createdNamespaces: string[] = [];
  private readonly knownNamespaces = new Set<string>();

  private constructor(
    private readonly client: KubeClient,
    private readonly kube: { major: number; minor: number },
    private readonly mutating: boolean,
    private readonly o: VapFrontendOptions,
  ) {
    this.view = { rules: new Set(CEL_RULES.map((c) => c.rule)), firstViolationOnly: true, existingSilent: true, sees: new Set(["violations", "warnings"]), patch: mutating ? "object" : "none" };
  }

  /** Connects to the cluster and reads its version. Throws ConfigError, or an Error when it cannot be reached or has no ValidatingAdmissionPolicy v1. */
  static async connect(o: VapFrontendOptions): Promise<VapFrontend> {
    const client = connect(o);
    const v = await client.request("GET", "/version");
    const kube = checkKubeVersion(`${String(v.major).replace(/\D/g, "")}.${String(v.minor).replace(/\D/g, "")}`);
    const mutating = mutatingApiVersion(kube, o.mutatingBeta) !== undefined;
    const f = new VapFrontend(client, kube, mutating, o);
    o.log?.(`vap: ${client.server} runs Kubernetes ${kube.major}.${kube.minor}; ${mutating ? "the defaults as MutatingAdmissionPolicies are compared too" : "no MutatingAdmissionPolicy there: the defaults are not compared (the webhook fills them)"}`);
    return f;
  }

  private idOf(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }

  groupKey(c: TestCase): string {
    return `${this.idOf(c.config)}/${c.now?.getTime() ?? "-"}`;
  }

  /** Installs the policies for the case's configuration and clock (removing the previous set), and waits until they are in force. */
  private async install(c: TestCase): Promise<string> {
    const key = this.groupKey(c);
    if (this.group?.key === key) return this.group.prefix;
    if (this.group) await this.uninstall(this.group.prefix);
    const prefix = `kuscia-iac-test-${this.run}-${++this.groups}`;
    const kubeVersion = `${this.kube.major}.${this.kube.minor}`;
    const vap = generateVap({ config: c.config, kubeVersion, now: c.now, namePrefix: prefix });
    const map = this.mutating ? generateMutating({ config: c.config, kube: this.kube, beta: this.o.mutatingBeta, namePrefix: prefix }) : { objects: [] as Obj[], apiVersion: undefined };
    // Old objects of UPDATE cases (labelled for the run) are stored past the policies.
    const notFixture = { name: "not-a-kuscia-iac-test-fixture", expression: `!(has(object.metadata.labels) && ${JSON.stringify(FIXTURE_LABEL)} in object.metadata.labels && object.metadata.labels[${JSON.stringify(FIXTURE_LABEL)}] == '${this.run}')` };
    const objects: Obj[] = [...vap.objects, ...map.objects].map((x) => {
      const o = JSON.parse(JSON.stringify(x)) as Obj & { metadata: Obj & { labels?: Record<string, string> }; spec: Obj };
      o.metadata.labels = { ...(o.metadata.labels ?? {}), [RUN_LABEL]: this.run };
      if (/AdmissionPolicy$/.test(String(o.kind))) o.spec.matchConditions = [...((o.spec.matchConditions as Obj[] | undefined) ?? []), notFixture];
      return o;
    });
    objects.push(...this.probe(prefix, map.apiVersion));
    for (const o of objects) await this.client.request("POST", `${apiBase(String(o.apiVersion))}/${pluralOf(String(o.kind))}`, o);
    await this.waitFor(`the policies of ${prefix} to take effect`, async () => (await this.probeDenied(prefix)) === true);
    this.group = { key, prefix };
    return prefix;
  }

  /** A policy (and with mutation, a mutating one) that refuses the run's probe ConfigMap: the last installed, so in force means all are. */
  private probe(prefix: string, mapVersion: string | undefined): Obj[] {
    const labels = { [RUN_LABEL]: this.run };
    const match = { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }], objectSelector: { matchLabels: { [PROBE_LABEL]: prefix } } };
    const name = `${prefix}.probe`;
    const out: Obj[] = [];
    if (mapVersion) {
      out.push(
        { apiVersion: mapVersion, kind: "MutatingAdmissionPolicy", metadata: { name, labels }, spec: { failurePolicy: "Fail", reinvocationPolicy: "Never", matchConstraints: match, mutations: [{ patchType: "JSONPatch", jsonPatch: { expression: `[JSONPatch{op: 'add', path: '/metadata/annotations', value: {${JSON.stringify(PROBE_ANNOTATION)}: 'yes'}}]` } }] } },
        { apiVersion: mapVersion, kind: "MutatingAdmissionPolicyBinding", metadata: { name, labels }, spec: { policyName: name } },
      );
    }
    const mutated = mapVersion ? `has(object.metadata.annotations) && ${JSON.stringify(PROBE_ANNOTATION)} in object.metadata.annotations` : "true";
    out.push(
      { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name, labels }, spec: { failurePolicy: "Fail", matchConstraints: match, validations: [{ expression: `!(${mutated})`, message: "kuscia-iac test probe" }] } },
      { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name, labels }, spec: { policyName: name, validationActions: ["Deny"] } },
    );
    return out;
  }

  private async probeDenied(prefix: string): Promise<boolean> {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "kuscia-iac-test-probe-", namespace: "default", labels: { [PROBE_LABEL]: prefix } } };
    const r = await this.client.exchange("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", cm);
    return r.status >= 400 && String(r.json.message ?? "").includes("kuscia-iac test probe");
  }

  private async waitFor(what: string, ok: () => Promise<boolean>): Promise<void> {
    const until = Date.now() + (this.o.settleMs ?? 60_000);
    let delay = 100;
    while (!(await ok())) {
      if (Date.now() > until) throw new Error(`vap: gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }

  private async uninstall(prefix: string): Promise<void> {
    const selector = encodeURIComponent(`${RUN_LABEL}=${this.run}`);
    const kinds: [string, string][] = [
      ["admissionregistration.k8s.io/v1", "validatingadmissionpolicybindings"],
      ["admissionregistration.k8s.io/v1", "validatingadmissionpolicies"],
    ];
    const map = mutatingApiVersion(this.kube, this.o.mutatingBeta);
    if (map) kinds.push([map, "mutatingadmissionpolicybindings"], [map, "mutatingadmissionpolicies"]);
    for (const [v, r] of kinds) await this.client.request("DELETE", `${apiBase(v)}/${r}?labelSelector=${selector}`).catch((e) => { if (!(e instanceof ApiError && e.status === 404)) throw e; });
    // Gone from the API server's informers when the probe passes again.
    await this.waitFor(`the policies of ${prefix} to be removed`, async () => (await this.probeDenied(prefix)) === false);
  }

  private async ensureNamespace(ns: string): Promise<void> {
    if (this.knownNamespaces.has(ns)) return;
    const r = await this.client.exchange("GET", `/api/v1/namespaces/${encodeURIComponent(ns)}`);
    if (r.status === 404) {
      const made = await this.client.exchange("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { [RUN_LABEL]: this.run } } });
      if (made.status >= 300 && made.status !== 409) throw new Error(`vap: cannot create namespace ${ns}: ${String(made.json.message ?? made.status)}`);
      if (made.status < 300) this.createdNamespaces.push(ns);
    }
    this.knownNamespaces.add(ns);
  }

  expectedObject(c: TestCase, patch: readonly PatchOperation[]): unknown {
    return payload(patchedObject(deliverObject(c.object), patch as Operation[]));
  }

  async observe(c: TestCase): Promise<(Observation & { patched?: unknown }) | { notApplicable: string }> {
    if (c.operation === "DELETE") return { notApplicable: "the policies match CREATE and UPDATE only" };
    if (c.kubernetesVersion) {
      const want = checkKubeVersion(c.kubernetesVersion);
      if (want.major !== this.kube.major || want.minor !== this.kube.minor) return { notApplicable: `the case is for Kubernetes ${want.major}.${want.minor}, the cluster runs ${this.kube.major}.${this.kube.minor}` };
    }
    const apiVersion = String(c.object.apiVersion);
    const resource = await this.client.resource(apiVersion, String(c.object.kind));
    if (!resource) return { notApplicable: `the cluster does not serve ${apiVersion} ${String(c.object.kind)}: install its CRD (crds/)` };
    const prefix = await this.install(c);
    const meta = (c.object.metadata ?? {}) as Obj;
    const ns = resource.namespaced ? (typeof meta.namespace === "string" ? meta.namespace : "default") : undefined;
    if (ns) await this.ensureNamespace(ns);
    const collection = KubeClient.collection(apiVersion, resource, ns);
    const headers = this.impersonation(c);
    let response;
    if (c.operation === "CREATE") {
      response = await this.client.exchange("POST", `${collection}?dryRun=All&fieldManager=kuscia-iac-test`, c.object, headers);
    } else {
      const old = c.oldObject!;
      const name = String(meta.name ?? "");
      const oldMeta = (old.metadata ?? {}) as Obj & { labels?: Record<string, string> };
      const fixture = { ...old, metadata: { ...oldMeta, name, ...(ns ? { namespace: ns } : {}), labels: { ...(oldMeta.labels ?? {}), [FIXTURE_LABEL]: this.run } } };
      await this.client.exchange("DELETE", `${collection}/${encodeURIComponent(name)}`);
      const stored = await this.client.exchange("POST", `${collection}?fieldManager=kuscia-iac-test`, fixture);
      if (stored.status >= 300) return { notApplicable: `the API server would not store the old object: ${String(stored.json.message ?? stored.status).split("\n")[0]}` };
      try {
        const rv = ((stored.json.metadata ?? {}) as Obj).resourceVersion;
        const body = { ...c.object, metadata: { ...meta, ...(ns ? { namespace: ns } : {}), resourceVersion: rv } };
        response = await this.client.exchange("PUT", `${collection}/${encodeURIComponent(name)}?dryRun=All&fieldManager=kuscia-iac-test`, body, headers);
      } finally {
        await this.client.exchange("DELETE", `${collection}/${encodeURIComponent(name)}`);
      }
    }
    const ruleOf = (text: string) => /\[([^\]\s]+)\]$/.exec(text)?.[1];
    const warnings = response.warnings.filter((w) => w.includes(`'${prefix}.`)).map(ruleOf).filter((x): x is string => !!x);
    if (response.status < 300) {
      return { outcome: outcomeOf({ violations: [], warnings, audits: [] }), violations: [], warnings: sortedSet(warnings), audits: [], exceptions: [], patch: [], messages: response.warnings.slice(0, 5), patched: payload(response.json) };
    }
    const message = String(response.json.message ?? "");
    if (response.status === 403 && !POLICY_DENIED.test(message)) return { notApplicable: `the cluster's RBAC refuses the requester: ${message.split("\n")[0]}` };
    const denied = POLICY_DENIED.exec(message);
    if (denied && denied[1].startsWith(`${prefix}.`)) {
      const rule = denied[1].slice(prefix.length + 1);
      return { outcome: "refused", violations: [rule], warnings: sortedSet(warnings), audits: [], exceptions: [], patch: [], messages: [message] };
    }
    // Another policy of the cluster (not this run's): a disagreement, named.
    if (denied) return { outcome: "refused", violations: [`(policy ${denied[1]}, not installed by this run)`], warnings: sortedSet(warnings), audits: [], exceptions: [], patch: [], messages: [message] };
    // Refused by the API server itself (its CRD schema, object names) or by a mutation that failed.
    if (!/MutatingAdmissionPolicy/.test(message) && observeBook(c).outcome === "refused") return { notApplicable: `the API server refuses it by itself, before the policies (the rule book refuses it too): ${message.split("\n")[0]}` };
    return { outcome: "refused", violations: ["(api-server)"], warnings: sortedSet(warnings), audits: [], exceptions: [], patch: [], messages: [message] };
  }

  /** Who the request comes from: the case's requester, or (when the configuration exempts requesters) a fixed one it does not name. */
  private impersonation(c: TestCase): Record<string, string | string[]> {
    const u = c.userInfo ?? (c.config.document.exemptRequesters ? { username: "kuscia-iac-test", groups: ["system:masters"] } : undefined);
    if (!u) return {};
    return { ...(u.username ? { "Impersonate-User": u.username } : {}), ...(u.groups?.length ? { "Impersonate-Group": u.groups } : {}) };
  }

  async close(): Promise<void> {
    if (this.group) await this.uninstall(this.group.prefix);
    this.group = undefined;
    for (const ns of this.createdNamespaces.splice(0)) await this.client.exchange("DELETE", `/api/v1/namespaces/${encodeURIComponent(ns)}`);
  }
}
