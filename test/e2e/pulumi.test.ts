/**
 * `pulumi up`, `preview --policy-pack`, a second `up` and `destroy` of the example
 * programs, through a real Pulumi engine and Kubernetes provider, against the real
 * API server of the kubectl suite with the webhook registered.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { startGatedCluster, type Gated } from "./harness/gated";
import { pulumiEnv, skipAwait, type PulumiEnv } from "./harness/pulumi";
import { REPO, toolsDir } from "./harness/tools";
import { loadProgram } from "../helpers/programs";
import { makeCert } from "../helpers/certs";
import { Domain, KusciaDeployment, type Emit } from "../../components";

type Out = pulumi.Output<unknown>;
interface ServingProgram {
  secretflowServing(opts?: { emit?: Emit }): { objects: Out; created: Out; domains: Out[] };
}
interface InteropProgram {
  interop(opts: { aliceCert: string; bobCert: string }): Record<string, Out>;
}

const KD = "kuscia.secretflow/v1alpha1";

describe("pulumi up of the examples through a real Pulumi engine", function () {
  this.timeout(600_000);
  let g: Gated;
  let env: PulumiEnv;

  before(async function () {
    this.timeout(0); // a cold build of the binaries takes tens of minutes; later runs hit the cache
    const pulumiBin = toolsDir("pulumi");
    g = await startGatedCluster(["cross-domain"]);
    env = await pulumiEnv(pulumiBin, g.cluster.kubeconfig);
  });

  after(async () => {
    await g?.stop();
    env?.cleanup();
  });

  const get = async (args: string[]) => JSON.parse(await g.cluster.kubectlOk(["get", ...args, "-o", "json"]));
  const exists = async (args: string[]) => (await g.cluster.kubectl(["get", ...args])).code === 0;

  describe("secretflow-serving (the product docs' two-party KusciaDeployment)", () => {
    const { secretflowServing } = loadProgram<ServingProgram>("secretflow-serving");
    const program = async () => {
      skipAwait();
      // "both": the native objects, and the custom resources so the webhook sees them too.
      const out = secretflowServing({ emit: "both" });
      return { objects: out.objects, created: out.created };
    };
    let stack: Awaited<ReturnType<PulumiEnv["stack"]>>;

    it("pulumi up succeeds and creates every expanded object with the promised names and labels", async () => {
      const allowedBefore = await g.requests({ endpoint: "validate", verdict: "allowed" });
      stack = await env.stack("secretflow-serving", "e2e", program);
      const preview = await stack.preview();
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.equal(preview.changeSummary.create, up.summary.resourceChanges?.create, "the preview shows every object up creates");
      const objects = up.outputs.objects.value as string[];
      assert.ok(objects.length >= 14, objects.join(", "));
      for (const ref of objects) {
        const [kind, ns, name] = ref.split("/").length === 3 ? ref.split("/") : [ref.split("/")[0], "", ref.split("/")[1]];
        assert.ok(await exists([kind.toLowerCase(), name, ...(ns ? ["-n", ns] : [])]), `${ref} exists`);
      }
      // What the product docs show with kubectl get ... -l kuscia.secretflow/kd-name=secretflow-serving -n alice.
      for (const ns of ["alice", "bob"]) {
        const svc = await get(["service", "-n", ns, "-l", "kuscia.secretflow/kd-name=secretflow-serving"]);
        assert.deepEqual(svc.items.map((s: any) => `${s.metadata.name}:${s.spec.ports[0].port}:${s.spec.clusterIP}`).sort(), [
          "secretflow-serving-brpc-builtin:53511:None",
          "secretflow-serving-internal:53510:None",
          "secretflow-serving-service:53509:None",
        ]);
        const cm = await get(["configmap", "-n", ns, "-l", "kuscia.secretflow/kd-name=secretflow-serving"]);
        assert.deepEqual(cm.items.map((c: any) => c.metadata.name), ["secretflow-serving-configtemplate"]);
        const dep = await get(["deployment", "-n", ns, "-l", "kuscia.secretflow/kd-name=secretflow-serving"]);
        assert.deepEqual(dep.items.map((d: any) => d.metadata.name), ["secretflow-serving"]);
        assert.equal(dep.items[0].metadata.labels["kuscia.secretflow/controller"], "KusciaDeployment");
      }
      const quota = await exists(["namespace", "alice"]);
      assert.ok(quota, "the Domain's namespace");
      // The custom resources went through the webhook, which allowed them.
      assert.ok(await exists(["kd", "secretflow-serving", "-n", "cross-domain"]));
      assert.deepEqual((await get(["domain", "alice"])).spec.interConnProtocols, ["kuscia"]);
      const allowedAfter = await g.requests({ endpoint: "validate", verdict: "allowed" });
      assert.ok(allowedAfter - allowedBefore >= 4, `webhook allowed ${allowedAfter - allowedBefore} reviews (2 Domains, an AppImage, a KusciaDeployment)`);
      for (const kind of ["Domain", "AppImage", "KusciaDeployment"]) {
        assert.ok((await g.requests({ endpoint: "validate", kind: `${KD}/${kind}`, verdict: "allowed" })) >= 1, kind);
      }
    });

    it("a second pulumi up reports no changes", async () => {
      const up = await stack.up();
      const changes = Object.entries(up.summary.resourceChanges ?? {}).filter(([op]) => op !== "same");
      assert.deepEqual(changes, [], JSON.stringify(up.summary.resourceChanges));
    });

    it("pulumi destroy removes the objects and keeps each Domain's Namespace, as Kuscia does", async () => {
      const res = await stack.destroy();
      assert.equal(res.summary.result, "succeeded");
      for (const ns of ["alice", "bob"]) {
        assert.ok(await exists(["namespace", ns]), `namespace ${ns} kept`);
        assert.equal((await get(["deployment,service,configmap", "-n", ns, "-l", "kuscia.secretflow/kd-name=secretflow-serving"])).items.length, 0);
      }
      assert.equal(await exists(["kd", "secretflow-serving", "-n", "cross-domain"]), false);
      assert.equal(await exists(["domain", "alice"]), false);
    });
  });

  describe("interop (an InteropConfig between two domains)", () => {
    it("pulumi up succeeds and a second up changes nothing", async () => {
      const { interop } = loadProgram<InteropProgram>("interop");
      const [alice, bob] = await Promise.all([makeCert({ cn: "alice" }), makeCert({ cn: "bob" })]);
      const stack = await env.stack("interop", "e2e", async () => {
        skipAwait();
        return interop({ aliceCert: alice.certB64, bobCert: bob.certB64 });
      });
      const preview = await stack.preview();
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.equal(preview.changeSummary.create, up.summary.resourceChanges?.create, "the preview shows every object up creates");
      assert.equal((await get(["domain", "bob"])).spec.cert, bob.certB64);
      assert.ok(await exists(["cdr", "alice-bob"]));
      const again = await stack.up();
      assert.deepEqual(Object.keys(again.summary.resourceChanges ?? {}).filter((op) => op !== "same"), []);
      await stack.destroy();
    });
  });

  it("pulumi preview --policy-pack fails on a refused object with the rule book's message", async () => {
    const stack = await env.stack("policy-pack", "e2e", async () => {
      new k8s.apiextensions.CustomResource("hosts-itself", { apiVersion: KD, kind: "InteropConfig", metadata: { name: "hosts-itself" }, spec: { host: "bob", members: ["alice", "bob"] } });
    });
    await assert.rejects(stack.preview({ policyPacks: [path.join(REPO, "policypack")] }), (e: Error) => {
      assert.match(e.message, /\[interop\.members\] spec\.members\[1\]: "bob" is the host/);
      return true;
    });
    const ok = await env.stack("policy-pack-ok", "e2e", async () => {
      new k8s.apiextensions.CustomResource("fine", { apiVersion: KD, kind: "InteropConfig", metadata: { name: "fine" }, spec: { host: "bob", members: ["alice"] } });
    });
    const preview = await ok.preview({ policyPacks: [path.join(REPO, "policypack")] });
    assert.equal(preview.changeSummary.create, 2);
  });

  describe("renaming a Domain keeps every object it manages", () => {
    // The program: a Domain with fixed physical names, renamed without and then with an alias.
    const program = (resourceName: string, aliases?: pulumi.Input<pulumi.Alias | string>[]) => async () => {
      skipAwait();
      const d = new Domain(resourceName, { name: "initech", resourceQuota: { podMaxCount: 10 } }, aliases ? { aliases } : {});
      // A KusciaDeployment-like consumer of the domain ID must depend on the domain's objects.
      return { created: d.created, namespace: d.namespace };
    };
    const children = ["namespace/initech", "role/initech -n initech", "rolebinding/initech -n initech", "serviceaccount/initech -n initech", "configmap/domain-config -n initech", "resourcequota/resource-limitation -n initech", "clusterrolebinding/initech"];
    const uids = async () => {
      const out: Record<string, string> = {};
      for (const c of children) out[c] = (await get(c.split(" "))).metadata.uid;
      return out;
    };
    let stack: Awaited<ReturnType<PulumiEnv["stack"]>>;
    let before: Record<string, string>;

    it("up creates the Domain's objects; its namespaced children depend on the Namespace", async () => {
      stack = await env.stack("rename-domain", "e2e", program("acme"));
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      before = await uids();
      const state = (await stack.exportStack()).deployment;
      const ns = state.resources.find((r: any) => r.type === "kubernetes:core/v1:Namespace");
      const role = state.resources.find((r: any) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role");
      assert.ok(role.dependencies.includes(ns.urn), JSON.stringify(role.dependencies));
      assert.equal(role.urn.split("::").pop(), "initech/initech", "children are named by their physical identity");
    });

    it("renamed without an alias: only the component is replaced, every object stays (same uid)", async () => {
      stack = await env.stack("rename-domain", "e2e", program("acme-domain"));
      const preview = await stack.preview();
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      const changes = up.summary.resourceChanges ?? {};
      assert.equal(changes.delete ?? 0, 1, JSON.stringify(changes)); // the old component, nothing else
      assert.equal(changes.create ?? 0, 1, JSON.stringify(changes)); // the new component
      assert.equal(preview.changeSummary.delete ?? 0, 1, JSON.stringify(preview.changeSummary));
      assert.deepEqual(await uids(), before);
    });

    it("renamed with an alias: no change at all, every object stays", async () => {
      stack = await env.stack("rename-domain", "e2e", program("initech-domain", [{ name: "acme-domain" }]));
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}).filter((op) => op !== "same"), [], JSON.stringify(up.summary.resourceChanges));
      assert.deepEqual(await uids(), before);
      assert.equal((await stack.destroy()).summary.result, "succeeded");
      assert.ok(await exists(["namespace", "initech"]), "the Namespace is retained by default");
    });
  });

  it("a KusciaDeployment given a Domain's domainId depends on the Domain's objects", async () => {
    const stack = await env.stack("domain-deps", "e2e", async () => {
      skipAwait();
      const acme = new Domain("acme", { name: "hooli", emit: "custom-resource" });
      new KusciaDeployment("kd", { name: "hooli-kd", initiator: acme.domainId, parties: [{ domainID: acme.domainId, appImageRef: "img" }], emit: "custom-resource" });
    });
    const pre = await stack.preview();
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(pre.changeSummary.create, up.summary.resourceChanges?.create, "preview shows what up creates");
    const state = (await stack.exportStack()).deployment;
    const domain = state.resources.find((r: any) => r.type === "kubernetes:kuscia.secretflow/v1alpha1:Domain");
    const kd = state.resources.find((r: any) => r.type === "kubernetes:kuscia.secretflow/v1alpha1:KusciaDeployment");
    assert.ok(kd.dependencies.includes(domain.urn), JSON.stringify(kd.dependencies));
    await stack.destroy();
  });

  it("a component whose arguments break a rule fails at preview with its message and creates nothing", async () => {
    const stack = await env.stack("bad-args", "e2e", async () => {
      skipAwait();
      new Domain("bad", { name: "alice_1", emit: "both" });
    });
    await assert.rejects(stack.preview(), (e: Error) => {
      assert.match(e.message, /Domain "bad": metadata\.name: "alice_1" is not a valid domain ID/);
      // A pulumi.ResourceError on the component: reported against it, with no stack trace.
      assert.doesNotMatch(e.message, /Unhandled exception/);
      assert.doesNotMatch(e.message, /\n\s+at .*\.js:\d+/);
      return true;
    });
    await assert.rejects(stack.up());
    const state = await stack.exportStack();
    const kinds = (state.deployment.resources ?? []).map((r: { type: string }) => r.type).filter((t: string) => t.startsWith("kubernetes:") && !t.startsWith("pulumi:providers"));
    assert.deepEqual(kinds, []);
    assert.equal(await exists(["domain", "alice_1"]), false);
  });
});
