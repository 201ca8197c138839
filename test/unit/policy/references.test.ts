import { strict as assert } from "node:assert";
import { REFERENCES, ReferenceIndex, checkReferences, defaultPolicyConfiguration, loadPolicyConfiguration, rules, type PolicyConfig } from "../../../policy";

const K = "kuscia.secretflow/v1alpha1";
const domain = (name: string) => ({ apiVersion: K, kind: "Domain", metadata: { name, uid: `uid-${name}` }, spec: {} });
const appImage = (name: string) => ({ apiVersion: K, kind: "AppImage", metadata: { name }, spec: { deployTemplates: [{ name: "t", spec: { containers: [{ name: "c" }] } }] } });
const kd = (name: string, parties: [string, string][], initiator = parties[0]?.[0]) => ({
  apiVersion: K,
  kind: "KusciaDeployment",
  metadata: { name, namespace: "cross-domain", uid: `uid-${name}` },
  spec: { initiator, inputConfig: "{}", parties: parties.map(([domainID, appImageRef]) => ({ domainID, appImageRef })) },
});
const cdr = (source: string, destination: string) => ({ apiVersion: K, kind: "ClusterDomainRoute", metadata: { name: `${source}-${destination}` }, spec: { source, destination } });
const dr = (ns: string, source: string, destination: string) => ({ apiVersion: K, kind: "DomainRoute", metadata: { name: `${source}-${destination}`, namespace: ns }, spec: { source, destination } });
const interop = (host: string, members: string[]) => ({ apiVersion: K, kind: "InteropConfig", metadata: { name: `${host}-2-x` }, spec: { host, members } });
const config = defaultPolicyConfiguration();
const summary = (objs: unknown[], c: PolicyConfig = config) =>
  checkReferences(objs, { config: c }).flatMap((r) => [...r.violations, ...r.warnings, ...r.audits].map((f) => `${r.object.kind}/${r.object.name} ${f.rule} ${f.path}`));

describe("cross-object references", () => {
  it("are registered as rules, warnings by default, with the upstream controller as source", () => {
    const all = rules();
    for (const r of REFERENCES) {
      const info = all.find((x) => x.id === r.id);
      assert.ok(info, r.id);
      assert.equal(info.severity, "warning");
      assert.match(info.source ?? "", /^pkg\//);
      assert.equal(info.kind, `${r.from.apiVersion}/${r.from.kind}`);
    }
  });

  it("find nothing when every referenced object is there", () => {
    assert.deepEqual(summary([domain("alice"), domain("bob"), appImage("img"), kd("serving", [["alice", "img"], ["bob", "img"]]), cdr("alice", "bob"), dr("alice", "alice", "bob"), interop("alice", ["bob"])]), []);
  });

  it("name both objects: a KusciaDeployment's missing AppImage and party Domain", () => {
    const r = checkReferences([domain("alice"), kd("serving", [["alice", "img"], ["bob", "img"]])], { config });
    assert.equal(r.length, 1);
    assert.deepEqual(r[0].object, { apiVersion: K, kind: "KusciaDeployment", namespace: "cross-domain", name: "serving", uid: "uid-serving" });
    assert.deepEqual(r[0].warnings.map((w) => `${w.rule} ${w.path}`), ["ref.kd.appimage spec.parties[0].appImageRef", "ref.kd.appimage spec.parties[1].appImageRef", "ref.kd.domain spec.parties[1].domainID"]);
    assert.match(r[0].warnings[2].message, /^spec\.parties\[1\]\.domainID: names Domain "bob", which does not exist; the KusciaDeployment controller requeues it/);
    assert.deepEqual(r[0].violations, []);
  });

  it("check routes' and InteropConfigs' Domains", () => {
    assert.deepEqual(summary([domain("alice"), cdr("alice", "carol"), dr("alice", "dave", "alice"), interop("erin", ["alice", "frank"])]), [
      "ClusterDomainRoute/alice-carol ref.cdr.domain spec.destination",
      "DomainRoute/dave-alice ref.dr.domain spec.source",
      "InteropConfig/erin-2-x ref.interop.domain spec.host",
      "InteropConfig/erin-2-x ref.interop.domain spec.members[1]",
    ]);
  });

  it("check KusciaJobs' AppImages and party Domains", () => {
    const kj = { apiVersion: K, kind: "KusciaJob", metadata: { name: "job", namespace: "cross-domain" }, spec: { initiator: "alice", tasks: [{ alias: "a", appImage: "img", parties: [{ domainID: "alice" }, { domainID: "bob" }] }, { alias: "b", appImage: "other", parties: [{ domainID: "alice" }] }] } };
    assert.deepEqual(summary([domain("alice"), appImage("img"), kj]), ["KusciaJob/job ref.kj.appimage spec.tasks[1].appImage", "KusciaJob/job ref.kj.domain spec.tasks[0].parties[1].domainID"]);
    assert.deepEqual(summary([domain("alice"), domain("bob"), appImage("img"), appImage("other"), kj]), []);
  });

  it("check DomainDataGrants' DomainData and Domains, DomainData's DomainDataSource, namespaced", () => {
    const dd = (ns: string, name: string, dataSource?: string) => ({ apiVersion: K, kind: "DomainData", metadata: { name, namespace: ns }, spec: { author: ns, type: "table", relativeURI: "a.csv", ...(dataSource ? { dataSource } : {}) } });
    const dds = (ns: string, name: string) => ({ apiVersion: K, kind: "DomainDataSource", metadata: { name, namespace: ns }, spec: { type: "localfs" } });
    const ddg = (ns: string, author: string, domainDataID: string, grantDomain: string) => ({ apiVersion: K, kind: "DomainDataGrant", metadata: { name: "g", namespace: ns }, spec: { author, domainDataID, grantDomain } });
    assert.deepEqual(summary([domain("alice"), domain("bob"), dd("alice", "t1", "ds"), dds("alice", "ds"), ddg("alice", "alice", "t1", "bob")]), []);
    assert.deepEqual(summary([domain("alice"), dd("bob", "t1", "ds"), dds("bob", "ds"), dd("alice", "t2", "ds"), ddg("alice", "alice", "t1", "bob")]), [
      "DomainData/t2 ref.dd.domaindatasource spec.dataSource",
      "DomainDataGrant/g ref.ddg.domaindata spec.domainDataID",
      "DomainDataGrant/g ref.ddg.domain spec.grantDomain",
    ]);
    // A grant received from another domain (author is not the namespace): upstream does not look the data up.
    assert.deepEqual(summary([domain("alice"), domain("bob"), ddg("bob", "alice", "t9", "bob")]), []);
    // No dataSource: nothing to check (KusciaAPI fills its default).
    assert.deepEqual(summary([dd("alice", "t3")]), []);
  });

  it("follow the policy configuration: deny, off, exceptions", () => {
    const load = (yaml: string) => {
      const r = loadPolicyConfiguration(yaml, "policy.yaml");
      if ("errors" in r) throw new Error(r.errors.join("\n"));
      return r.config;
    };
    const objs = [cdr("alice", "bob")];
    const deny = checkReferences(objs, { config: load("rules:\n  ref.cdr.domain: deny\n") });
    assert.deepEqual(deny[0].violations.map((v) => v.path), ["spec.source", "spec.destination"]);
    assert.deepEqual(checkReferences(objs, { config: load("rules:\n  ref.*: off\n") }), []);
    const exc = checkReferences(objs, { config: load("exceptions:\n  - name: pending\n    reason: bob joins next week\n    match: {kinds: [ClusterDomainRoute], names: ['alice-*']}\n    rules: ['ref.*']\n") });
    assert.deepEqual(exc[0].audits.map((a) => a.reason), ["exception pending: bob joins next week", "exception pending: bob joins next week"]);
  });

  it("skip target kinds the caller could not list completely", () => {
    const idx = new ReferenceIndex();
    for (const o of [kd("serving", [["alice", "img"]])]) idx.add(o);
    const r = idx.results({ config, complete: new Set([`${K}/AppImage`]) });
    assert.deepEqual(r[0].warnings.map((w) => w.rule), ["ref.kd.appimage"]);
  });

  it("are indifferent to order and tolerate malformed objects", () => {
    const objs = [kd("serving", [["alice", "img"]]), { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "odd", namespace: "cross-domain" }, spec: { parties: "nope" } }, null, 7, domain("alice"), appImage("img")];
    assert.deepEqual(summary(objs), []);
    assert.deepEqual(summary([...objs].reverse()), []);
  });
});
