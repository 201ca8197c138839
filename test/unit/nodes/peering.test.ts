import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { review } from "../../../policy";
import { KusciaAutonomyNode, NodePeering } from "../../../components/nodes";
import { makeCert } from "../../helpers/certs";
import { valueOf } from "../components/harness";
import { reveal, useNodeMocks } from "./mocks";

const DOMAIN = "kubernetes:kuscia.secretflow/v1alpha1:Domain";
const CDR = "kubernetes:kuscia.secretflow/v1alpha1:ClusterDomainRoute";

describe("component: NodePeering", () => {
  const mocks = useNodeMocks();
  const onProvider = (name: string) => mocks.registered.filter((r) => r.type.startsWith("kubernetes:kuscia.secretflow") && (r.provider ?? "").includes(`::${name}::`));

  it("gives each node's Kuscia the other as a partner with the other's certificate, and a Token route to it", async () => {
    const alice = new KusciaAutonomyNode("alice", { domainId: "alice", protocol: "TLS" });
    const bob = new KusciaAutonomyNode("bob", { domainId: "bob" });
    const aliceKuscia = new k8s.Provider("alice-kuscia", { kubeconfig: "{}" });
    const bobKuscia = new k8s.Provider("bob-kuscia", { kubeconfig: "{}" });
    const p = new NodePeering("alice-bob", { a: alice.asPeer(aliceKuscia), b: bob.asPeer(bobKuscia) });
    assert.deepEqual(await valueOf(p.created), ["Domain/bob", "ClusterDomainRoute/alice-bob", "Domain/alice", "ClusterDomainRoute/bob-alice"]);
    assert.deepEqual(await valueOf(p.routes), ["alice-bob", "bob-alice"]);

    const [aliceCert, bobCert] = await Promise.all([valueOf(alice.certificate), valueOf(bob.certificate)]);
    assert.notEqual(aliceCert, bobCert);
    const onAlice = onProvider("alice-kuscia").map((r) => reveal(r.inputs));
    const onBob = onProvider("bob-kuscia").map((r) => reveal(r.inputs));
    assert.deepEqual(onAlice.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ["ClusterDomainRoute/alice-bob", "Domain/bob"]);
    assert.deepEqual(onBob.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ["ClusterDomainRoute/bob-alice", "Domain/alice"]);

    const bobOnAlice = onAlice.find((o) => o.kind === "Domain")!;
    assert.equal(bobOnAlice.spec.cert, bobCert, "alice's Kuscia holds bob's certificate");
    assert.equal(onBob.find((o) => o.kind === "Domain")!.spec.cert, aliceCert, "bob's Kuscia holds alice's certificate");
    assert.deepEqual(bobOnAlice.spec, { role: "partner", interConnProtocols: ["kuscia"], cert: bobCert, authCenter: { authenticationType: "Token", tokenGenMethod: "RSA-GEN" } });
    assert.deepEqual(bobOnAlice.metadata.annotations, { "domain/bob": "kuscia.secretflow/domain-type=embedded" });

    const toBob = onAlice.find((o) => o.kind === "ClusterDomainRoute")!;
    assert.deepEqual(toBob.spec, {
      source: "alice",
      destination: "bob",
      interConnProtocol: "kuscia",
      authenticationType: "Token",
      tokenConfig: { tokenGenMethod: "RSA-GEN", rollingUpdatePeriod: 86400 },
      endpoint: { host: "kuscia-autonomy-bob.autonomy-bob.svc.cluster.local", ports: [{ name: "http", protocol: "HTTP", pathPrefix: "/", isTLS: false, port: 1080 }] },
    });
    const toAlice = onBob.find((o) => o.kind === "ClusterDomainRoute")!;
    assert.deepEqual(toAlice.spec.endpoint, { host: "kuscia-autonomy-alice.autonomy-alice.svc.cluster.local", ports: [{ name: "http", protocol: "HTTP", pathPrefix: "/", isTLS: true, port: 1080 }] });

    // What reaches each Kuscia API server is what the rule book (and so the webhook) admits.
    for (const o of [...onAlice, ...onBob]) {
      const r = review(o);
      assert.deepEqual(r.violations, [], `${o.kind}/${o.metadata.name}`);
    }
    assert.equal(mocks.registered.filter((r) => r.type === DOMAIN).length, 2);
    assert.equal(mocks.registered.filter((r) => r.type === CDR).length, 2);
  });

  it("peers nodes given by hand (another cluster's node) and refuses a node peering with itself", async () => {
    const [carol, dave] = await Promise.all([makeCert({ cn: "carol" }), makeCert({ cn: "dave" })]);
    const provider = new k8s.Provider("shared", { kubeconfig: "{}" });
    const p = new NodePeering("carol-dave", {
      a: { domainId: "carol", certificate: carol.certB64, endpoint: "https://carol.example.com:443", provider },
      b: { domainId: "dave", certificate: pulumi.output(dave.certB64), endpoint: "http://10.0.0.7:31080", provider },
    });
    await valueOf(p.created);
    const routes = mocks.registered.filter((r) => r.type === CDR).map((r) => reveal(r.inputs));
    assert.deepEqual(routes.find((r) => r.metadata.name === "dave-carol")!.spec.endpoint, { host: "carol.example.com", ports: [{ name: "http", protocol: "HTTP", pathPrefix: "/", isTLS: true, port: 443 }] });
    assert.deepEqual(routes.find((r) => r.metadata.name === "carol-dave")!.spec.endpoint.ports[0].port, 31080);

    const self = new NodePeering("loop", {
      a: { domainId: "erin", certificate: carol.certB64, endpoint: "http://x", provider },
      b: { domainId: "erin", certificate: dave.certB64, endpoint: "http://y", provider },
    });
    await assert.rejects(valueOf(self.routes), /cannot peer with itself/);
  });
});
