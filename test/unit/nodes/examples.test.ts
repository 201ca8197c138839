/**
 * The node example programs (examples/pulumi/{autonomy-peering,
 * iflearner-federation,webhook}) under mocks, loaded as the other examples are
 * (their `kuscia-iac` is this repository's components/index.ts, which exports
 * components/nodes).
 */
import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { loadProgram } from "../../helpers/programs";
import { valueOf } from "../components/harness";
import { reveal, useNodeMocks } from "./mocks";

type Out<T> = pulumi.Output<T>;
interface PeeringProgram {
  autonomyPeering(opts?: { aliceKuscia?: k8s.Provider; bobKuscia?: k8s.Provider; aliceDatastore?: pulumi.Input<string>; skipAwait?: boolean }): {
    endpoints: { alice: Out<string>; bob: Out<string> };
    certificates: { alice: Out<string>; bob: Out<string> };
    nodeObjects: Out<string[]>;
    routes: Out<string[]>;
    peeringObjects: Out<string[]>;
  };
}
interface FederationProgram {
  iflearnerFederation(opts?: { ingressAddresses?: Record<string, string> }): { serverHost: Out<string>; partyHosts: Out<Record<string, string>>; coreDnsTemplates: Out<string>; caCertPem: Out<string>; objects: Out<string[]> };
}
interface WebhookProgram {
  webhook(opts?: { namespace?: string }): { serviceHost: Out<string>; caBundle: Out<string>; objects: Out<string[]> };
}

describe("example Pulumi programs: whole nodes", () => {
  const mocks = useNodeMocks();

  it("autonomy-peering: two nodes, and once both Kuscia providers are given, each holding the other as partner", async () => {
    const { autonomyPeering } = loadProgram<PeeringProgram>("autonomy-peering");
    const first = autonomyPeering({ aliceDatastore: "mysql://alice:pw@tcp(mysql:3306)/kuscia_alice" });
    assert.deepEqual((await valueOf(first.nodeObjects)).length, 12);
    assert.deepEqual(await valueOf(first.routes), []);
    assert.equal(mocks.registered.some((r) => r.type.startsWith("kubernetes:kuscia.secretflow")), false);

    mocks.registered.length = 0;
    const [aliceKuscia, bobKuscia] = ["alice-kuscia", "bob-kuscia"].map((n) => new k8s.Provider(n, { kubeconfig: "{}" }));
    const out = autonomyPeering({ aliceKuscia, bobKuscia, skipAwait: true });
    assert.deepEqual(await valueOf(out.routes), ["alice-bob", "bob-alice"]);
    assert.deepEqual(await valueOf(out.peeringObjects), ["Domain/bob", "ClusterDomainRoute/alice-bob", "Domain/alice", "ClusterDomainRoute/bob-alice"]);
    assert.equal(await valueOf(out.endpoints.bob), "http://kuscia-autonomy-bob.autonomy-bob.svc.cluster.local:1080");
    const bobOnAlice = mocks.registered.find((r) => r.type === "kubernetes:kuscia.secretflow/v1alpha1:Domain" && (r.provider ?? "").includes("::alice-kuscia::"))!;
    assert.equal(reveal(bobOnAlice.inputs).spec.cert, await valueOf(out.certificates.bob));
  });

  it("iflearner-federation: a server and two parties in their namespaces, with the CoreDNS blocks", async () => {
    const { iflearnerFederation } = loadProgram<FederationProgram>("iflearner-federation");
    const out = iflearnerFederation({ ingressAddresses: { server: "10.0.0.1", a: "10.0.0.2", b: "10.0.0.3" } });
    const objects = await valueOf(out.objects);
    assert.deepEqual(objects.filter((o) => o.startsWith("Ingress/")).sort(), ["Ingress/iflearner-a/job1-a", "Ingress/iflearner-b/job1-b", "Ingress/iflearner-server/job1-server"]);
    assert.equal(objects.length, 16);
    assert.equal(await valueOf(out.serverHost), "job1.server.iflearner.com");
    const corefile = await valueOf(out.coreDnsTemplates);
    assert.match(corefile, /template IN A a\.party\.iflearner\.com \{\n {4}match \^\(\.\*\\\.\)\?a\\\.party\\\.iflearner\\\.com\\\.\$\n {4}answer "\{\{ \.Name \}\} 60 IN A 10\.0\.0\.2"/);
    const pod = reveal(mocks.object("Pod", "iflearner-a/job1-a")!.inputs);
    assert.ok(pod.spec.containers[0].args.includes("--cert=/etc/server-iflearner-secret.crt"));
    assert.deepEqual(pod.spec.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath), ["/etc/server-iflearner-secret.crt", "/etc/party-iflearner-secret.crt"]);
    assert.ok(new X509Certificate(await valueOf(out.caCertPem)).ca);
  });

  it("webhook: the deploy/ objects, the TLS Secret and both configurations", async () => {
    const { webhook } = loadProgram<WebhookProgram>("webhook");
    const out = webhook();
    assert.deepEqual(await valueOf(out.objects), [
      "Namespace/kuscia-iac-system",
      "Secret/kuscia-iac-system/kuscia-iac-webhook-tls",
      "ServiceAccount/kuscia-iac-system/kuscia-iac-webhook",
      "ClusterRole/kuscia-iac-webhook",
      "ClusterRoleBinding/kuscia-iac-webhook",
      "Role/kuscia-iac-system/kuscia-iac-webhook",
      "RoleBinding/kuscia-iac-system/kuscia-iac-webhook",
      "ConfigMap/kuscia-iac-system/kuscia-iac-policy",
      "Deployment/kuscia-iac-system/kuscia-iac-webhook",
      "Service/kuscia-iac-system/kuscia-iac-webhook",
      "PodDisruptionBudget/kuscia-iac-system/kuscia-iac-webhook",
      "ValidatingWebhookConfiguration/kuscia-iac-validate",
      "MutatingWebhookConfiguration/kuscia-iac-mutate",
    ]);
    assert.equal(await valueOf(out.serviceHost), "kuscia-iac-webhook.kuscia-iac-system.svc");
    const validating = reveal(mocks.object("ValidatingWebhookConfiguration", "kuscia-iac-validate")!.inputs);
    assert.equal(validating.webhooks[0].clientConfig.caBundle, await valueOf(out.caBundle));
  });
});
