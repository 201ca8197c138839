import { strict as assert } from "node:assert";
import { buildReports, canonical, MAX_RESULT_BYTES, TRUNCATED_RULE } from "../../../audit/policyreport";
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
    assert.deepEqual(r[2].results.map((x) => [x.result, x.severity, x.resources![0].namespace]), [["warn", "medium", "cross-domain"]]);
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

  it("in the OpenReports shape: openreports.io/v1alpha1 Report and ClusterReport, with the source and the cap as configuration", () => {
    const r = buildReports(results, new Map([["", 3], ["alice", 1]]), { api: "openreports", maxResults: 50 });
    assert.deepEqual(r.map((x) => `${x.apiVersion} ${x.kind} ${x.metadata.namespace ?? ""}/${x.metadata.name}`), [
      "openreports.io/v1alpha1 ClusterReport /kuscia-iac",
      "openreports.io/v1alpha1 Report alice/kuscia-iac",
      "openreports.io/v1alpha1 Report cross-domain/kuscia-iac",
    ]);
    assert.equal(r[0].source, "kuscia-iac");
    assert.deepEqual(r[1].configuration, { limits: { maxResults: 50 } });
    const wg = buildReports(results, new Map([["", 3], ["alice", 1]]));
    assert.deepEqual(r.map((x) => [x.summary, x.results, x.scope]), wg.map((x) => [x.summary, x.results, x.scope]), "the same results and summaries as the PolicyReports");
    assert.equal(wg[0].source, undefined, "wgpolicyk8s v1alpha2 has no report-level source");
    assert.equal(wg[0].configuration, undefined);
  });
});

describe("audit: report volume is bounded", () => {
  /** n objects in one namespace, each with one finding; every third refused. */
  const many = (n: number, message = (i: number) => `finding ${i}`): AuditResult[] =>
    Array.from({ length: n }, (_, i) =>
      result({
        kind: "KusciaDeployment",
        policy: "kd",
        namespace: "bulk",
        name: `kd-${String(i).padStart(5, "0")}`,
        ...(i % 3 === 0 ? { allowed: false, violations: [{ path: "spec.initiator", rule: "kd.initiator", message: message(i), line: 0 }] } : { warnings: [{ path: "spec.parties[0].appImageRef", rule: "ref.kd.appimage", message: message(i), line: 0 }] }),
      }),
    );

  it("keeps at most maxResults results, refusals first, the last counting what was left out by outcome and rule", () => {
    const [r] = buildReports(many(2500), new Map([["bulk", 7]]), { maxResults: 1000 });
    assert.equal(r.results.length, 1000);
    assert.deepEqual(r.summary, { pass: 7, fail: 834, warn: 1666, error: 0, skip: 0 }, "the summary counts every finding");
    const last = r.results[999];
    assert.equal(last.rule, TRUNCATED_RULE);
    assert.equal(last.resources, undefined, "about the report's scope, not an object");
    assert.deepEqual(last.properties, { omitted: "1501", total: "2500", omittedFail: "0", omittedWarn: "1501", omittedSkip: "0" });
    assert.match(last.message, /^1501 of 2500 results not shown \(a report holds at most 1000; refusals are kept first\): 1501 warn; by rule: ref\.kd\.appimage 1501\./);
    const kept = r.results.slice(0, 999);
    assert.equal(kept.filter((x) => x.result === "fail").length, 834, "every refusal kept");
    const names = kept.map((x) => x.resources![0].name);
    assert.deepEqual(names, [...names].sort(), "kept results stay sorted");
    assert.equal(JSON.stringify(buildReports(many(2500).reverse(), new Map([["bulk", 7]]), { maxResults: 1000 })), JSON.stringify([r]), "the same bytes in any order");
  });

  it("keeps at most 1 MiB of results, however long the messages", () => {
    const [r] = buildReports(many(600, (i) => `${i} ${"x".repeat(4000)}`), new Map(), { maxResults: 1000 });
    assert.ok(JSON.stringify(r.results).length <= MAX_RESULT_BYTES, `${JSON.stringify(r.results).length} bytes`);
    assert.ok(r.results.length > 200 && r.results.length < 600, String(r.results.length));
    assert.equal(r.results.at(-1)!.rule, TRUNCATED_RULE);
    assert.equal(Number(r.results.at(-1)!.properties.omitted) + r.results.length - 1, 600);
  });

  it("leaves a report under the cap as it is, and refuses a cap below 2", () => {
    const [r] = buildReports(many(10), new Map(), { maxResults: 10 });
    assert.equal(r.results.length, 10);
    assert.ok(r.results.every((x) => x.rule !== TRUNCATED_RULE));
    assert.throws(() => buildReports(many(3), new Map(), { maxResults: 1 }), RangeError);
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
