/**
 * Kuscia's own controllers as the oracle of the expansion. The controllers, built from
 * Kuscia's source (test/e2e/tools/kuscia/controllers), run against two e2e API servers:
 * "gated", behind this project's webhook (objects as the API server stores them with the
 * mission's defaults), and "bare", without it. Each scenario applies the same inputs to both
 * and gives them to `kuscia-iac render`; the components in their default `emit: native` mode
 * are run through a real Pulumi engine into a third API server. Every object Kuscia creates
 * and every object the product makes are normalised (test/helpers/oracle.ts) and compared one
 * by one: render with gated ("render"), render with bare ("bare"), components with gated
 * ("pulumi"). A difference not listed as deliberate in docs/upstream-oracle.md fails, and so
 * does a listed one that no longer shows. Every object Kuscia creates is also reviewed by the
 * rule book: the webhook must never stand in the way of Kuscia's own controllers.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { startCluster, type Cluster } from "./harness/cluster";
import { startGatedCluster, type Gated } from "./harness/gated";
import { kusciaControllersBin, startKusciaControllers } from "./harness/kuscia";
import { waitFor, type Proc } from "./harness/procs";
import { pulumiEnv, skipAwait, type PulumiEnv } from "./harness/pulumi";
import { REPO, toolsDir } from "./harness/tools";
import { makeCert } from "../helpers/certs";
import {
  compareSets,
  documenting,
  keyOf,
  normalise,
  parseDeliberate,
  type Comparison,
  type Deliberate,
  type Difference,
  type KubeObject,
} from "../helpers/oracle";
import { runRender } from "../../cli/render";
import { ROUTE_UID_PLACEHOLDER } from "../../policy/expand";
import { JOB_UID_PLACEHOLDER } from "../../policy/expand/kusciajob";
import { review } from "../../policy";
import { AppImage, Domain, InteropConfig, KusciaDeployment } from "../../components";

const KUSCIA = "kuscia.secretflow/v1alpha1";
/** The field manager of every write of kuscia-controllers (client-go names it after the binary). */
const MANAGER = "kuscia-controllers";
const DOCS = path.join(REPO, "docs", "upstream-oracle.md");
/** Kinds collected from the API servers: what Kuscia's controllers write. */
const KINDS = [
  "namespaces",
  "serviceaccounts",
  "roles.rbac.authorization.k8s.io",
  "rolebindings.rbac.authorization.k8s.io",
  "clusterrolebindings.rbac.authorization.k8s.io",
  "configmaps",
  "resourcequotas",
  "services",
  "deployments.apps",
  "pods",
  ...[
    "domains", "domainroutes", "clusterdomainroutes", "interopconfigs", "kusciadeployments", "kusciadeploymentsummaries", "kusciajobs",
    "kusciajobsummaries", "kusciatasks", "kusciatasksummaries", "taskresourcegroups", "taskresources", "domaindatas", "domaindatagrants", "gateways",
  ].map((k) => `${k}.kuscia.secretflow`),
].join(",");

type Obj = KubeObject;
const meta = (o: Obj) => o.metadata;

/** The objects of one scenario as each side made them. */
interface Sides {
  /** What Kuscia's controllers made behind the webhook, and without it. */
  gated: Obj[];
  bare: Obj[];
  /** render's objects; renderBare where the bare cluster is another node with its own view (interop). */
  render: Obj[];
  renderBare?: Obj[];
  /** The components' objects, compared with gated (and pulumiBare with bare). */
  pulumi?: Obj[];
  pulumiBare?: Obj[];
}

interface Counts {
  compared: number;
  identical: number;
  deliberate: number;
}

describe("Kuscia's own controllers as the oracle of render and the components", function () {
  this.timeout(600_000);
  let gated: Gated;
  let bare: Cluster;
  let prod: Cluster;
  let env: PulumiEnv;
  const procs: Proc[] = [];
  let deliberate: Deliberate[];
  const observed: Difference[] = [];
  /** Per scenario, per comparison. */
  const counts = new Map<string, Map<Comparison, Counts>>();
  let uids = new Set<string>();
  /** Keys each side had before the scenario: a scenario owns what appears during it. */
  const seen = { gated: new Set<string>(), bare: new Set<string>(), render: new Set<string>(), renderBare: new Set<string>() };
  const inputKeys = new Set<string>();
  const certs: Record<string, string> = {};
  let work: string;

  before(async function () {
    this.timeout(0); // cold builds of the tools take many minutes; later runs hit the cache
    deliberate = parseDeliberate(readFileSync(DOCS, "utf8"));
    const ctl = kusciaControllersBin();
    const pulumiBin = toolsDir("pulumi");
    work = mkdtempSync(path.join(tmpdir(), "kuscia-iac-oracle-"));
    [gated, bare, prod] = await Promise.all([startGatedCluster([]), startCluster(toolsDir("kube")), startCluster(toolsDir("kube"))]);
    await prod.kubectlOk(["create", "namespace", DRY_RUN_NS]);
    // alice's node (gated) and mia's (bare); mia reaches its interop host hana on the gated API server.
    procs.push(await startKusciaControllers(ctl, gated.cluster.kubeconfig, { domain: "alice", interconn: true, logFile: path.join(work, "gated.log") }));
    procs.push(await startKusciaControllers(ctl, bare.kubeconfig, { domain: "mia", interconn: true, hosts: { hana: gated.cluster.kubeconfig }, logFile: path.join(work, "bare.log") }));
    for (const side of ["gated", "bare"] as const) for (const o of await kusciaObjects(cluster(side))) seen[side].add(keyOf(o));
    for (const d of ["alice", "bob", "carol", "dave", "erin", "hana", "mia"]) certs[d] = (await makeCert({ cn: d })).certB64;
    env = await pulumiEnv(pulumiBin, prod.kubeconfig);
  });

  after(async function () {
    this.timeout(600_000);
    for (const p of procs.reverse()) await p.stop();
    await gated?.stop();
    await bare?.stop();
    await prod?.stop();
    env?.cleanup();
    // Objects compared per scenario and comparison: identical, or differing only as docs/upstream-oracle.md lists.
    for (const [scenario, per] of counts) {
      const parts = [...per].map(([c, n]) => `${c}: ${n.compared} compared, ${n.identical} identical, ${n.deliberate} with documented differences only`);
      console.log(`      upstream oracle: ${scenario}: ${parts.join("; ")}`);
    }
  });

  const cluster = (side: "gated" | "bare"): Cluster => (side === "gated" ? gated.cluster : bare);
  const getJson = async (c: Cluster, args: string[]) => JSON.parse(await c.kubectlOk(["get", ...args, "-o", "json"]));

  /** Every object of KINDS that kuscia-controllers wrote. */
  async function kusciaObjects(c: Cluster): Promise<Obj[]> {
    // kubectl hides managedFields unless asked.
    const all = (await getJson(c, [KINDS, "-A", "--show-managed-fields"])).items as Obj[];
    uids = new Set([...uids, ...all.map((o) => meta(o).uid!).filter(Boolean)]);
    return all.filter((o) => ((meta(o).managedFields as { manager?: string }[] | undefined) ?? []).some((f) => f.manager === MANAGER));
  }

  /** Applies `inputs` to both clusters (through the webhook on the gated one). */
  async function applyBoth(inputs: Obj[]): Promise<void> {
    for (const o of inputs) inputKeys.add(keyOf(o));
    const list = stringify({ apiVersion: "v1", kind: "List", items: inputs });
    await gated.cluster.kubectlOk(["apply", "-f", "-"], list);
    await bare.kubectlOk(["apply", "-f", "-"], list);
  }

  /** What kuscia-controllers created on `side` since the last call (inputs excluded), and the inputs it changed. */
  async function created(side: "gated" | "bare"): Promise<Obj[]> {
    const out: Obj[] = [];
    for (const o of await kusciaObjects(cluster(side))) {
      const k = keyOf(o);
      if (seen[side].has(k) || inputKeys.has(k)) continue;
      seen[side].add(k);
      out.push(o);
    }
    return out;
  }

  /** `kuscia-iac render` (JSON) of `docs`, with `context` documents it may need (AppImages, Domains); only objects new to this run. */
  async function render(name: string, docs: Obj[], context: Obj[] = [], side: "gated" | "bare" = "gated"): Promise<Obj[]> {
    // What render printed before, for the cluster it stands for (each cluster has its own history).
    const printed = side === "gated" ? seen.render : seen.renderBare;
    const file = path.join(work, `${name}.yaml`);
    writeFileSync(file, [...context, ...docs].map((d) => stringify(d)).join("---\n"));
    let stdout = "";
    let stderr = "";
    const code = await runRender([file], { format: "json" }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    assert.equal(code, 0, `render ${name}: ${stderr}`);
    const contextKeys = new Set(context.map(keyOf));
    const items = (JSON.parse(stdout).items as Obj[]).filter((o) => !contextKeys.has(keyOf(o)) && !printed.has(keyOf(o)));
    for (const o of items) printed.add(keyOf(o));
    return items;
  }

  /**
   * The objects as the API server would store them: a server-side dry-run create on the product
   * cluster under scratch names (so nothing collides and nothing is kept), then renamed back.
   */
  async function asStored(objs: Obj[]): Promise<Obj[]> {
    if (objs.length === 0) return [];
    // render's placeholders (<job uid>, <job>-<generated>) are not valid names or label values: stand-ins for the round trip.
    const dummyUid = "00000000-0000-4000-8000-000000000000";
    uids.add(dummyUid);
    const renamed = objs.map((o, i) => {
      const c = JSON.parse(JSON.stringify(o).replaceAll(JOB_UID_PLACEHOLDER, dummyUid).replaceAll(ROUTE_UID_PLACEHOLDER, dummyUid)) as Obj;
      if (c.metadata.namespace) c.metadata.namespace = DRY_RUN_NS;
      c.metadata.name = `${DRY_RUN_NS}-${i}`;
      return c;
    });
    const out = await prod.kubectlOk(["create", "--dry-run=server", "-o", "json", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: renamed }));
    return jsonStream(out).map((o, i) => {
      const orig = objs[i];
      o.metadata.name = orig.metadata.name;
      if (orig.metadata.namespace) o.metadata.namespace = orig.metadata.namespace;
      if (o.kind === "Namespace" && o.metadata.labels) o.metadata.labels["kubernetes.io/metadata.name"] = orig.metadata.name;
      return o;
    });
  }

  /** Compares one scenario's sides and records every difference. */
  function compare(scenario: string, s: Sides): void {
    const n = (objs: Obj[]) => objs.map((o) => normalise(o, uids));
    const runs: [Comparison, Obj[], Obj[] | undefined][] = [
      ["render", s.gated, s.render],
      ["bare", s.bare, s.renderBare ?? s.render],
      ["pulumi", s.gated, s.pulumi],
      ["pulumi", s.bare, s.pulumiBare],
    ];
    for (const [comparison, upstream, product] of runs) {
      if (!product) continue;
      const r = compareSets(scenario, comparison, n(upstream), n(product));
      const perScenario = counts.get(scenario) ?? new Map<Comparison, Counts>();
      counts.set(scenario, perScenario);
      const c = perScenario.get(comparison) ?? { compared: 0, identical: 0, deliberate: 0 };
      c.compared += r.compared;
      c.identical += r.identical;
      for (const ds of r.byObject.values()) if (ds.length > 0 && ds.every((d) => documenting(d, deliberate))) c.deliberate++;
      perScenario.set(comparison, c);
      observed.push(...r.differences);
    }
  }

  /** Fails on differences of `scenario` that the docs page does not list as deliberate. */
  function assertDocumented(scenario: string): void {
    const undocumented = observed.filter((d) => d.scenario === scenario && !documenting(d, deliberate));
    assert.deepEqual(
      undocumented.map((d) => `| \`${d.object}\` | \`${d.field}\` | ${d.comparison} | ${d.detail ?? ""} |`),
      [],
      `differences from Kuscia's controllers not listed in docs/upstream-oracle.md under "## ${scenario}" (fix the expansion, or list them with their reason)`,
    );
  }

  /** Every object Kuscia's controllers created passes the rule book (the webhook must never block them). */
  function assertAdmitted(objs: Obj[]): void {
    const refused = objs.flatMap((o) => review(o).violations.map((v) => `${keyOf(o)}: ${v.path}: ${v.message} [${v.rule}]`));
    assert.deepEqual(refused, [], "the rule book refuses objects Kuscia's own controllers create");
  }

  const waitObjects = (c: Cluster, what: string, keys: string[]) =>
    waitFor(what, async () => {
      const have = new Set((await kusciaObjects(c)).map(keyOf));
      return keys.every((k) => have.has(k));
    }, 120_000, 500);

  const statusPatch = (c: Cluster, resource: string, name: string, ns: string | undefined, status: unknown) =>
    c.kubectlOk(["patch", resource, name, ...(ns ? ["-n", ns] : []), "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);

  /** A schedulable Node of `domain`: the KusciaTask controller checks resources against its domain's nodes. */
  async function addNode(c: Cluster, domainId: string): Promise<void> {
    const name = `node-${domainId}`;
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const status = {
      capacity: { cpu: "8", memory: "16Gi", pods: "110" },
      allocatable: { cpu: "8", memory: "16Gi", pods: "110" },
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "e2e", lastHeartbeatTime: now, lastTransitionTime: now }],
    };
    // Created with its status in one request, as a kubelet registers a node (the API server keeps a
    // Node's status on create): Kuscia's NodeResourceManager takes a node's allocatable from the add
    // event only, since its update handler swaps the informer's (old, new) arguments and so keeps the
    // previous status (pkg/controllers/kusciatask/resource/node_resource_manager.go handleNodeUpdate).
    await c.kubectlOk(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kuscia.secretflow/namespace": domainId } }, status }));
    const stored = await getJson(c, ["node", name]);
    assert.deepEqual(stored.status?.allocatable, status.allocatable, `Node ${name} was stored without its status`);
  }

  /** Waits on `side` for every key render made and every documented upstream-only object of `scenario` named literally. */
  async function settle(side: "gated" | "bare", scenario: string, renderKeys: string[], extra: string[] = []): Promise<void> {
    const literal = deliberate.filter((d) => d.scenario === scenario && d.field === "(only upstream)" && !d.object.includes("*") && d.comparisons.includes(side === "gated" ? "render" : "bare")).map((d) => d.object);
    // Objects render makes that Kuscia does not (documented as such) are not waited for.
    const productOnly = (k: string) => documenting({ scenario, comparison: side === "gated" ? "render" : "bare", object: k, field: "(only product)" }, deliberate) !== undefined;
    const want = [...new Set([...renderKeys.filter((k) => !isInput(k) && !productOnly(k)), ...literal, ...extra])];
    let missing: string[] = want;
    await waitFor(`${side}: ${scenario}: ${want.join(", ")}`, async () => {
      const have = new Set((await kusciaObjects(cluster(side))).map(keyOf));
      missing = want.filter((k) => !have.has(k));
      return missing.length === 0;
    }, 120_000, 500).catch((e: Error) => {
      throw new Error(`${e.message}; still missing: ${missing.join(", ")}`);
    });
  }
  const isInput = (k: string) => inputKeys.has(k);

  /** The product's objects, and the inputs Kuscia rewrote (render prints a ClusterDomainRoute as it is), against what is stored. */
  async function storedInputs(side: "gated" | "bare", keys: string[]): Promise<Obj[]> {
    const out: Obj[] = [];
    for (const k of keys) {
      const [kind, ...rest] = k.split("/");
      const name = rest.pop()!;
      const ns = rest[0];
      const o = (await getJson(cluster(side), [`${kind.toLowerCase()}s.kuscia.secretflow`, name, ...(ns ? ["-n", ns] : [])])) as Obj;
      // The test applies its inputs with kubectl apply, which records them in this annotation; render never sees it.
      const ann = o.metadata.annotations;
      if (ann) {
        delete ann["kubectl.kubernetes.io/last-applied-configuration"];
        if (Object.keys(ann).length === 0) delete o.metadata.annotations;
      }
      out.push(o);
    }
    return out;
  }

  /** One scenario: apply, wait, render, collect, compare. */
  async function runScenario(o: {
    scenario: string;
    inputs: Obj[];
    bareInputs?: Obj[];
    context?: Obj[];
    bareContext?: Obj[];
    renderInputs?: Obj[];
    bareRenderInputs?: Obj[];
    pulumi?: Obj[];
    extraKeys?: string[];
    /** Keys to wait for on the bare cluster only. */
    bareExtraKeys?: string[];
    before?: () => Promise<void>;
    /** Runs on each side once the inputs are applied, before waiting for render's objects (plays the part of what is not running here). */
    afterApply?: (side: "gated" | "bare") => Promise<void>;
    /** Waits for the scenario's own signal that Kuscia is done, after the objects render expects exist. */
    ready?: (side: "gated" | "bare") => Promise<void>;
  }): Promise<Sides> {
    for (const x of o.inputs) inputKeys.add(keyOf(x));
    for (const x of o.bareInputs ?? []) inputKeys.add(keyOf(x));
    await o.before?.();
    await gated.cluster.kubectlOk(["apply", "-f", "-"], stringify({ apiVersion: "v1", kind: "List", items: o.inputs }));
    await bare.kubectlOk(["apply", "-f", "-"], stringify({ apiVersion: "v1", kind: "List", items: o.bareInputs ?? o.inputs }));
    for (const side of ["gated", "bare"] as const) await o.afterApply?.(side);
    const r = await render(o.scenario, o.renderInputs ?? o.inputs, o.context ?? []);
    const rb = o.bareRenderInputs || o.bareContext ? await render(`${o.scenario}-bare`, o.bareRenderInputs ?? o.renderInputs ?? o.inputs, o.bareContext ?? o.context ?? [], "bare") : undefined;
    // Without a render of its own, the bare cluster is shown by the gated one's.
    if (!rb) for (const x of r) seen.renderBare.add(keyOf(x));
    await settle("gated", o.scenario, r.map(keyOf), o.extraKeys);
    await settle("bare", o.scenario, (rb ?? r).map(keyOf), [...(o.extraKeys ?? []), ...(o.bareExtraKeys ?? [])]);
    for (const side of ["gated", "bare"] as const) await o.ready?.(side);
    const echo = (objs: Obj[]) => objs.filter((x) => isInput(keyOf(x)));
    return {
      gated: [...(await created("gated")), ...(await storedInputs("gated", echo(r).map(keyOf)))],
      bare: [...(await created("bare")), ...(await storedInputs("bare", echo(rb ?? r).map(keyOf)))],
      render: await asStored(r),
      renderBare: rb ? await asStored(rb) : undefined,
      pulumi: o.pulumi,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Inputs: small ones of our own, and upstream's own templates where they exist.
  // ------------------------------------------------------------------------------------------

  const domain = (name: string, spec: Record<string, unknown>): Obj => ({ apiVersion: KUSCIA, kind: "Domain", metadata: { name }, spec });
  const domainsInputs = (): Obj[] => [
    // local; no interConnProtocols (the webhook adds [kuscia]); a pod quota
    domain("alice", { resourceQuota: { podMaxCount: 10 } }),
    // a peer-to-peer partner, as add_domain.sh writes it
    domain("bob", { role: "partner", cert: certs.bob, interConnProtocols: ["kuscia"] }),
    // local with authCenter: Kuscia adds a route to its node's domain, with a token it mints
    domain("carol", { interConnProtocols: ["kuscia"], authCenter: { authenticationType: "Token", tokenGenMethod: "RSA-GEN" } }),
    // a partner behind another master (lite)
    domain("dave", { role: "partner", cert: certs.dave, interConnProtocols: ["kuscia"], master: "bob" }),
    // a BFIA partner
    domain("erin", { role: "partner", cert: certs.erin, interConnProtocols: ["bfia"] }),
    // local, with neither quota nor routes (a KusciaJob's second party: no route to wait for)
    domain("frank", { interConnProtocols: ["kuscia"] }),
  ];

  const servingImage: Obj = {
    apiVersion: KUSCIA,
    kind: "AppImage",
    metadata: { name: "serving-image" },
    spec: {
      image: { name: "secretflow/serving-anolis8", tag: "0.8.0", id: "sha256:0123" },
      configTemplates: { "serving-config.conf": '{"serving_id": "{{.SERVING_ID}}", "input_config": "{{.INPUT_CONFIG}}", "cluster_def": "{{.CLUSTER_DEFINE}}", "allocated_ports": "{{.ALLOCATED_PORTS}}"}' },
      deployTemplates: [{
        name: "serving",
        replicas: 1,
        spec: {
          restartPolicy: "Always",
          containers: [{
            name: "serving",
            command: ["sh", "-c", "./secretflow_serving --config_mode=kuscia"],
            workingDir: "/root/sf_serving",
            configVolumeMounts: [{ mountPath: "/etc/kuscia/serving-config.conf", subPath: "serving-config.conf" }],
            env: [{ name: "LOG_LEVEL", value: "info" }],
            ports: [
              { name: "service", port: 53509, protocol: "HTTP", scope: "Cluster" },
              { name: "internal", port: 53510, protocol: "HTTP", scope: "Domain" },
              { name: "brpc-builtin", port: 53511, protocol: "HTTP", scope: "Domain" },
              { name: "metrics", port: 53512, protocol: "HTTP", scope: "Local" },
            ],
            metricProbe: { path: "/metrics", port: "metrics" },
            readinessProbe: { httpGet: { path: "/health", port: "brpc-builtin" } },
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
          }],
        },
      }],
    },
  };
  // Upstream's own dataproxy AppImage and KusciaDeployment (scripts/templates/app_image.dataproxy.yaml, dataproxy.yaml).
  const dataproxyImage: Obj = {
    apiVersion: KUSCIA,
    kind: "AppImage",
    metadata: { name: "dataproxy-image" },
    spec: {
      configTemplates: { "serving-config.conf": '{\n  "serving_id": "{{.SERVING_ID}}",\n  "allocated_ports": "{{.ALLOCATED_PORTS}}"\n}\n' },
      deployTemplates: [{
        name: "dataproxy",
        replicas: 1,
        spec: {
          containers: [{
            command: ["sh", "-c", "java ${JAVA_OPTS} -Dsun.net.http.allowRestrictedHeaders=true -jar --add-opens=java.base/java.nio=ALL-UNNAMED -Dspring.profiles.active=${SPRING_PROFILES_ACTIVE} ./dataproxy.jar"],
            configVolumeMounts: [{ mountPath: "/app/kuscia/serving-config.conf", subPath: "serving-config.conf" }],
            name: "dataproxy",
            ports: [{ name: "grpc", port: 8023, protocol: "GRPC", scope: "Domain" }],
            workingDir: "/app",
          }],
          restartPolicy: "Never",
        },
      }],
      image: { name: "secretflow/dataproxy", tag: "0.5.0" },
    },
  };
  const ports = (domainID: string, namedPort: Record<string, number>, role = "") => ({ domainID, role, namedPort });
  const kd = (name: string, labels: Record<string, string>, ann: unknown[], spec: Record<string, unknown>): Obj => ({
    apiVersion: KUSCIA,
    kind: "KusciaDeployment",
    metadata: { name, namespace: "cross-domain", labels, annotations: { "kuscia.secretflow/allocated-ports": JSON.stringify(ann) } },
    spec,
  });
  const servingKd = () =>
    kd("serving", { "kuscia.secretflow/app-type": "serving" }, [ports("alice", { service: 20001, internal: 20002, "brpc-builtin": 20003, metrics: 20004 })], {
      initiator: "alice",
      inputConfig: '{"partyConfigs":{"alice":{},"bob":{}}}',
      parties: [
        { domainID: "alice", appImageRef: "serving-image", template: { replicas: 2, spec: { containers: [{ name: "serving", workingDir: "", resources: { limits: { cpu: "2", memory: "2Gi" } } }] } } },
        { domainID: "bob", appImageRef: "serving-image" },
      ],
    });
  const dataproxyKd = () =>
    kd("dataproxy-serving", { "kuscia.secretflow/app-type": "serving" }, [ports("alice", { grpc: 20010 })], { initiator: "alice", inputConfig: "{}", parties: [{ appImageRef: "dataproxy-image", domainID: "alice" }] });

  const jobImage: Obj = {
    apiVersion: KUSCIA,
    kind: "AppImage",
    metadata: { name: "job-image" },
    spec: {
      image: { name: "secretflow/secretflow-lite-anolis8", tag: "1.11.0b1" },
      deployTemplates: [{
        name: "secretflow",
        replicas: 1,
        spec: {
          restartPolicy: "Never",
          containers: [
            { name: "secretflow", command: ["sh", "-c", "python -m secretflow.kuscia.entry ./kuscia/task-config.conf"], workingDir: "/work", ports: [{ name: "spu", port: 20100, protocol: "GRPC", scope: "Cluster" }] },
            { name: "sidecar", command: ["sleep", "inf"], workingDir: "/work" },
          ],
        },
      }],
    },
  };
  const job = (): Obj => ({
    apiVersion: KUSCIA,
    kind: "KusciaJob",
    metadata: { name: "job-a", namespace: "cross-domain" },
    spec: {
      initiator: "alice",
      maxParallelism: 2,
      tasks: [
        { alias: "prep", taskID: "job-a-prep", appImage: "job-image", taskInputConfig: '{"sf_node_eval_param":{"domain":"data_prep"}}', parties: [{ domainID: "alice", role: "host" }, { domainID: "frank", role: "guest" }] },
        { alias: "train", dependencies: ["prep"], priority: 10, appImage: "job-image", taskInputConfig: "{}", parties: [{ domainID: "alice", resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "4", memory: "8Gi" } } }] },
        { alias: "stats", taskID: "job-a-stats", dependencies: ["prep"], appImage: "job-image", taskInputConfig: "{}", scheduleConfig: { lifecycleSeconds: 600 }, parties: [{ domainID: "frank" }] },
        { alias: "report", taskID: "job-a-report", dependencies: ["train", "stats"], appImage: "job-image", taskInputConfig: "{}", parties: [{ domainID: "alice" }] },
      ],
    },
  });

  const route = (name: string, spec: Record<string, unknown>): Obj => ({ apiVersion: KUSCIA, kind: "ClusterDomainRoute", metadata: { name }, spec });
  const routeInputs = (): Obj[] => [
    // what join_to_host.sh writes: a token route to a peer-to-peer partner
    route("alice-bob", { source: "alice", destination: "bob", interConnProtocol: "kuscia", authenticationType: "Token", tokenConfig: { tokenGenMethod: "RSA-GEN", rollingUpdatePeriod: 86400 }, endpoint: { host: "bob.example.com", ports: [{ name: "http", port: 1080, protocol: "HTTP", isTLS: false }] } }),
    // no authentication, to a partner that is its own master: Kuscia also creates InteropConfig carol-2-bob
    route("carol-bob", { source: "carol", destination: "bob", authenticationType: "None", endpoint: { host: "bob.example.com", ports: [{ name: "http", port: 1080, protocol: "HTTP" }] } }),
  ];

  const dataInputs = (): Obj[] => [
    { apiVersion: KUSCIA, kind: "DomainData", metadata: { name: "table-a", namespace: "alice" }, spec: { author: "alice", dataSource: "default-data-source", name: "table a", relativeURI: "table_a.csv", type: "table", columns: [{ name: "id", type: "str" }] } },
    { apiVersion: KUSCIA, kind: "DomainDataGrant", metadata: { name: "grant-carol", namespace: "alice" }, spec: { author: "alice", domainDataID: "table-a", grantDomain: "carol" } },
    { apiVersion: KUSCIA, kind: "DomainDataGrant", metadata: { name: "grant-bob", namespace: "alice" }, spec: { author: "alice", domainDataID: "table-a", grantDomain: "bob" } },
  ];

  // Interop: hana's node (gated) hosts member mia (bare); each side sees the other as a partner.
  const interopHostDomains = (): Obj[] => [domain("hana", { interConnProtocols: ["kuscia"] }), domain("mia", { role: "partner", cert: certs.mia, interConnProtocols: ["kuscia"] })];
  const interopMemberDomains = (): Obj[] => [domain("mia", { interConnProtocols: ["kuscia"] }), domain("hana", { role: "partner", cert: certs.hana, interConnProtocols: ["kuscia"] })];
  const interopConfig: Obj = { apiVersion: KUSCIA, kind: "InteropConfig", metadata: { name: "hana-members" }, spec: { host: "hana", members: ["mia"] } };
  const interopKd = () =>
    kd("interop-serving", {}, [ports("hana", { grpc: 20020 }), ports("mia", { grpc: 20021 })], {
      initiator: "hana",
      inputConfig: "{}",
      parties: [{ domainID: "hana", appImageRef: "dataproxy-image" }, { domainID: "mia", appImageRef: "dataproxy-image" }],
    });

  // ------------------------------------------------------------------------------------------
  // The components, `emit: native`, through a real Pulumi engine (one `pulumi up` for all).
  // ------------------------------------------------------------------------------------------

  const pulumiObjects = new Map<string, Obj[]>();
  const spec = (o: Obj) => o.spec as Record<string, unknown>;
  function program() {
    skipAwait();
    const out: Record<string, pulumi.Output<string[]>> = {};
    const made = (scenario: string, cs: { created: pulumi.Output<string[]> }[]) => {
      out[scenario] = pulumi.all(cs.map((c) => c.created)).apply((l) => l.flat());
    };
    const domainComponent = (d: Obj, prefix = "") => new Domain(`${prefix}${d.metadata.name}`, { name: d.metadata.name, ...(spec(d) as object) });
    const image = (i: Obj) => new AppImage(i.metadata.name, { name: i.metadata.name, ...(spec(i) as object) } as never);
    const kdComponent = (k: Obj, name: string, images: AppImage[], partnerDomains: string[], deps: pulumi.Resource[]) =>
      new KusciaDeployment(name, { name: k.metadata.name, labels: k.metadata.labels, annotations: k.metadata.annotations, ...(spec(k) as object), appImages: images.map((i) => i.object), partnerDomains } as never, { dependsOn: deps });
    const ds = domainsInputs().map((d) => domainComponent(d));
    made("Domains", ds);
    const serving = image(servingImage);
    const dataproxy = image(dataproxyImage);
    made("KusciaDeployments", [kdComponent(servingKd(), "serving", [serving], ["bob"], ds), kdComponent(dataproxyKd(), "dataproxy-serving", [dataproxy], [], ds)]);
    const hostDomains = interopHostDomains().map((d) => domainComponent(d, "interop-"));
    made("InteropConfig", [
      ...hostDomains,
      new InteropConfig("hana-members", { name: "hana-members", host: "hana", members: ["mia"] }, { dependsOn: hostDomains }),
      kdComponent(interopKd(), "interop-serving-hana", [dataproxy], ["mia"], hostDomains),
    ]);
    made("InteropConfig member", [kdComponent(interopKd(), "interop-serving-mia", [dataproxy], ["hana"], hostDomains)]);
    return Promise.resolve(out);
  }

  async function runPulumi(): Promise<void> {
    const stack = await env.stack("oracle", "e2e", program);
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    for (const [scenario, o] of Object.entries(up.outputs)) {
      const objs: Obj[] = [];
      for (const ref of o.value as string[]) {
        const [kind, ...rest] = ref.split("/");
        const name = rest.pop()!;
        objs.push(await getJson(prod, [kind, name, ...(rest[0] ? ["-n", rest[0]] : [])]));
      }
      pulumiObjects.set(scenario, objs);
    }
  }

  // ------------------------------------------------------------------------------------------

  describe("Domains", () => {
    const scenario = "Domains";
    let sides: Sides;
    before(async function () {
      this.timeout(600_000);
      await runPulumi();
      sides = await runScenario({
        scenario,
        inputs: domainsInputs(),
        pulumi: pulumiObjects.get(scenario),
        // Kuscia's signal that a domain is done: the domain-auth label, written last.
        ready: (side) =>
          waitFor(`${side}: domain-auth on every Domain`, async () => {
            const items = (await getJson(cluster(side), ["domains"])).items as Obj[];
            return domainsInputs().every((d) => items.find((i) => i.metadata.name === d.metadata.name)?.metadata.labels?.["kuscia.secretflow/domain-auth"] === "completed");
          }, 120_000, 500),
      });
    });
    it("Kuscia's objects pass the rule book", () => assertAdmitted([...sides.gated, ...sides.bare]));
    it("render and the components match Kuscia's domain controller, but for the documented differences", () => {
      compare(scenario, sides);
      assertDocumented(scenario);
    });
  });

  describe("KusciaDeployments", () => {
    const scenario = "KusciaDeployments";
    let sides: Sides;
    before(async function () {
      this.timeout(600_000);
      sides = await runScenario({ scenario, inputs: [servingImage, dataproxyImage, servingKd(), dataproxyKd()], context: domainsInputs(), renderInputs: [servingImage, dataproxyImage, servingKd(), dataproxyKd()], pulumi: pulumiObjects.get(scenario) });
    });
    it("Kuscia's objects pass the rule book", () => assertAdmitted([...sides.gated, ...sides.bare]));
    it("render and the components match Kuscia's KusciaDeployment controller, but for the documented differences", () => {
      compare(scenario, sides);
      assertDocumented(scenario);
    });
  });

  describe("KusciaJob", () => {
    const scenario = "KusciaJob";
    let sides: Sides;
    const batches: Record<"gated" | "bare", string[][]> = { gated: [], bare: [] };
    let schedule: string[][];
    /** Kuscia's objects as they are stored (sides holds them with generated task names replaced). */
    let stored: Obj[] = [];
    before(async function () {
      this.timeout(600_000);
      for (const side of ["gated", "bare"] as const) for (const d of ["alice", "frank"]) await addNode(cluster(side), d);
      const j = job();
      inputKeys.add(keyOf(j));
      inputKeys.add(keyOf(jobImage));
      // The KusciaTasks render prints, and the order it says the controller starts them in.
      let stderr = "";
      const file = path.join(work, "job.yaml");
      writeFileSync(file, [jobImage, j, ...domainsInputs()].map((d) => stringify(d)).join("---\n"));
      let stdout = "";
      assert.equal(await runRender([file], { format: "json" }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }), 0, stderr);
      const tasks = (JSON.parse(stdout).items as Obj[]).filter((o) => o.kind === "KusciaTask");
      // render's note: "schedule (...; every task succeeding): 1. prep; 2. train, stats; 3. report"
      const note = /every task succeeding\): (.*)$/m.exec(stderr);
      assert.ok(note, `render printed no schedule: ${stderr}`);
      schedule = note[1].split("; ").map((b) => b.replace(/^\d+\. /, "").split(", "));
      for (const c of [gated.cluster, bare]) await c.kubectlOk(["apply", "-f", "-"], stringify({ apiVersion: "v1", kind: "List", items: [jobImage, j] }));
      // Stage by stage: wait for the tasks Kuscia starts and for the task controller to take each as
      // far as it can without Kuscia's scheduler (its TaskResourceGroup Reserving), collect what
      // Kuscia made, then mark the tasks succeeded so the job moves on.
      const made: Record<"gated" | "bare", Obj[]> = { gated: [], bare: [] };
      for (const side of ["gated", "bare"] as const) {
        const c = cluster(side);
        const done = new Set<string>();
        for (;;) {
          let fresh: Obj[] = [];
          await waitFor(`${side}: the job's next tasks`, async () => {
            const all = ((await getJson(c, ["kusciatasks", "-n", "cross-domain"])).items as Obj[]).filter((t) => t.metadata.annotations?.["kuscia.secretflow/job-id"] === "job-a");
            fresh = all.filter((t) => !done.has(t.metadata.name));
            const phase = (await getJson(c, ["kusciajob", "job-a", "-n", "cross-domain"])).status?.phase;
            if (phase === "Failed") throw new Error(`KusciaJob job-a failed on the ${side} cluster: ${JSON.stringify((await getJson(c, ["kusciajob", "job-a", "-n", "cross-domain"])).status)}`);
            return fresh.length > 0 || phase === "Succeeded";
          }, 120_000, 500);
          if (fresh.length === 0) break;
          batches[side].push(fresh.map((t) => t.metadata.annotations!["kuscia.secretflow/task-alias"]).sort());
          for (const t of fresh) {
            await waitFor(`${side}: TaskResourceGroup ${t.metadata.name} Reserving`, async () => (await getJson(c, ["taskresourcegroups", t.metadata.name])).status?.phase === "Reserving", 120_000, 500);
          }
          made[side].push(...(await created(side)));
          for (const t of fresh) {
            done.add(t.metadata.name);
            await statusPatch(c, "kusciatask", t.metadata.name, "cross-domain", { phase: "Succeeded", completionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") });
          }
        }
      }
      const generated = (o: Obj): Obj => {
        // Kuscia names a task without taskID <job>-<last 12 hex digits of a UUID>; render says <job>-<generated>.
        if (o.kind === "KusciaTask" && /^job-a-[0-9a-f]{12}$/.test(o.metadata.name)) return { ...o, metadata: { ...o.metadata, name: "job-a-<generated>" } };
        return o;
      };
      // The tasks as they are now (the last ones were collected when they were created).
      const current = async (side: "gated" | "bare") =>
        Promise.all(made[side].map(async (o) => (o.kind === "KusciaTask" ? (await getJson(cluster(side), ["kusciatask", o.metadata.name, "-n", "cross-domain"])) as Obj : o)));
      const now = { gated: await current("gated"), bare: await current("bare") };
      stored = [...now.gated, ...now.bare];
      sides = { gated: now.gated.map(generated), bare: now.bare.map(generated), render: await asStored(tasks) };
    });
    it("Kuscia starts the tasks in the order render prints", () => {
      assert.deepEqual(batches.gated, schedule.map((b) => [...b].sort()));
      assert.deepEqual(batches.bare, schedule.map((b) => [...b].sort()));
    });
    it("Kuscia's objects pass the rule book", () => assertAdmitted(stored));
    it("skips a KusciaTask without labels or annotations, as the rule book warns (kt.unlabelled)", async () => {
      const task = { apiVersion: KUSCIA, kind: "KusciaTask", metadata: { name: "lone-task", namespace: "cross-domain" }, spec: { initiator: "alice", taskInputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "job-image" }] } };
      const r = await gated.apply(task);
      assert.equal(r.code, 0, r.stderr);
      // kubectl apply writes its last-applied annotation, so only the labels are missing (and Kuscia skips a task missing either).
      assert.match(r.stderr, /Warning: metadata\.labels: is not set; Kuscia's task controller skips/);
      await waitFor("the task controller skipping lone-task", async () => readFileSync(path.join(work, "gated.log"), "utf8").includes(`KusciaTask "cross-domain/lone-task" annotations and labels can't be empty, skipping`), 120_000, 500);
      inputKeys.add("KusciaTask/cross-domain/lone-task");
    });
    it("render's KusciaTasks match the job controller's, but for the documented differences", () => {
      compare(scenario, sides);
      assertDocumented(scenario);
    });
  });

  // Before the routes: their InteropConfigs alice-2-bob and carol-2-bob make mia's node (bare) try to
  // reach bob's API server, which no test provides ("Register host resources for host/member bob/alice
  // failed"), and after that, in our runs, it no longer pulled hana's KusciaDeployment.
  describe("InteropConfig", () => {
    const scenario = "InteropConfig";
    let sides: Sides;
    before(async function () {
      this.timeout(600_000);
      sides = await runScenario({
        scenario,
        // The InteropConfig belongs to the member's cluster; the KusciaDeployment to the host's, which mirrors it to the member.
        inputs: [...interopHostDomains(), dataproxyImage, interopKd()],
        bareInputs: [...interopMemberDomains(), dataproxyImage, interopConfig],
        renderInputs: [interopConfig, interopKd()],
        context: [...interopHostDomains(), dataproxyImage],
        bareRenderInputs: [interopKd()],
        bareContext: [...interopMemberDomains(), dataproxyImage],
        // The Domains scenario's authCenter route carol-mia (carol's route to mia's node) waits for Domain mia, created here.
        bareExtraKeys: ["DomainRoute/carol/carol-mia", "DomainRoute/mia/carol-mia"],
        pulumi: pulumiObjects.get(scenario),
      });
      sides.pulumiBare = pulumiObjects.get("InteropConfig member");
    });
    it("Kuscia's objects pass the rule book", () => assertAdmitted([...sides.gated, ...sides.bare]));
    it("render matches both nodes' controllers, but for the documented differences", () => {
      compare(scenario, sides);
      assertDocumented(scenario);
    });
  });

  describe("ClusterDomainRoutes", () => {
    const scenario = "ClusterDomainRoutes";
    let sides: Sides;
    before(async function () {
      this.timeout(600_000);
      sides = await runScenario({
        scenario,
        inputs: routeInputs(),
        context: domainsInputs(),
        // What the interop scenario's controllers wrote after it collected its objects belongs to neither.
        before: async () => {
          await created("gated");
          await created("bare");
        },
        // Kuscia's gateway's part (no gateway runs here): it writes the token it issued into the
        // source DomainRoute's status (pkg/gateway/controller/handshake.go); the ClusterDomainRoute
        // controller copies it to the route and, the route ready, creates the InteropConfig
        // (pkg/controllers/clusterdomainroute/domainroute.go syncStatusFromDomainroute,
        // interconn.go isTimeToCreateInteropConfig). Only status is written, which the comparison drops.
        afterApply: async (side) => {
          const c = cluster(side);
          for (const [ns, name] of [["alice", "alice-bob"], ["carol", "carol-bob"]]) {
            await waitFor(`${side}: DomainRoute ${ns}/${name}`, async () => (await c.kubectl(["get", "domainroute", name, "-n", ns])).code === 0, 120_000, 500);
            const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
            await statusPatch(c, "domainroute", name, ns, { isDestinationAuthorized: true, isDestinationUnreachable: false, tokenStatus: { tokens: [{ token: "e2e-gateway-token", revision: 1, revisionTime: now, isReady: true }] } });
          }
        },
      });
    });
    it("Kuscia's objects pass the rule book", () => assertAdmitted([...sides.gated, ...sides.bare]));
    it("render matches Kuscia's ClusterDomainRoute controller, but for the documented differences", () => {
      compare(scenario, sides);
      assertDocumented(scenario);
    });
  });

  describe("Data", () => {
    const scenario = "Data";
    let sides: Sides;
    before(async function () {
      this.timeout(600_000);
      sides = await runScenario({
        scenario,
        inputs: dataInputs(),
        context: domainsInputs(),
        // What earlier scenarios' controllers wrote after those collected theirs belongs to none: set it aside.
        before: async () => {
          await created("gated");
          await created("bare");
        },
      });
    });
    it("Kuscia's objects pass the rule book", () => assertAdmitted([...sides.gated, ...sides.bare]));
    it("render matches Kuscia's DomainData controller, but for the documented differences", () => {
      compare(scenario, sides);
      assertDocumented(scenario);
    });
  });

  describe("the docs page", () => {
    it("lists no deliberate difference that no longer shows", () => {
      const stale = deliberate.filter((e) => !observed.some((d) => documenting(d, [e]) === e));
      assert.deepEqual(stale.map((e) => `docs/upstream-oracle.md:${e.line}: ${e.scenario}: ${e.object} ${e.field} (${e.comparisons.join(", ")})`), [], "entries matching no difference any more: remove them");
    });
  });
});

const DRY_RUN_NS = "oracle-dry-run";

/** The objects of kubectl's `-o json` output: one document, a List, or several documents one after another. */
function jsonStream(text: string): Obj[] {
  const out: Obj[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{") {
      if (depth++ === 0) start = i;
    } else if (ch === "}" && --depth === 0) {
      const doc = JSON.parse(text.slice(start, i + 1)) as Obj & { items?: Obj[] };
      if (doc.kind === "List" && Array.isArray(doc.items)) out.push(...doc.items);
      else out.push(doc);
    }
  }
  return out;
}
