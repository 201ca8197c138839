import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AppImage, ClusterDomainRoute, Domain, InteropConfig, KusciaDeployment, NodePeering } from "../../../components";
import { READINESS, defaultWaitFor } from "../../../components/ready";
import { useMocks, valueOf } from "./harness";
import { makeCert } from "../../helpers/certs";

const KUSCIA = "kubernetes:kuscia.secretflow/v1alpha1:";
const WAIT = "pulumi.com/waitFor";
const token = { tokenGenMethod: "RSA-GEN" as const };

describe("components: pulumi.com/waitFor on emitted Kuscia custom resources", () => {
  const mocks = useMocks();
  const annotationsOf = (kind: string) => mocks.ofType(`${KUSCIA}${kind}`).map((r) => r.inputs.metadata.annotations ?? {});

  it("a route waits for its Ready condition, a KusciaDeployment for phase Available, a local Domain for a Ready node", async () => {
    const r = new ClusterDomainRoute("route", { source: "alice", destination: "bob", authenticationType: "Token", tokenConfig: token });
    const d = new Domain("alice", { name: "alice", emit: "custom-resource" });
    const kd = new KusciaDeployment("kd", { name: "kd", initiator: "alice", parties: [{ domainID: "alice", appImageRef: "img" }], emit: "custom-resource" });
    await Promise.all([valueOf(r.created), valueOf(d.created), valueOf(kd.created)]);
    assert.deepEqual(annotationsOf("ClusterDomainRoute"), [{ [WAIT]: "condition=Ready" }]);
    assert.deepEqual(annotationsOf("KusciaDeployment"), [{ [WAIT]: "jsonpath={.status.phase}=Available" }]);
    assert.deepEqual(annotationsOf("Domain"), [{ [WAIT]: 'jsonpath={.status.nodeStatuses[?@.status=="Ready"].name}' }]);
  });

  it("also when the object is only known later (Output arguments)", async () => {
    const r = new ClusterDomainRoute("route", { name: "alice-bob", source: pulumi.output("alice"), destination: pulumi.output("bob"), authenticationType: "Token", tokenConfig: token });
    await valueOf(r.created);
    assert.deepEqual(annotationsOf("ClusterDomainRoute"), [{ [WAIT]: "condition=Ready" }]);
  });

  it("not where upstream writes no readiness: a partner Domain, an AppImage, an InteropConfig, native objects", async () => {
    const cert = await makeCert({ cn: "bob" });
    const p = new Domain("bob", { name: "bob", role: "partner", cert: cert.certB64, emit: "custom-resource" });
    const img = new AppImage("img", { image: { name: "secretflow/serving-anolis8", tag: "latest" }, deployTemplates: [{ name: "t", spec: { containers: [{ name: "c", workingDir: "/work" }] } }], emit: "custom-resource" });
    const ic = new InteropConfig("ic", { host: "alice", members: ["bob"], emit: "custom-resource" });
    const native = new Domain("carol", { name: "carol" });
    await Promise.all([valueOf(p.created), valueOf(img.created), valueOf(ic.created), valueOf(native.created)]);
    for (const kind of ["Domain", "AppImage", "InteropConfig"]) for (const a of annotationsOf(kind)) assert.equal(a[WAIT], undefined, kind);
    assert.deepEqual(["Domain", "AppImage", "InteropConfig"].map((k) => annotationsOf(k).length), [1, 1, 1]);
    for (const r of mocks.registered.filter((x) => x.type.startsWith("kubernetes:core/"))) assert.equal(r.inputs.metadata.annotations?.[WAIT], undefined, r.name);
  });

  it("a component's own waitFor wins, skipAwait waits for nothing, timeoutSeconds bounds the default wait", async () => {
    const mine = new ClusterDomainRoute("a", { source: "alice", destination: "bob", authenticationType: "Token", tokenConfig: token, waitFor: "jsonpath={.status.tokenStatus.revision}" });
    const skip = new ClusterDomainRoute("b", { source: "alice", destination: "carol", authenticationType: "Token", tokenConfig: token, skipAwait: true });
    const bounded = new ClusterDomainRoute("c", { source: "alice", destination: "dave", authenticationType: "Token", tokenConfig: token, timeoutSeconds: 120 });
    await Promise.all([valueOf(mine.created), valueOf(skip.created), valueOf(bounded.created)]);
    const byName = new Map(mocks.ofType(`${KUSCIA}ClusterDomainRoute`).map((r) => [r.inputs.metadata.name, r.inputs.metadata.annotations]));
    assert.deepEqual(byName.get("alice-bob"), { [WAIT]: "jsonpath={.status.tokenStatus.revision}" });
    assert.deepEqual(byName.get("alice-carol"), { "pulumi.com/skipAwait": "true" });
    assert.deepEqual(byName.get("alice-dave"), { "pulumi.com/timeoutSeconds": "120", [WAIT]: "condition=Ready" });
  });

  it("a NodePeering's routes wait for Ready (its partner Domains for nothing), unless it is given skipAwait", async () => {
    const [a, b] = await Promise.all([makeCert({ cn: "alice", bits: 2048 }), makeCert({ cn: "bob", bits: 3072 })]);
    const provider = new k8s.Provider("kuscia", { kubeconfig: "{}" });
    const peer = (id: string, cert: string) => ({ domainId: id, certificate: cert, endpoint: `http://kuscia-autonomy-${id}.autonomy-${id}.svc.cluster.local:1080`, provider });
    const waiting = new NodePeering("ab", { a: peer("alice", a.certB64), b: peer("bob", b.certB64) });
    await valueOf(waiting.created);
    assert.deepEqual(annotationsOf("ClusterDomainRoute"), [{ [WAIT]: "condition=Ready" }, { [WAIT]: "condition=Ready" }]);
    assert.equal(annotationsOf("Domain").length, 2);
    for (const d of annotationsOf("Domain")) assert.equal(d[WAIT], undefined);
    mocks.registered.length = 0;
    const skipping = new NodePeering("cd", { a: peer("carol", a.certB64), b: peer("dave", b.certB64), skipAwait: true });
    await valueOf(skipping.created);
    assert.deepEqual(annotationsOf("ClusterDomainRoute"), [{ "pulumi.com/skipAwait": "true" }, { "pulumi.com/skipAwait": "true" }]);
  });

  it("every expression has the provider's syntax and every entry names its upstream source", () => {
    for (const r of READINESS) {
      assert.match(r.waitFor, /^(condition=[A-Za-z]+(=\w+)?|jsonpath=\{[^{}]+\}(=[^=].*)?)$/, r.kind);
      assert.match(r.source, /^pkg\/controllers\/\w+\/\w+\.go: \w+/, r.kind);
    }
    assert.equal(defaultWaitFor({ kind: "KusciaJob" }), undefined);
  });
});
