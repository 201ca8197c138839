/**
 * examples/pulumi-yaml, a YAML program, run as users run it: the real `pulumi` CLI in the
 * project directory, the YAML language host and the Kubernetes provider built from the Go
 * module proxy, the kuscia-iac component provider installed as a plugin, against a real
 * API server. The first test of the provider through the engine: construct, a Kubernetes
 * provider and component outputs as inputs, and secrets in the exported state.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { startCluster, type Cluster } from "./harness/cluster";
import { pulumiCli, type PulumiCli } from "./harness/pulumicli";
import { builtTool, toolsDir } from "./harness/tools";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const isSecret = (v: unknown) => !!v && typeof v === "object" && (v as Record<string, unknown>)[SIG] === SECRET;

interface StateResource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

describe("a YAML program through the pulumi CLI and the component provider", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  let cli: PulumiCli;
  let adminToken: string;

  before(async function () {
    this.timeout(0); // a cold build of the binaries takes minutes; later runs hit the cache
    const kubeBin = toolsDir("kube");
    const pulumiBin = toolsDir("pulumi");
    const yamlBin = builtTool("yaml", "pulumi-language-yaml");
    cluster = await startCluster(kubeBin);
    adminToken = JSON.parse(readFileSync(cluster.kubeconfig, "utf8")).users[0].user.token;
    cli = await pulumiCli(path.join("examples", "pulumi-yaml"), [pulumiBin, yamlBin], cluster.kubeconfig);
    await cli.pulumiOk(["stack", "init", "e2e"]);
    // No kubelet runs here: nothing would ever become ready.
    await cli.pulumiOk(["config", "set", "skipAwait", "true"]);
    // Both nodes' Kuscia API servers are this API server (the peering's objects have distinct names);
    // the kubeconfig holds the admin token, so it must stay a secret all the way.
    const kubeconfig = readFileSync(cluster.kubeconfig, "utf8");
    for (const key of ["carolKusciaKubeconfig", "daveKusciaKubeconfig"]) await cli.pulumiOk(["config", "set", "--secret", key], kubeconfig);
  });

  after(async () => {
    await cluster?.stop();
    cli?.cleanup();
  });

  const get = async (args: string[]) => JSON.parse(await cluster.kubectlOk(["get", ...args, "-o", "json"]));
  const exists = async (args: string[]) => (await cluster.kubectl(["get", ...args])).code === 0;
  const exported = async () => JSON.parse(await cli.pulumiOk(["stack", "export"])).deployment as { resources: StateResource[] };

  it("pulumi preview shows the components and their children, through the YAML language host", async () => {
    const preview = JSON.parse(await cli.pulumiOk(["preview", "--json"]));
    const creates = (preview.steps as { op: string; urn: string }[]).filter((s) => s.op === "create").map((s) => s.urn.split("::")[2].split("$").pop());
    for (const t of ["kuscia-iac:index:Domain", "kuscia-iac:index:AppImage", "kuscia-iac:index:KusciaDeployment", "kuscia-iac:index:KusciaAutonomyNode", "kuscia-iac:index:NodePeering", "kuscia-iac:secrets:RsaKey", "kubernetes:core/v1:Namespace", "kubernetes:apps/v1:Deployment"]) {
      assert.ok(creates.includes(t), `${t} in the preview: ${[...new Set(creates)].join(", ")}`);
    }
    // The example's config template reads only variables Kuscia puts in the pod's environment.
    const warnings = ((preview.diagnostics ?? []) as { severity: string; message: string }[]).filter((d) => d.severity === "warning");
    assert.deepEqual(warnings.filter((d) => /not among the pod's environment/.test(d.message)).map((d) => d.message), []);
  });

  it("pulumi up creates every object; outputs come back from construct", async () => {
    await cli.pulumiOk(["up", "--yes", "--skip-preview"]);
    const out = JSON.parse(await cli.pulumiOk(["stack", "output", "--json"]));
    assert.equal(out.aliceNamespace, "alice");
    assert.equal(out.servingPhase, "Progressing"); // no kubelet: never Available
    assert.deepEqual(out.routes, ["carol-dave", "dave-carol"]);
    assert.deepEqual(out.servingObjects, [
      "Service/alice/secretflow-serving-service",
      "Service/alice/secretflow-serving-internal",
      "Service/alice/secretflow-serving-brpc-builtin",
      "ConfigMap/alice/secretflow-serving-configtemplate",
      "Deployment/alice/secretflow-serving",
    ]);
    assert.equal(out.endpoints.carol, "https://kuscia-autonomy-carol.autonomy-carol.svc.cluster.local:1080");

    // The Domain, and the KusciaDeployment expanded from the AppImage component's `object` output.
    assert.equal((await get(["resourcequota", "resource-limitation", "-n", "alice"])).spec.hard.pods, "20");
    const dep = await get(["deployment", "secretflow-serving", "-n", "alice"]);
    assert.equal(dep.metadata.annotations["pulumi.com/skipAwait"], "true", "skipAwait from YAML reached the children");
    assert.equal(dep.spec.template.spec.containers[0].image, "secretflow/serving-anolis8:latest");
    const cm = await get(["configmap", "secretflow-serving-configtemplate", "-n", "alice"]);
    assert.match(cm.data["serving-config.conf"], /serving_id/);

    // The nodes, and the peering through the two Kubernetes providers the program passed in.
    for (const id of ["carol", "dave"]) {
      const conf = await get(["configmap", `kuscia-autonomy-${id}-cm`, "-n", `autonomy-${id}`]);
      assert.match(conf.data["kuscia.yaml"], new RegExp(`domainID: ${id}\\n`));
    }
    const dave = await get(["domain", "dave"]);
    assert.equal(dave.spec.role, "partner");
    assert.equal(dave.spec.cert, out.certificates.dave, "the partner Domain carries the node's certificate output");
    const route = await get(["cdr", "carol-dave"]);
    assert.deepEqual([route.spec.source, route.spec.destination, route.spec.authenticationType], ["carol", "dave", "Token"]);
    assert.equal(route.spec.endpoint.host, "kuscia-autonomy-dave.autonomy-dave.svc.cluster.local");

    const state = await exported();
    // Children are named for the cluster object, not the provider (the same URN whichever provider reaches it).
    const routeState = state.resources.find((r) => r.type === "kubernetes:kuscia.secretflow/v1alpha1:ClusterDomainRoute" && r.urn.endsWith("::carol-dave"));
    assert.ok(routeState, `no ClusterDomainRoute carol-dave in the state`);
    assert.match(String((routeState as { provider?: string }).provider), /::carol-kuscia::/, "carol's route went through the carol-kuscia provider");
  });

  it("keeps secrets secret: stack outputs, generated keys, the providers' kubeconfig", async () => {
    const shown = JSON.parse(await cli.pulumiOk(["stack", "output", "--json"]));
    assert.equal(shown.carolKeyPem, "[secret]");
    const key = String(JSON.parse(await cli.pulumiOk(["stack", "output", "--json", "--show-secrets"])).carolKeyPem);
    assert.match(key, /^-----BEGIN RSA PRIVATE KEY-----\n/);

    const text = await cli.pulumiOk(["stack", "export"]);
    const keyLine = key.split("\n")[1];
    for (const [what, needle] of [
      ["a PEM private key", "PRIVATE KEY"],
      ["a base64 PEM private key", "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk"],
      ["carol's key", keyLine],
      ["the API server's admin token", adminToken],
    ]) {
      assert.equal(text.includes(needle), false, `the exported state holds ${what} in plain text`);
    }
    const state = JSON.parse(text).deployment as { resources: StateResource[] };
    // The keys are the provider plugin's own resources, their private outputs encrypted: no
    // dynamic resource, which would need a Node.js dynamic-provider host in a YAML project.
    const keys = state.resources.filter((r) => r.type === "kuscia-iac:secrets:RsaKey");
    assert.equal(keys.length, 2);
    for (const k of keys) assert.ok(isSecret(k.outputs?.privateKeyPem) && isSecret(k.outputs?.privateKeyBase64), k.urn);
    assert.deepEqual(state.resources.filter((r) => r.type.startsWith("pulumi-nodejs:")).map((r) => r.urn), []);
    const stack = state.resources.find((r) => r.type === "pulumi:pulumi:Stack")!;
    assert.ok(isSecret(stack.outputs?.carolKeyPem), "the stack output is a secret in the state");
    for (const p of state.resources.filter((r) => r.type === "pulumi:providers:kubernetes" && !r.urn.endsWith("::default_4_25_0"))) {
      assert.ok(isSecret(p.inputs?.kubeconfig), `${p.urn}: kubeconfig`);
    }
    const configMap = state.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.urn.endsWith("::autonomy-carol/kuscia-autonomy-carol-cm"))!;
    assert.ok(isSecret(configMap.inputs?.data), "kuscia.yaml (the domain key) is a secret");
  });

  it("a second pulumi up changes nothing, and neither would a preview", async () => {
    // Secrets are encrypted afresh at every save: compare the keys by their public halves.
    const keys = async () => (await exported()).resources.filter((r) => r.type === "kuscia-iac:secrets:RsaKey").map((r) => `${r.urn} ${r.outputs?.keyFingerprint}`).sort();
    const before = await keys();
    await cli.pulumiOk(["up", "--yes", "--expect-no-changes"]);
    await cli.pulumiOk(["preview", "--expect-no-changes"]);
    assert.deepEqual(await keys(), before, "the generated keys are kept");
  });

  it("pulumi preview --expect-no-changes fails once the program changes", async () => {
    await cli.pulumiOk(["config", "set", "kusciaImage", "secretflow/kuscia:1.1.0"]);
    const r = await cli.pulumi(["preview", "--expect-no-changes"]);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stdout, /kuscia-autonomy-carol/);
    await cli.pulumiOk(["config", "rm", "kusciaImage"]);
  });

  it("pulumi destroy removes the objects and keeps the domains' namespaces", async () => {
    await cli.pulumiOk(["destroy", "--yes"]);
    assert.equal(await exists(["cdr", "carol-dave"]), false);
    assert.equal(await exists(["domain", "dave"]), false);
    assert.equal(await exists(["deployment", "secretflow-serving", "-n", "alice"]), false);
    assert.equal(await exists(["configmap", "kuscia-autonomy-carol-cm", "-n", "autonomy-carol"]), false);
    assert.ok(await exists(["namespace", "alice"]), "Domain keeps its namespace by default");
    assert.deepEqual((await exported()).resources ?? [], []);
  });
});
