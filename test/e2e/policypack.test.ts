/**
 * The policy pack through the real Pulumi CLI (`preview`/`up --policy-pack`): a rule's level
 * from the stack's policy configuration and from `--policy-pack-config`, the defaults
 * remediation in the created object, a stack policy refusing a mismatched NodePeering; and
 * the components' default `pulumi.com/waitFor` on Kuscia custom resources, against the real
 * Kubernetes provider, with the status written as upstream's controllers write it.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { startGatedCluster, type Gated } from "./harness/gated";
import { pulumiEnv, skipAwait, type PulumiEnv } from "./harness/pulumi";
import { REPO, toolsDir } from "./harness/tools";
import { makeCert, pkcs1B64 } from "../helpers/certs";
import { ClusterDomainRoute, Domain, KusciaAutonomyNode, NodePeering } from "../../components";

const KD = "kuscia.secretflow/v1alpha1";
const PACK = path.join(REPO, "policypack");
const RULE = /\[domain\.partner-cert\] spec\.cert: is required when spec\.role is partner/;

describe("the policy pack and readiness through a real Pulumi engine", function () {
  this.timeout(600_000);
  let g: Gated;
  let env: PulumiEnv;
  let dir: string;
  let policyFile: string;

  before(async function () {
    this.timeout(0); // a cold build of the binaries takes tens of minutes; later runs hit the cache
    dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-pack-"));
    policyFile = path.join(dir, "policy.yaml");
    // The cluster's webhook and the pack follow the same file: a partner Domain without a certificate only warns.
    writeFileSync(policyFile, "rules:\n  domain.partner-cert: warn\n");
    const pulumiBin = toolsDir("pulumi");
    g = await startGatedCluster([], { policyConfigFile: policyFile });
    env = await pulumiEnv(pulumiBin, g.cluster.kubeconfig);
  });

  after(async () => {
    await g?.stop();
    env?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = async (args: string[]) => JSON.parse(await g.cluster.kubectlOk(["get", ...args, "-o", "json"]));

  describe("one stack: a partner Domain without a certificate, a local Domain without interConnProtocols", () => {
    let stack: Awaited<ReturnType<PulumiEnv["stack"]>>;

    before(async () => {
      stack = await env.stack("pack", "e2e", async () => {
        skipAwait();
        new k8s.apiextensions.CustomResource("bob", { apiVersion: KD, kind: "Domain", metadata: { name: "bob" }, spec: { role: "partner", interConnProtocols: ["kuscia"] } });
        new k8s.apiextensions.CustomResource("alice", { apiVersion: KD, kind: "Domain", metadata: { name: "alice" }, spec: {} });
      });
    });

    it("the rule set to warn in the stack's policy configuration is advisory: preview and up pass, showing the warning", async () => {
      await stack.setConfig("kuscia-iac:policyConfig", { value: policyFile });
      const preview = await stack.preview({ policyPacks: [PACK] });
      assert.match(preview.stdout, /advisory/);
      assert.match(preview.stdout, RULE);
      const up = await stack.up({ policyPacks: [PACK] });
      assert.equal(up.summary.result, "succeeded");
      assert.match(up.stdout, RULE);
      assert.equal((await get(["domain", "bob"])).spec.role, "partner");
    });

    it("the remediation put the rule book's default into the created Domain, as the program's input", async () => {
      const state = (await stack.exportStack()).deployment;
      const domain = state.resources.find((r: any) => r.type === `kubernetes:${KD}:Domain` && r.inputs.metadata.name === "alice");
      // The inputs are what the program gave after the remediation; the program gave spec: {}.
      assert.deepEqual(domain.inputs.spec, { interConnProtocols: ["kuscia"] });
      assert.deepEqual((await get(["domain", "alice"])).spec.interConnProtocols, ["kuscia"]);
    });

    it("without the policy configuration the rule is mandatory again and preview fails with it", async () => {
      await stack.removeConfig("kuscia-iac:policyConfig");
      await assert.rejects(stack.preview({ policyPacks: [PACK] }), (e: Error) => {
        assert.match(e.message, /mandatory/);
        assert.match(e.message, RULE);
        return true;
      });
    });

    it("--policy-pack-config sets the one policy to advisory: preview passes", async () => {
      const packConfig = path.join(dir, "pack-config.json");
      writeFileSync(packConfig, JSON.stringify({ "domain.partner-cert": "advisory" }));
      const preview = await stack.preview({ policyPacks: [PACK], policyPackConfigs: [packConfig] });
      assert.match(preview.stdout, RULE);
      assert.equal((await stack.destroy()).summary.result, "succeeded");
    });

    it("an invalid policy configuration stops the pack, and the CLI shows the field", async () => {
      const bad = path.join(dir, "bad.yaml");
      writeFileSync(bad, "rules:\n  domain.partner-certs: warn\n");
      await stack.setConfig("kuscia-iac:policyConfig", { value: bad });
      await assert.rejects(stack.preview({ policyPacks: [PACK] }), (e: Error) => {
        assert.match(e.message, /rules\["domain\.partner-certs"\]: names no rule/);
        return true;
      });
      await stack.removeConfig("kuscia-iac:policyConfig");
    });
  });

  it("a NodePeering whose partner Domain carries a certificate of another key than the node's fails the stack policy peer.cert", async () => {
    const bobKey = await makeCert({ cn: "bob", bits: 2048 });
    const stranger = await makeCert({ cn: "bob", bits: 3072 }); // right name, another key
    const alice = await makeCert({ cn: "alice", bits: 2048 });
    const stack = await env.stack("peering", "e2e", async () => {
      skipAwait();
      const kuscia = new k8s.Provider("kuscia", { kubeconfig: readFileSync(g.cluster.kubeconfig, "utf8") });
      // Key and DNS servers given, so bob's kuscia.yaml is known at preview and the pack can read the key.
      new KusciaAutonomyNode("bob", { domainId: "bob", domainKey: pkcs1B64(bobKey.keyPkcs8Pem), dnsServers: ["10.0.0.10"] }, { provider: kuscia });
      new NodePeering("alice-bob", {
        a: { domainId: "alice", certificate: alice.certB64, endpoint: "http://kuscia-autonomy-alice.autonomy-alice.svc.cluster.local:1080", provider: kuscia },
        b: { domainId: "bob", certificate: stranger.certB64, endpoint: "http://kuscia-autonomy-bob.autonomy-bob.svc.cluster.local:1080", provider: kuscia },
      });
    });
    await assert.rejects(stack.preview({ policyPacks: [PACK] }), (e: Error) => {
      assert.match(e.message, /mandatory/);
      assert.match(e.message, /\[peer\.cert\] spec\.cert: is a certificate of another key than the domain key of node "bob"/);
      assert.doesNotMatch(e.message, /PRIVATE KEY|LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk/);
      return true;
    });
  });

  it("pulumi up waits for an emitted route's Ready condition and a Domain's Ready node, as upstream writes them", async () => {
    const stack = await env.stack("ready", "e2e", async () => {
      // No skipAwait here: the components' default waitFor decides, bounded by timeoutSeconds.
      new Domain("carol", { name: "carol", emit: "custom-resource", timeoutSeconds: 5 });
      new ClusterDomainRoute("carol-dave", { source: "carol", destination: "dave", authenticationType: "Token", tokenConfig: { tokenGenMethod: "RSA-GEN" }, timeoutSeconds: 5 });
    });
    // No Kuscia controller runs here: nothing writes the status, so the provider times out waiting.
    await assert.rejects(stack.up(), (e: Error) => {
      assert.match(e.message, /timed out waiting for the condition/);
      assert.match(e.message, /ClusterDomainRoute::carol-dave/);
      assert.match(e.message, /Domain::carol/);
      return true;
    });
    assert.equal((await get(["cdr", "carol-dave"])).metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
    assert.equal((await get(["domain", "carol"])).metadata.annotations["pulumi.com/waitFor"], 'jsonpath={.status.nodeStatuses[?@.status=="Ready"].name}');
    // What syncStatusFromDomainroute and syncDomainStatus write once the route has tokens and a node joined.
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    await g.cluster.kubectlOk(["patch", "cdr", "carol-dave", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { conditions: [{ type: "Ready", status: "True", reason: "", message: "Success", lastUpdateTime: now, lastTransitionTime: now }] } })]);
    await g.cluster.kubectlOk(["patch", "domain", "carol", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { nodeStatuses: [{ name: "carol-node", version: "v1.30", status: "Ready", lastHeartbeatTime: now, lastTransitionTime: now }], deployTokenStatuses: [] } })]);
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    // No destroy: timeoutSeconds bounds deletes too, and the garbage collector may take longer than
    // 5 s to clear the foregroundDeletion finalizer on a loaded machine; the cluster goes with the suite.
  });
});
