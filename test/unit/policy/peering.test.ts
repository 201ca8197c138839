import { strict as assert } from "node:assert";
import { checkPeering, defaultPolicyConfiguration, rules } from "../../../policy";
import { policyConfigFromObject } from "../../../policyfile/read";
import { makeCert, pkcs1B64 } from "../../helpers/certs";

const KD = "kuscia.secretflow/v1alpha1";

describe("rule book: both sides of a peering (peer.*)", () => {
  let alice: Awaited<ReturnType<typeof makeCert>>;
  let bob: Awaited<ReturnType<typeof makeCert>>;
  before(async () => {
    // Two sizes, two keys (the factory keeps one key per shape).
    alice = await makeCert({ cn: "alice", bits: 2048 });
    bob = await makeCert({ cn: "bob", bits: 3072 });
  });
  const node = (id: string, keyPem: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `kuscia-autonomy-${id}-cm`, namespace: `autonomy-${id}`, labels: { "kuscia.secretflow/config": "true" } },
    data: { "kuscia.yaml": `mode: autonomy\ndomainID: ${id}\ndomainKeyData: ${pkcs1B64(keyPem)}\n` },
  });
  const domain = (id: string, cert: string, role = "partner") => ({ apiVersion: KD, kind: "Domain", metadata: { name: id }, spec: { role, cert } });
  const route = (src: string, dst: string, auth = "Token") => ({ apiVersion: KD, kind: "ClusterDomainRoute", metadata: { name: `${src}-${dst}` }, spec: { source: src, destination: dst, authenticationType: auth } });
  const found = (objects: unknown[], config = defaultPolicyConfiguration()) =>
    checkPeering(objects, { config }).flatMap((r) => [...r.violations.map((f) => `deny ${r.index} ${f.rule} ${f.path}`), ...r.warnings.map((f) => `warn ${r.index} ${f.rule} ${f.path}`), ...r.audits.map((f) => `audit ${r.index} ${f.rule}`)]);

  it("are rules of the rule book, errors, with their upstream sources", () => {
    for (const id of ["peer.cert", "peer.route"]) {
      const r = rules().find((x) => x.id === id);
      assert.equal(r?.severity, "error", id);
      assert.match(r?.source ?? "", /^(pkg|scripts)\//, id);
    }
  });

  it("a Domain whose certificate is not of its declared node's key is refused, at that Domain; the right one passes", () => {
    assert.deepEqual(found([node("bob", bob.keyPkcs8Pem), domain("bob", bob.certB64)]), []);
    assert.deepEqual(found([node("bob", bob.keyPkcs8Pem), domain("bob", alice.certB64)]), ["deny 1 peer.cert spec.cert"]);
    // Also a lite node's own Domain on the master (role ""): isCertMatch compares the same way.
    assert.deepEqual(found([domain("bob", alice.certB64, ""), node("bob", bob.keyPkcs8Pem)]), ["deny 0 peer.cert spec.cert"]);
    // Without the node in the set there is nothing to compare with.
    assert.deepEqual(found([domain("bob", alice.certB64)]), []);
  });

  it("routes between two declared nodes go both ways with the same authenticationType", () => {
    const nodes = [node("alice", alice.keyPkcs8Pem), node("bob", bob.keyPkcs8Pem)];
    assert.deepEqual(found([...nodes, route("alice", "bob"), route("bob", "alice")]), []);
    assert.deepEqual(found([...nodes, route("alice", "bob")]), ["deny 2 peer.route spec.destination"]);
    assert.deepEqual(found([...nodes, route("alice", "bob"), route("bob", "alice", "MTLS")]), ["deny 2 peer.route spec.authenticationType", "deny 3 peer.route spec.authenticationType"]);
    // One node only: the route back lives in the other node's cluster, not in this set.
    assert.deepEqual(found([nodes[0], route("alice", "bob")]), []);
  });

  it("follow the policy configuration like any rule", () => {
    const objs = [node("bob", bob.keyPkcs8Pem), domain("bob", alice.certB64)];
    assert.deepEqual(found(objs, policyConfigFromObject({ rules: { "peer.cert": "warn" } }, "t").config), ["warn 1 peer.cert spec.cert"]);
    assert.deepEqual(found(objs, policyConfigFromObject({ rules: { "peer.*": "audit" } }, "t").config), ["audit 1 peer.cert"]);
    assert.deepEqual(found(objs, policyConfigFromObject({ rules: { "peer.cert": "off" } }, "t").config), []);
  });
});
