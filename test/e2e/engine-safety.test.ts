/**
 * What a Pulumi user relies on the components for, through the real engine: a live object is
 * never deleted because of how its provider is reached, a refusal ends the operation (at any
 * phase, non-zero, once), previews work with every kind of transform and leak nothing, and
 * reference warnings are given in a program run after a preview in the same process.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { startCluster, type Cluster } from "./harness/cluster";
import { pulumiEnv, skipAwait, type PulumiEnv } from "./harness/pulumi";
import { toolsDir } from "./harness/tools";
import { makeCert } from "../helpers/certs";
import { Domain, DomainData, DomainDataSource, IflearnerFederation, KusciaAutonomyNode, KusciaJob } from "../../components";

const PASSWORD = "e2e-Safety-Passw0rd-51c9";
const DSN = `mysql://kuscia:${PASSWORD}@tcp(mysql.db.svc:3306)/kine?charset=utf8mb4&parseTime=True&loc=Local`;
const ACCESS_SECRET = "e2e-oss-Secret-8d02";

/** Operations that delete or replace an object. */
const DESTRUCTIVE = new Set(["delete", "replace", "create-replacement", "delete-replaced", "discard", "discard-replaced"]);

/** Step operations and diagnostics of one engine run, from its events. */
interface Recorded {
  steps: { op: string; type: string; urn: string }[];
  diagnostics: { severity: string; message: string; urn?: string }[];
  onEvent(e: EngineEvent): void;
}

function record(): Recorded {
  const r: Recorded = {
    steps: [],
    diagnostics: [],
    onEvent(e) {
      const m = e.resourcePreEvent?.metadata;
      if (m) r.steps.push({ op: m.op, type: m.type, urn: m.urn });
      const d = e.diagnosticEvent;
      if (d) r.diagnostics.push({ severity: d.severity, message: d.message, urn: d.urn });
    },
  };
  return r;
}

/** Steps that delete or replace anything but a provider. */
const destructiveSteps = (r: Recorded) => r.steps.filter((s) => DESTRUCTIVE.has(s.op) && !s.type.startsWith("pulumi:providers:"));

/** uid of every Kubernetes object in the stack's state, by type and physical identity. */
async function uids(stack: Stack): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of (await stack.exportStack()).deployment.resources ?? []) {
    if (!String(r.type).startsWith("kubernetes:") || !r.outputs?.metadata?.uid) continue;
    out[`${r.type} ${r.outputs.metadata.namespace ?? ""}/${r.outputs.metadata.name}`] = r.outputs.metadata.uid;
  }
  return out;
}

/**
 * A resource whose `value` output its provider computes at create: unknown in the preview of a
 * fresh stack (the engine knows only a creation's inputs then), known once created.
 */
class Computed extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  constructor(name: string, value: string) {
    const provider: pulumi.dynamic.ResourceProvider = { create: async (inputs) => ({ id: name, outs: { given: inputs.given, value: inputs.given } }) };
    super(provider, name, { given: value, value: undefined }, {});
  }
}

/** Where a secret of `secrets` (or a private key) appears in `text`. */
function leaks(text: string, secrets: string[]): string[] {
  const hits = secrets.filter((s) => text.includes(s)).map((s) => `${s.slice(0, 10)}...`);
  if (/PRIVATE KEY|LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk/.test(text)) hits.push("a private key");
  return hits;
}

/** The stack's state file as stored (secrets encrypted): a secret found in it is stored in plain text. */
const storedState = (env: PulumiEnv, project: string) => JSON.stringify(env.state(project, "e2e"));

describe("e2e: components never delete a live object nor hang the engine", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  let env: PulumiEnv;
  let kubeconfig: string;
  let bobCert: string;

  before(async function () {
    this.timeout(0);
    cluster = await startCluster(toolsDir("kube"));
    env = await pulumiEnv(toolsDir("pulumi"), cluster.kubeconfig);
    kubeconfig = readFileSync(cluster.kubeconfig, "utf8");
    // Where KusciaJobs live; Kuscia's control plane makes it, and this cluster has none.
    await cluster.kubectlOk(["create", "namespace", "cross-domain"]);
    bobCert = (await makeCert({ cn: "bob" })).certB64;
  });
  after(async () => {
    await cluster?.stop();
    env?.cleanup();
  });

  describe("reaching the same cluster through another provider object deletes nothing", () => {
    type Reach = { provider: "default" } | { provider: "explicit"; name: string; formerly?: string };
    const program = (reach: Reach) => async () => {
      skipAwait();
      const p = reach.provider === "explicit" ? new k8s.Provider(reach.name, { kubeconfig }, reach.formerly ? { aliases: [{ name: reach.formerly }] } : {}) : undefined;
      const opts = p ? { provider: p } : {};
      new Domain("alice-domain", { name: "sw-alice" }, opts);
      // A custom resource whose component name differs from the object's.
      new Domain("partner", { name: "sw-bob", role: "partner", cert: bobCert, interConnProtocols: ["kuscia"], emit: "custom-resource" }, opts);
      // Generated keys and certificates, named by the node's identity.
      new KusciaAutonomyNode("node", { domainId: "sw-node" }, opts);
      new DomainDataSource("source", { domainId: "sw-alice", datasourceId: "sw-source", type: "localfs", info: { localfs: { path: "/data" } }, domainCertificate: bobCert }, opts);
      // The reference: a plain pulumi-kubernetes object.
      new k8s.core.v1.ConfigMap("plain", { metadata: { name: "sw-plain", namespace: "default" }, data: { a: "b" } }, opts);
    };

    let stack: Stack;
    let baseline: Record<string, string>;
    const move = async (reach: Reach, what: string) => {
      stack = await env.stack("switch", "e2e", program(reach));
      const pre = record();
      await stack.preview({ onEvent: pre.onEvent });
      assert.deepEqual(destructiveSteps(pre), [], `${what}: the preview deletes or replaces ${JSON.stringify(destructiveSteps(pre))}`);
      const up = record();
      const res = await stack.up({ onEvent: up.onEvent });
      assert.equal(res.summary.result, "succeeded");
      assert.deepEqual(destructiveSteps(up), [], `${what}: up deletes or replaces ${JSON.stringify(destructiveSteps(up))}`);
      assert.deepEqual(await uids(stack), baseline, `${what}: every object keeps its uid`);
    };

    it("created through the default provider", async () => {
      stack = await env.stack("switch", "e2e", program({ provider: "default" }));
      assert.equal((await stack.up()).summary.result, "succeeded");
      baseline = await uids(stack);
      assert.ok(Object.keys(baseline).some((k) => k.includes(":Domain /sw-bob")), Object.keys(baseline).join(", "));
      assert.ok(Object.keys(baseline).some((k) => k.includes("ConfigMap autonomy-sw-node/")), Object.keys(baseline).join(", "));
    });
    it("moved to an explicit provider for the same cluster: 0 deletes", () => move({ provider: "explicit", name: "cluster-a" }, "default to explicit"));
    it("the provider renamed with an alias: 0 deletes", () => move({ provider: "explicit", name: "cluster-b", formerly: "cluster-a" }, "renamed with an alias"));
    it("the provider renamed without an alias: 0 deletes (but the provider's own)", () => move({ provider: "explicit", name: "cluster-c" }, "renamed without an alias"));
    it("back to the default provider: 0 deletes", async () => {
      await move({ provider: "default" }, "explicit to default");
      assert.equal((await stack.destroy()).summary.result, "succeeded");
    });
  });

  describe("a refusal ends the operation, with its message, once, and a non-zero exit", () => {
    /** The error diagnostics of a failed run that carry `finding`. */
    const errorsWith = (r: Recorded, finding: RegExp) => r.diagnostics.filter((d) => d.severity === "error" && finding.test(d.message));

    it("a fresh preview refuses what is known even while other fields are unknown (a job given alice.domainId)", async () => {
      const stack = await env.stack("refuse-preview", "e2e", async () => {
        skipAwait();
        const alice = new Domain("alice", { name: "rp-alice", emit: "custom-resource" });
        new KusciaJob("job", {
          jobId: "rp-job",
          initiator: alice.domainId,
          tasks: [{ alias: "psi", appImage: "img", taskInputConfig: "{}", dependencies: [], parties: [{ domainID: alice.domainId }, { domainID: "rp-bob" }] }],
        });
      });
      const pre = record();
      await assert.rejects(stack.preview({ onEvent: pre.onEvent }), /spec\.tasks\[0\]\.dependencies: has 0 items, expected at least 1/);
      assert.equal(errorsWith(pre, /dependencies: has 0 items/).length, 1, JSON.stringify(pre.diagnostics));
      const up = record();
      await assert.rejects(stack.up({ onEvent: up.onEvent }), /dependencies: has 0 items/);
      assert.equal(up.steps.filter((s) => s.op === "create" && s.type.includes("KusciaJob") && s.type.startsWith("kubernetes:")).length, 0, "the job is not created");
    });

    it("an up refuses a value known only once a resource exists, and leaves the stack unlocked", async () => {
      const stack = await env.stack("refuse-up", "e2e", async () => {
        skipAwait();
        new Domain("alice", { name: "ru-alice", emit: "custom-resource" });
        // An output its provider computes: unknown at preview on a fresh stack, known at up. (A
        // Kubernetes object's fields, even its uid, are known at preview: the server-side dry run returns them.)
        new DomainData("table", { domainId: "ru-alice", domainDataId: "ru-table", type: "table", dataSource: "ru-source", relativeURI: new Computed("uri", "../outside.csv").value });
      });
      // Unknown at preview on a fresh stack: nothing to refuse yet.
      await stack.preview();
      const up = record();
      await assert.rejects(stack.up({ onEvent: up.onEvent }), /DomainData "table": spec\.relativeURI: "\.\.\/outside\.csv" contains '\.\.'/);
      assert.equal(errorsWith(up, /spec\.relativeURI: .* contains '\.\.'/).length, 1, JSON.stringify(up.diagnostics));
      assert.equal(up.steps.filter((s) => s.type === "kubernetes:kuscia.secretflow/v1alpha1:DomainData" && s.op === "create").length, 0, "the refused object is not created");
      // Not locked: the next operation runs, and now refuses at preview (the value is known).
      const pre = record();
      await assert.rejects(stack.preview({ onEvent: pre.onEvent }), /spec\.relativeURI: .* contains '\.\.'/);
      assert.equal(errorsWith(pre, /contains '\.\.'/).length, 1, JSON.stringify(pre.diagnostics));
      assert.equal((await stack.destroy()).summary.result, "succeeded");
    });

    it("a refusal at construction is printed once, against the component", async () => {
      const stack = await env.stack("refuse-construct", "e2e", async () => {
        new Domain("bad", { name: "rc_bad" });
      });
      const pre = record();
      await assert.rejects(stack.preview({ onEvent: pre.onEvent }), (e: Error) => {
        return /Domain "bad": metadata\.name: "rc_bad" is not a valid domain ID/.test(e.message);
      });
      const errors = errorsWith(pre, /metadata\.name: "rc_bad" is not a valid domain ID/);
      assert.equal(errors.length, 1, JSON.stringify(pre.diagnostics));
    });
  });

  describe("previews work with every kind of transform and leak nothing", () => {
    const secrets = [PASSWORD, ACCESS_SECRET];
    // The federation's members run in namespaces of their own, which it does not create.
    before(async () => {
      for (const ns of ["tr-fl-server", "tr-fl-a"]) await cluster.kubectlOk(["create", "namespace", ns]);
    });
    const components = (opts: { sourceTransforms?: pulumi.ResourceTransform[]; federationTransforms?: pulumi.ResourceTransform[] } = {}) => {
      const alice = new Domain("alice", { name: "tr-alice" });
      new KusciaAutonomyNode("node-a", { domainId: "tr-na", datastore: pulumi.secret(DSN) });
      new KusciaAutonomyNode("node-b", { domainId: "tr-nb" });
      new DomainDataSource(
        "source",
        {
          domainId: "tr-alice",
          datasourceId: "tr-oss",
          type: "oss",
          info: { oss: { endpoint: "http://minio:9000", bucket: "b", accessKeyId: "id", accessKeySecret: pulumi.secret(ACCESS_SECRET) } },
          domainCertificate: bobCert,
        },
        { dependsOn: [alice], transforms: opts.sourceTransforms },
      );
      new IflearnerFederation(
        "fl",
        { job: "tr-fl", server: { namespace: "tr-fl-server", template: { spec: { containers: [{ name: "s", image: "i" }] } } }, parties: { a: { namespace: "tr-fl-a", template: { spec: { containers: [{ name: "c", image: "i" }] } } } }, ingressAddresses: { server: "10.0.0.1", a: "10.0.0.2" } },
        { transforms: opts.federationTransforms },
      );
    };
    /** A user's transform: labels every Kubernetes object, as a team's tagging policy would. */
    const label: pulumi.ResourceTransform = (args) => {
      if (!args.type.startsWith("kubernetes:")) return undefined;
      const props = { ...args.props };
      props.metadata = { ...(props.metadata ?? {}), labels: { ...(props.metadata?.labels ?? {}), team: "e2e" } };
      return { props, opts: args.opts };
    };

    const previewAndUp = async (project: string, program: () => void) => {
      const stack = await env.stack(project, "e2e", async () => {
        skipAwait();
        program();
      });
      const pre = await stack.preview();
      assert.deepEqual(leaks(pre.stdout + pre.stderr, secrets), [], "the preview output holds no secret");
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.equal(pre.changeSummary.create, up.summary.resourceChanges?.create, "the preview shows what up creates");
      assert.deepEqual(leaks(up.stdout + up.stderr, secrets), [], "the up output holds no secret");
      assert.deepEqual(leaks(storedState(env, project), secrets), [], "the stored state holds no secret in plain text");
      // The transform ran: every Kubernetes object carries its label.
      const cm = JSON.parse(await cluster.kubectlOk(["get", "configmap", "kuscia-autonomy-tr-na-cm", "-n", "autonomy-tr-na", "-o", "json"]));
      assert.equal(cm.metadata.labels.team, "e2e");
      // The data source's custom resource keeps its name through the transform (never auto-named).
      const source = JSON.parse(await cluster.kubectlOk(["get", "domaindatasources.kuscia.secretflow", "tr-oss", "-n", "tr-alice", "-o", "json"]));
      assert.equal(source.metadata.labels.team, "e2e");
      assert.equal((await stack.destroy()).summary.result, "succeeded");
    };

    it("a stack-wide transform registered before the components", () =>
      previewAndUp("transform-stack", () => {
        pulumi.runtime.registerResourceTransform(label);
        components();
      }));

    it("transforms given to IflearnerFederation and DomainDataSource (and the nodes' through a parent)", () =>
      previewAndUp("transform-component", () => {
        pulumi.runtime.registerResourceTransform((args) => (args.type === "kubernetes:core/v1:ConfigMap" && args.name.startsWith("autonomy-") ? label(args) : undefined));
        components({ sourceTransforms: [label], federationTransforms: [label] });
      }));
  });

  it("a readiness wait that times out says which condition it waited for", async () => {
    // No skipAwait here: the Domain waits for a node to join, which never happens without Kuscia.
    const stack = await env.stack("readiness", "e2e", async () => {
      new Domain("alice", { name: "wt-alice", emit: "custom-resource", timeoutSeconds: 2 });
    });
    const up = record();
    await assert.rejects(stack.up({ onEvent: up.onEvent }));
    const explained = up.diagnostics.filter((d) => d.severity === "error" && d.message.includes("Domain wt-alice was not ready after 2 s"));
    assert.equal(explained.length, 1, JSON.stringify(up.diagnostics));
    assert.match(explained[0].message, /waited for pulumi\.com\/waitFor "jsonpath=\{\.status\.nodeStatuses\[\?@\.status==\\"Ready\\"\]\.name\}": a Ready node in status\.nodeStatuses.*skipAwait: true/);
    // The annotations apply to the delete too (it would wait 2 s for a deletion nothing
    // finishes): the same Domain without the wait first, then destroy.
    const unwaited = await env.stack("readiness", "e2e", async () => {
      skipAwait();
      new Domain("alice", { name: "wt-alice", emit: "custom-resource" });
    });
    assert.equal((await unwaited.up()).summary.result, "succeeded");
    assert.equal((await unwaited.destroy()).summary.result, "succeeded");
  });

  it("reference warnings are given in an up that follows a preview with unknown values in the same process", async () => {
    const stack = await env.stack("references", "e2e", async () => {
      skipAwait();
      const alice = new Domain("alice", { name: "rf-alice", emit: "custom-resource" });
      new KusciaJob("job", { jobId: "rf-job", initiator: alice.domainId, tasks: [{ alias: "psi", appImage: "rf-undeclared-image", taskInputConfig: "{}", parties: [{ domainID: alice.domainId }] }] });
    });
    const warning = /KusciaJob "job": spec\.tasks\[0\]\.appImage: names AppImage "rf-undeclared-image", which this Pulumi program does not declare.*\[ref\.kj\.appimage\]/;
    const pre = record();
    await stack.preview({ onEvent: pre.onEvent });
    assert.equal(pre.diagnostics.filter((d) => d.severity === "warning" && warning.test(d.message)).length, 1, `preview: ${JSON.stringify(pre.diagnostics)}`);
    const up = record();
    await stack.up({ onEvent: up.onEvent });
    assert.equal(up.diagnostics.filter((d) => d.severity === "warning" && warning.test(d.message)).length, 1, `up: ${JSON.stringify(up.diagnostics)}`);
    assert.equal((await stack.destroy()).summary.result, "succeeded");
  });
});
