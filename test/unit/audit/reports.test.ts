import { strict as assert } from "node:assert";
import { buildReports, canonical } from "../../../audit/policyreport";
import { certificateMetricsText, certificatesOf } from "../../../audit/certificates";
import type { AuditResult } from "../../../audit/scan";
import { DAY, makeCert } from "../../helpers/certs";

const result = (over: Partial<AuditResult>): AuditResult => ({
  file: "cluster:test",
  index: 0,
  line: 0,
  apiVersion: "kuscia.secretflow/v1alpha1",
  kind: "Domain",
  name: "x",
  policy: "domain",
  allowed: true,
  violations: [],
  warnings: [],
  audits: [],
  patch: [],
  ...over,
});

const results: AuditResult[] = [
  result({ name: "bad", uid: "u1", allowed: false, violations: [{ path: "spec.role", rule: "domain.role", message: "spec.role: bad", line: 0 }] }),
  result({ kind: "KusciaDeployment", policy: "kd", name: "kd1", namespace: "cross-domain", uid: "u2", warnings: [{ path: "spec.parties[0].appImageRef", rule: "ref.kd.appimage", message: "m", line: 0 }] }),
  result({ kind: "DomainRoute", policy: "dr", name: "r", namespace: "alice", audits: [{ path: "", rule: "dr.name", message: "n", line: 0, reason: "exception e: why" }, { path: "", rule: "dr.x", message: "o", line: 0, reason: "audit" }] }),
];

describe("audit: PolicyReports", () => {
  it("one PolicyReport per namespace and a ClusterPolicyReport, in the wgpolicyk8s.io/v1alpha2 shape", () => {
    const r = buildReports(results, new Map([["", 3], ["alice", 1]]));
    assert.deepEqual(r.map((x) => `${x.kind} ${x.metadata.namespace ?? ""}/${x.metadata.name}`), ["ClusterPolicyReport /kuscia-iac", "PolicyReport alice/kuscia-iac", "PolicyReport cross-domain/kuscia-iac"]);
    const cluster = r[0];
    assert.equal(cluster.apiVersion, "wgpolicyk8s.io/v1alpha2");
    assert.deepEqual(cluster.summary, { pass: 3, fail: 1, warn: 0, error: 0, skip: 0 });
    assert.deepEqual(cluster.results[0], {
      source: "kuscia-iac",
      policy: "domain",
      rule: "domain.role",
      result: "fail",
      severity: "high",
      category: "Kuscia",
      scored: true,
      message: "spec.role: bad",
      resources: [{ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", name: "bad", uid: "u1" }],
      properties: { path: "spec.role", action: "deny" },
    });
    assert.deepEqual(r[1].summary, { pass: 1, fail: 0, warn: 1, error: 0, skip: 1 });
    assert.deepEqual(r[1].scope, { apiVersion: "v1", kind: "Namespace", name: "alice" });
    assert.deepEqual(r[2].results.map((x) => [x.result, x.severity, x.resources[0].namespace]), [["warn", "medium", "cross-domain"]]);
  });

  it("are byte-identical for the same findings in any order", () => {
    const a = JSON.stringify(buildReports(results));
    const b = JSON.stringify(buildReports([...results].reverse()));
    assert.equal(a, b);
    assert.equal(canonical(JSON.parse(a)), canonical(buildReports(results)));
  });

  it("leave out namespaces without findings", () => {
    assert.deepEqual(buildReports([result({ namespace: "alice", name: "ok" })], new Map([["alice", 4]])), []);
  });
});

describe("audit: certificate inventory", () => {
  it("exports each Domain and route certificate's notAfter as a gauge, sorted", async () => {
    const notAfter = new Date(Math.floor((Date.now() + 40 * DAY) / 1000) * 1000);
    const c = await makeCert({ cn: "alice", notAfter });
    const objs = [
      { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "alice" }, spec: { cert: c.certB64 } },
      { apiVersion: "kuscia.secretflow/v1alpha1", kind: "DomainRoute", metadata: { name: "a-b", namespace: "alice" }, spec: { mTLSConfig: { sourceClientCert: c.certB64, tlsCA: "not a cert" } } },
      { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "nocert" }, spec: {} },
    ];
    const entries = objs.flatMap(certificatesOf);
    assert.deepEqual(entries.map((e) => `${e.kind} ${e.namespace}/${e.name} ${e.field}`), ["Domain /alice spec.cert", "DomainRoute alice/a-b spec.mTLSConfig.sourceClientCert"]);
    const text = await certificateMetricsText([...entries].reverse());
    const secs = notAfter.getTime() / 1000;
    assert.match(text, /# TYPE kuscia_iac_certificate_expiry_timestamp_seconds gauge/);
    assert.ok(text.includes(`kuscia_iac_certificate_expiry_timestamp_seconds{kind="Domain",namespace="",name="alice",field="spec.cert"} ${secs}\n`), text);
    assert.ok(text.indexOf('kind="Domain"') < text.indexOf('kind="DomainRoute"'));
    assert.equal(text, await certificateMetricsText(entries));
  });
});
