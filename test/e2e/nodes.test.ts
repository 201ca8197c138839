/**
 * The whole-node examples through the real Pulumi engine: two autonomy nodes peered
 * across two API servers, an Iflearner federation, and the webhook's own deployment.
 * Generated keys come from dynamic providers, so this also proves they are stable
 * across `pulumi up` and stored encrypted.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { startGatedCluster, type Gated } from "./harness/gated";
import { startCluster, type Cluster } from "./harness/cluster";
import { onKubernetesResources, pulumiEnv, skipAwait, type PulumiEnv } from "./harness/pulumi";
import { REPO, toolsDir } from "./harness/tools";
import { loadProgram } from "../helpers/programs";
import { KusciaAutonomyNode } from "../../components";

const PASSWORD = "e2e-Passw0rd-7f3a";
const DSN = `mysql://kuscia:${PASSWORD}@tcp(mysql.db.svc:3306)/kine?charset=utf8mb4&parseTime=True&loc=Local`;

/**
 * Every place a secret appears outside a secret in an exported deployment. The Automation API's
 * exportStack shows secrets decrypted, but still inside their envelope
 * {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext}: those are skipped.
 */
function plaintextSecrets(deployment: unknown, secrets: string[]): string[] {
  const hits: string[] = [];
  const walk = (v: unknown, at: string) => {
    if (v && typeof v === "object" && (v as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return;
    if (typeof v === "string") {
      for (const x of secrets) if (x && v.includes(x)) hits.push(`${at} has ${x.slice(0, 12)}...`);
      if (v.includes("PRIVATE KEY") || v.includes("LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk")) hits.push(`${at} has a private key`);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k);
    }
  };
  walk(deployment, "");
  return hits;
}

type Out = pulumi.Output<unknown>;
interface PeeringProgram {
  autonomyPeering(opts: { aliceKuscia?: k8s.Provider; bobKuscia?: k8s.Provider; skipAwait?: boolean }): Record<string, Out | Record<string, Out>>;
}
interface FederationProgram {
  iflearnerFederation(opts: { ingressAddresses?: Record<string, string>; skipAwait?: boolean }): Record<string, Out>;
}
interface WebhookProgram {
  webhook(opts: { skipAwait?: boolean }): Record<string, Out>;
}

/**
 * Where in a stack's state file a private key appears in plain text: `urn property.path`
 * per hit. Reads the file the backend wrote (exportStack would decrypt the secrets).
 */
function plaintextKeys(state: { checkpoint: { latest: { resources?: { urn: string }[] } } }): string[] {
  const hits: string[] = [];
  const walk = (v: unknown, at: string, urn: string) => {
    if (typeof v === "string") {
      if (v.includes("PRIVATE KEY") || v.includes("LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk")) hits.push(`${urn} ${at}`);
    } else if (v && typeof v === "object") {
      // An encrypted secret is {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext}: no match inside.
      for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k, urn);
    }
  };
  for (const r of state.checkpoint.latest.resources ?? []) walk(r, "", r.urn);
  return hits;
}

const noChanges = (summary: { resourceChanges?: Record<string, number> }) => Object.entries(summary.resourceChanges ?? {}).filter(([op]) => op !== "same");

describe("whole nodes as code through a real Pulumi engine", function () {
  this.timeout(600_000);
  let g: Gated;
  let bobKuscia: Cluster;
  let env: PulumiEnv;

  before(async function () {
    this.timeout(0);
    const pulumiBin = toolsDir("pulumi");
    g = await startGatedCluster();
    // bob's Kuscia API server: a second, separate control plane, as two nodes usually are.
    bobKuscia = await startCluster(g.kubeBin);
    env = await pulumiEnv(pulumiBin, g.cluster.kubeconfig);
  });

  after(async () => {
    await bobKuscia?.stop();
    await g?.stop();
    env?.cleanup();
  });

  const getIn = async (c: Cluster, args: string[]) => JSON.parse(await c.kubectlOk(["get", ...args, "-o", "json"]));

  it("autonomy-peering: two nodes, each partner Domain carries the other's certificate, keys stable and encrypted", async () => {
    const { autonomyPeering } = loadProgram<PeeringProgram>("autonomy-peering");
    const configsBefore = await g.requests({ endpoint: "validate", kind: "v1/ConfigMap", verdict: "allowed" });
    const stack = await env.stack("autonomy-peering", "e2e", async () => {
      skipAwait();
      const aliceKuscia = new k8s.Provider("alice-kuscia", { kubeconfig: readFileSync(g.cluster.kubeconfig, "utf8") });
      const bobProvider = new k8s.Provider("bob-kuscia", { kubeconfig: readFileSync(bobKuscia.kubeconfig, "utf8") });
      return autonomyPeering({ aliceKuscia, bobKuscia: bobProvider, skipAwait: true });
    });
    // Every child is created at construction: the preview shows exactly what up creates.
    const preview = await stack.preview();
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(preview.changeSummary.create, up.summary.resourceChanges?.create, `preview ${JSON.stringify(preview.changeSummary)} vs up ${JSON.stringify(up.summary.resourceChanges)}`);
    const certs = up.outputs.certificates.value as { alice: string; bob: string };

    // The upstream objects of each node, the node configuration reviewed and allowed by the webhook.
    for (const id of ["alice", "bob"]) {
      const ns = `autonomy-${id}`;
      const svc = await getIn(g.cluster, ["service", `kuscia-autonomy-${id}`, "-n", ns]);
      assert.deepEqual(svc.spec.ports.map((p: any) => `${p.name}:${p.port}/${p.protocol}`), ["envoy:1080/TCP", "envoy-internal:80/TCP", "dns:53/UDP", "kusciaapi:8082/TCP"]);
      const cm = await getIn(g.cluster, ["configmap", `kuscia-autonomy-${id}-cm`, "-n", ns]);
      assert.equal(cm.metadata.labels["kuscia.secretflow/config"], "true");
      assert.match(cm.data["kuscia.yaml"], new RegExp(`domainID: ${id}`));
      assert.ok(await g.cluster.kubectlOk(["get", "deployment", `kuscia-autonomy-${id}`, "-n", ns]));
      assert.ok(await g.cluster.kubectlOk(["get", "role", "runk-role", "-n", ns]));
    }
    assert.ok((await g.requests({ endpoint: "validate", kind: "v1/ConfigMap", verdict: "allowed" })) - configsBefore >= 2, "both node configurations went through the webhook");

    // What add_domain.sh and join_to_host.sh would have produced, on each side.
    const bobOnAlice = await getIn(g.cluster, ["domain", "bob"]);
    assert.equal(bobOnAlice.spec.role, "partner");
    assert.equal(bobOnAlice.spec.cert, certs.bob);
    const route = await getIn(g.cluster, ["cdr", "alice-bob"]);
    assert.deepEqual([route.spec.source, route.spec.destination, route.spec.authenticationType, route.spec.tokenConfig.tokenGenMethod], ["alice", "bob", "Token", "RSA-GEN"]);
    assert.equal(route.spec.endpoint.host, "kuscia-autonomy-bob.autonomy-bob.svc.cluster.local");
    const aliceOnBob = await getIn(bobKuscia, ["domain", "alice"]);
    assert.equal(aliceOnBob.spec.cert, certs.alice);
    assert.equal((await getIn(bobKuscia, ["cdr", "bob-alice"])).spec.destination, "alice");

    // Nothing secret in plain text in the state file; the keys do not change on a second up.
    assert.deepEqual(plaintextKeys(env.state("autonomy-peering", "e2e")), [], "no private key in plain text in state");
    const again = await stack.up();
    assert.deepEqual(noChanges(again.summary), []);
    assert.deepEqual(again.outputs.certificates.value, certs);

    const down = await stack.destroy();
    assert.equal(down.summary.result, "succeeded");
    assert.notEqual((await g.cluster.kubectl(["get", "cdr", "alice-bob"])).code, 0);
  });

  describe("a node renamed, with a transforms callback and a secret DSN", () => {
    const annotate = async (a: pulumi.ResourceTransformArgs): Promise<pulumi.ResourceTransformResult | undefined> => {
      if (!a.type.startsWith("kubernetes:")) return undefined;
      const meta = (a.props.metadata ?? {}) as Record<string, any>;
      return { props: { ...a.props, metadata: { ...meta, annotations: { ...(meta.annotations ?? {}), "example.com/team": "data" } } }, opts: a.opts };
    };
    const program = (resourceName: string, aliases?: pulumi.Input<pulumi.Alias | string>[]) => async () => {
      skipAwait();
      const node = new KusciaAutonomyNode(resourceName, { domainId: "carol", datastore: pulumi.secret(DSN), skipAwait: true }, { transforms: [annotate], ...(aliases ? { aliases } : {}) });
      return { certificate: node.certificate, created: node.created, key: node.domainKeyPem };
    };
    const ns = "autonomy-carol";
    const kinds = ["namespace/autonomy-carol", "service/kuscia-autonomy-carol", "configmap/kuscia-autonomy-carol-cm", "deployment/kuscia-autonomy-carol", "role/runk-role", "rolebinding/runk-rolebinding"];
    const uids = async () => {
      const out: Record<string, string> = {};
      for (const k of kinds) out[k] = JSON.parse(await g.cluster.kubectlOk(["get", k, "-n", ns, "-o", "json"])).metadata.uid;
      return out;
    };
    let stack: Awaited<ReturnType<PulumiEnv["stack"]>>;
    let before: Record<string, string>;
    let cert: string;

    it("the state holds no secret in plain text: not the DSN's password, not the key", async () => {
      stack = await env.stack("node-rename", "e2e", program("carol"));
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      const cm = JSON.parse(await g.cluster.kubectlOk(["get", "configmap", "kuscia-autonomy-carol-cm", "-n", ns, "-o", "json"]));
      assert.equal(cm.metadata.annotations["example.com/team"], "data", "the transform ran");
      before = await uids();
      cert = String(up.outputs.certificate.value);
      const keyPem = String(up.outputs.key.value);
      const keyData = Buffer.from(keyPem, "utf8").toString("base64");
      const deployment = (await stack.exportStack()).deployment;
      assert.deepEqual(plaintextSecrets(deployment, [PASSWORD, keyData, keyPem.split("\n")[1]]), []);
      // ... and the secret fields are secrets indeed (the envelope is there), and no path of this machine.
      const cmState = deployment.resources.find((r: any) => r.type === "kubernetes:core/v1:ConfigMap");
      assert.equal(cmState.inputs.data["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
      // What the resources store (not the engine's sourcePosition, which records the calling file).
      const stored = deployment.resources.filter((r: any) => r.urn.includes("KusciaAutonomyNode")).map((r: any) => ({ inputs: r.inputs, outputs: r.outputs }));
      assert.equal(JSON.stringify(stored).includes(REPO), false, "no absolute path of the checkout in the node's resources");
    });

    it("renamed without an alias: every object stays (same uid), the key and certificate too", async () => {
      stack = await env.stack("node-rename", "e2e", program("carol-node"));
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.equal(up.summary.resourceChanges?.delete ?? 0, 1, JSON.stringify(up.summary.resourceChanges));
      assert.deepEqual(await uids(), before);
      assert.equal(up.outputs.certificate.value, cert);
    });

    it("renamed with an alias: nothing changes; destroy keeps the namespace", async () => {
      stack = await env.stack("node-rename", "e2e", program("carol-autonomy", [{ name: "carol-node" }]));
      const up = await stack.up();
      assert.deepEqual(noChanges(up.summary), []);
      assert.deepEqual(await uids(), before);
      assert.equal((await stack.destroy()).summary.result, "succeeded");
      assert.equal((await g.cluster.kubectl(["get", "namespace", ns])).code, 0, "namespace retained by default");
    });
  });

  it("iflearner-federation: jobs, networking.k8s.io/v1 Ingresses with TLS, secrets and trust ConfigMaps", async () => {
    const { iflearnerFederation } = loadProgram<FederationProgram>("iflearner-federation");
    // The members' namespaces are the user's (as the operator's jobs run in an existing one).
    for (const ns of ["iflearner-server", "iflearner-a", "iflearner-b"]) await g.cluster.kubectlOk(["create", "namespace", ns]);
    const stack = await env.stack("iflearner-federation", "e2e", async () => {
      skipAwait();
      return iflearnerFederation({ skipAwait: true, ingressAddresses: { server: "10.0.0.10", a: "10.0.0.11", b: "10.0.0.12" } });
    });
    const preview = await stack.preview();
    const up = await stack.up();
    assert.equal(preview.changeSummary.create, up.summary.resourceChanges?.create, "the preview shows every object up creates");
    assert.equal(up.summary.result, "succeeded");
    const ing = await getIn(g.cluster, ["ingress", "-n", "iflearner-server"]);
    assert.equal(ing.items.length, 1);
    assert.equal(ing.items[0].apiVersion, "networking.k8s.io/v1");
    assert.equal(ing.items[0].spec.tls[0].secretName, "server-iflearner-secret");
    assert.equal(ing.items[0].metadata.annotations["nginx.ingress.kubernetes.io/backend-protocol"], "GRPC");
    const secret = await getIn(g.cluster, ["secret", "server-iflearner-secret", "-n", "iflearner-server"]);
    assert.equal(secret.type, "kubernetes.io/tls");
    for (const ns of ["iflearner-a", "iflearner-b"]) {
      assert.ok(await g.cluster.kubectlOk(["get", "configmap", "server-iflearner-crt", "-n", ns]));
      assert.ok(await g.cluster.kubectlOk(["get", "configmap", "party-iflearner-crt", "-n", ns]));
    }
    const dns = String(up.outputs.coreDnsTemplates.value);
    assert.match(dns, /template IN A server\.iflearner\.com \{\n\s+match .*server\\\.iflearner\\\.com.*\n\s+answer "\{\{ \.Name \}\} 60 IN A 10\.0\.0\.10"/);
    assert.match(dns, /template IN A a\.party\.iflearner\.com \{\n\s+match .*a\\\.party\\\.iflearner\\\.com.*\n\s+answer "\{\{ \.Name \}\} 60 IN A 10\.0\.0\.11"/);
    assert.deepEqual(plaintextKeys(env.state("iflearner-federation", "e2e")), []);
    assert.deepEqual(noChanges((await stack.up()).summary), []);
    assert.equal((await stack.destroy()).summary.result, "succeeded");
  });

  it("webhook: the project's webhook deployed with its generated CA wired into both configurations", async () => {
    const { webhook } = loadProgram<WebhookProgram>("webhook");
    // On a cluster of its own: its configurations point at a Service with no running pods,
    // and failurePolicy Fail would then refuse every Kuscia object of the shared cluster.
    const own = await startCluster(g.kubeBin);
    try {
      const stack = await env.stack("webhook", "e2e", async () => {
        skipAwait();
        const provider = new k8s.Provider("own", { kubeconfig: readFileSync(own.kubeconfig, "utf8") });
        // The example uses the ambient kubeconfig; point its resources at this cluster instead.
        onKubernetesResources((a) => (a.opts.provider ? undefined : { props: a.props, opts: pulumi.mergeOptions(a.opts, { provider }) }));
        return webhook({ skipAwait: true });
      });
      const preview = await stack.preview();
      const up = await stack.up();
      assert.equal(preview.changeSummary.create, up.summary.resourceChanges?.create, "the preview shows every object up creates");
      assert.equal(up.summary.result, "succeeded");
      const caBundle = String(up.outputs.caBundle.value);
      const vwc = await getIn(own, ["validatingwebhookconfiguration", "kuscia-iac-validate"]);
      assert.equal(vwc.webhooks[0].clientConfig.caBundle, caBundle);
      assert.deepEqual(vwc.webhooks[0].clientConfig.service, { namespace: "kuscia-iac-system", name: "kuscia-iac-webhook", port: 443, path: "/validate" });
      assert.equal(vwc.webhooks[0].failurePolicy, "Fail");
      const dep = await getIn(own, ["deployment", "kuscia-iac-webhook", "-n", "kuscia-iac-system"]);
      assert.equal(dep.spec.replicas, 2);
      assert.ok(await own.kubectlOk(["get", "pdb", "-n", "kuscia-iac-system"]));
      const tls = await getIn(own, ["secret", "kuscia-iac-webhook-tls", "-n", "kuscia-iac-system"]);
      assert.equal(Buffer.from(tls.data["ca.crt"] ?? tls.data["tls.crt"], "base64").length > 0, true);
      assert.deepEqual(plaintextKeys(env.state("webhook", "e2e")), []);
      assert.deepEqual(noChanges((await stack.up()).summary), []);
      assert.equal((await stack.destroy()).summary.result, "succeeded");
    } finally {
      await own.stop();
    }
  });
});
