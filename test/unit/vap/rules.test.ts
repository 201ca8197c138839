/**
 * The CEL forms of the rules (policy/vap) against the rule book: they cover every rule
 * exactly once together with the reasons, and on every example, and on cases written for
 * the paths the examples do not reach, each CEL rule refuses exactly when review() reports
 * that rule, with the same message. Evaluated in-process (test/helpers/cel.ts); the real
 * API server is in test/e2e/vap.test.ts.
 */
import { strict as assert } from "node:assert";
import { deliverObject, review, ruleDefinitions, rules, type ReviewOptions } from "../../../policy";
import { CEL_RULES, vapCoverage, type CelRule } from "../../../policy/vap";
import { runCelRule } from "../../helpers/cel";
import { describeDoc, loadExamples } from "../../helpers/examples";

const K = "kuscia.secretflow/v1alpha1";

/** Disagreements between a CEL rule and review() on one object ("" when they agree). */
function compare(c: CelRule, object: Record<string, unknown>, opts: ReviewOptions = {}, checkMessage = true): string {
  const r = review(object, opts);
  const book = [...r.violations, ...r.warnings].filter((v) => v.rule === c.rule);
  const old = opts.oldObject ? deliverObject(opts.oldObject) : null;
  const cel = runCelRule(c, deliverObject(object), old, opts.operation === "UPDATE" ? "UPDATE" : "CREATE");
  if (cel.errors.length > 0) return `${c.rule}: CEL error ${cel.errors[0]}`;
  if ((cel.failed.length > 0) !== (book.length > 0)) return `${c.rule}: CEL ${cel.failed.length ? `refuses (${cel.failed[0]})` : "passes"}, review() ${book.length ? `reports ${book[0].message}` : "does not"}`;
  // With one finding the messages are equal; with several, the API server shows the first
  // failing validation, one per kind of finding, which must be one of the rule book's findings.
  const same = book.length === 1 ? cel.failed[0] === book[0].message : book.some((b) => b.message === cel.failed[0]);
  if (checkMessage && book.length > 0 && !same) return `${c.rule}: CEL says ${JSON.stringify(cel.failed[0])}, review() ${JSON.stringify(book.map((b) => b.message))}`;
  return "";
}

const celOf = (rule: string) => CEL_RULES.find((c) => c.rule === rule)!;
const rulesOfKind = (o: { apiVersion?: unknown; kind?: unknown }) => CEL_RULES.filter((c) => c.kind === `${o.apiVersion}/${o.kind}`);

describe("policy/vap: the CEL form of the rules", function () {
  it("gives every rule of the rule book, in its own definition, exactly one of a CEL form or a reason", () => {
    const ids = rules().map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, "rule ids are unique");
    const problems: string[] = [];
    for (const r of ruleDefinitions()) {
      const forms = ("cel" in r.vap ? 1 : 0) + ("unexpressible" in r.vap ? 1 : 0);
      if (forms !== 1) problems.push(`${r.id}: ${forms} forms`);
      else if ("cel" in r.vap && r.vap.cel.length === 0) problems.push(`${r.id}: a CEL form without validations`);
      else if ("unexpressible" in r.vap && r.vap.unexpressible.trim().length < 20) problems.push(`${r.id}: reason ${JSON.stringify(r.vap.unexpressible)} says too little`);
    }
    assert.deepEqual(problems, []);
    const coverage = vapCoverage();
    assert.deepEqual(coverage.map((c) => c.rule), ids);
    assert.deepEqual(CEL_RULES.map((c) => c.rule), coverage.filter((c) => c.cel).map((c) => c.rule));
  });

  it("files each CEL form under its rule's kind, UPDATE-only forms only for immutability rules", () => {
    const kindOf = new Map(rules().map((r) => [r.id, r.kind]));
    for (const c of CEL_RULES) {
      assert.equal(c.kind, kindOf.get(c.rule), c.rule);
      assert.equal(c.operations !== undefined, c.rule.endsWith(".immutable"), c.rule);
      // The generator re-reads expressions over oldObject for existing violations: only immutability rules may read it themselves.
      if (!c.operations) for (const v of c.validations) assert.doesNotMatch(v.expression, /oldObject/, c.rule);
    }
  });

  for (const which of ["accepted", "refused"] as const) {
    it(`agrees with review() on every ${which} example, rule by rule, with the same message`, () => {
      const problems: string[] = [];
      let compared = 0;
      for (const d of loadExamples(which)) {
        const o = d.object as Record<string, unknown>;
        for (const c of rulesOfKind(o)) {
          compared++;
          // Which party or port the message names is exact only when no value repeats three times (see rules.ts).
          const p = compare(c, o);
          if (p) problems.push(`${describeDoc(d)}: ${p}`);
        }
      }
      assert.deepEqual(problems, []);
      assert.ok(compared > 100, `compared ${compared}`);
    });
  }

  it("refuses each CEL-expressible refused example under the rule the example names", () => {
    const covered = loadExamples("refused").filter((d) => CEL_RULES.some((c) => c.rule === d.expectRule));
    assert.ok(covered.length >= 40, `${covered.length} examples`);
    for (const d of covered) {
      const res = runCelRule(celOf(d.expectRule!), deliverObject(d.object));
      assert.ok(res.failed.length > 0, `${describeDoc(d)} passes ${d.expectRule}`);
    }
  });

  describe("cases the examples do not reach", () => {
    const domain = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: K, kind: "Domain", metadata: { name }, spec });
    const interop = (host: string, members: string[]) => ({ apiVersion: K, kind: "InteropConfig", metadata: { name: "ic" }, spec: { host, members } });
    const kd = (parties: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({ apiVersion: K, kind: "KusciaDeployment", metadata: { name: "kd", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties, ...extra } });
    const route = (spec: Record<string, unknown>, name = "alice-bob") => ({ apiVersion: K, kind: "ClusterDomainRoute", metadata: { name }, spec: { source: "alice", destination: "bob", authenticationType: "None", ...spec } });
    const cases: [string, Record<string, unknown>][] = [
      ["a 64-character domain ID", domain("a".repeat(64))],
      ["a domain ID with a placeholder", domain("{{.DOMAIN_ID}}")],
      ["a reserved domain ID", domain("kube-system")],
      ["a long domain ID shown cut", domain(`${"a".repeat(100)}.b`)],
      ["two protocols", domain("dave", { interConnProtocols: ["bfia", "kuscia"] })],
      ["a partner with a quota", domain("erin", { role: "partner", cert: "x", resourceQuota: { podMaxCount: 3 } })],
      ["the host as first member", interop("bob", ["bob", "carol"])],
      ["a bad member after good ones", interop("bob", ["carol", "dave", "Eve"])],
      ["a member listed twice among others", interop("bob", ["carol", "dave", "carol"])],
      ["a party twice with a role", kd([{ domainID: "alice", role: "server", appImageRef: "img" }, { domainID: "bob", appImageRef: "img" }, { domainID: "alice", role: "server", appImageRef: "img" }])],
      ["the same domain in two roles", kd([{ domainID: "alice", role: "server", appImageRef: "img" }, { domainID: "alice", role: "client", appImageRef: "img" }])],
      ["an AppImage reference with a placeholder", kd([{ domainID: "alice", appImageRef: "{{.IMAGE}}" }])],
      ["an AppImage reference of 300 characters", kd([{ domainID: "alice", appImageRef: "a".repeat(300) }])],
      ["an initiator that is no party", kd([{ domainID: "bob", appImageRef: "img" }, { domainID: "carol", appImageRef: "img" }])],
      ["a route not named <source>-<destination>", route({}, "alice-to-bob")],
      ["a transit with an explicit THIRD-DOMAIN method and a bad domain", route({ transit: { transitMethod: "THIRD-DOMAIN", domain: { domainID: "Carol" } } })],
      ["a REVERSE-TUNNEL transit without a domain", route({ transit: { transitMethod: "REVERSE-TUNNEL" } })],
      ["an IflearnerJob with a dotted name", { apiVersion: "git.iflytek.com/v1", kind: "IflearnerJob", metadata: { name: "a.b" }, spec: { host: "h.example.com", role: "server", template: { spec: { containers: [{ name: "c" }] } } } }],
      ["an IflearnerJob with a bad host", { apiVersion: "git.iflytek.com/v1", kind: "IflearnerJob", metadata: { name: "ab" }, spec: { host: "Host_1", role: "server", template: { spec: { containers: [{ name: "c" }] } } } }],
      ["a KusciaJob with a bad interconn label", { apiVersion: K, kind: "KusciaJob", metadata: { name: "j", namespace: "cross-domain", labels: { "kuscia.secretflow/interconn-protocol-type": "grpc" } }, spec: { initiator: "alice", tasks: [{ alias: "a", appImage: "img", parties: [{ domainID: "alice" }] }] } }],
      ["a grant to itself with a bad data ID", { apiVersion: K, kind: "DomainDataGrant", metadata: { name: "g", namespace: "alice" }, spec: { author: "alice", grantDomain: "alice", domainDataID: "" } }],
      ["a job: empty bandwidth destination, a tolerable dependency, a repeated taskID", { apiVersion: K, kind: "KusciaJob", metadata: { name: "j", namespace: "cross-domain" }, spec: { initiator: "alice", tasks: [
        { alias: "a", taskID: "t-1", tolerable: true, appImage: "img", parties: [{ domainID: "alice", bandwidthLimits: [{ destinationID: "bob", limitKBps: 10 }, { destinationID: "", limitKBps: 5 }] }] },
        { alias: "b", taskID: "t-1", dependencies: ["a"], appImage: "img", parties: [{ domainID: "bob" }, { domainID: "bob", role: "x" }, { domainID: "bob", role: "x" }] },
      ] } }],
      ["a job whose second task names an unknown dependency among many aliases", { apiVersion: K, kind: "KusciaJob", metadata: { name: "j", namespace: "cross-domain" }, spec: { initiator: "alice", tasks: [
        { alias: "a", appImage: "img", parties: [{ domainID: "alice" }] },
        { alias: "b", dependencies: ["a", "zz"], appImage: "img", parties: [{ domainID: "alice", bandwidthLimits: [{ destinationID: "Bob!", limitKBps: 1 }] }] },
      ] } }],
      ["a job with a dotted taskID", { apiVersion: K, kind: "KusciaJob", metadata: { name: "j", namespace: "cross-domain" }, spec: { initiator: "alice", tasks: [{ alias: "a", taskID: "psi.v1", appImage: "img", parties: [{ domainID: "alice" }] }] } }],
      ["a dotted job name with a task without taskID", { apiVersion: K, kind: "KusciaJob", metadata: { name: "psi.v1", namespace: "cross-domain" }, spec: { initiator: "alice", tasks: [{ alias: "a", taskID: "a-1", appImage: "img", parties: [{ domainID: "alice" }] }, { alias: "b", appImage: "img", parties: [{ domainID: "alice" }] }] } }],
      ["a dotted KusciaTask name", { apiVersion: K, kind: "KusciaTask", metadata: { name: "t.1", namespace: "cross-domain" }, spec: { initiator: "alice", parties: [{ domainID: "alice", appImageRef: "img" }] } }],
      ["a task with more reserved members than parties and a negative minReservedPods", { apiVersion: K, kind: "KusciaTask", metadata: { name: "t", namespace: "cross-domain" }, spec: { initiator: "alice", scheduleConfig: { minReservedMembers: 3 }, parties: [{ domainID: "alice", appImageRef: "img", minReservedPods: -1 }] } }],
      ["an AppImage with a bad tag", { apiVersion: K, kind: "AppImage", metadata: { name: "img" }, spec: { image: { name: "secretflow/app", tag: "-latest" }, deployTemplates: [{ name: "d", spec: { containers: [{ name: "c" }] } }] } }],
      ["a DomainAppImage listing a tag twice after a bad one", { apiVersion: K, kind: "DomainAppImage", metadata: { name: "img", namespace: "alice" }, spec: { image: { name: "secretflow/app" }, images: [{ tag: "{{.TAG}}", id: "1" }, { tag: "1.0", id: "2" }, { tag: "1.0", id: "3" }] } }],
      ["data escaping its source, owned by another domain", { apiVersion: K, kind: "DomainData", metadata: { name: "t", namespace: "alice" }, spec: { type: "table", relativeURI: "a/../b.csv", author: "bob", dataSource: "Bad_DS" } }],
      ["a grant in a third namespace", { apiVersion: K, kind: "DomainDataGrant", metadata: { name: "g", namespace: "carol" }, spec: { author: "alice", grantDomain: "bob", domainDataID: "t" } }],
      ["a config mount naming no template of two", { apiVersion: K, kind: "AppImage", metadata: { name: "img" }, spec: { image: { name: "secretflow/app", tag: "1" }, configTemplates: { "a.conf": "x", "b.conf": "y" }, deployTemplates: [{ name: "d", spec: { containers: [{ name: "c" }, { name: "e", configVolumeMounts: [{ mountPath: "/a", subPath: "a.conf" }, { mountPath: "/c", subPath: "c.conf" }] }] } }] } }],
      ["a config mount with no templates at all", { apiVersion: K, kind: "AppImage", metadata: { name: "img" }, spec: { image: { name: "secretflow/app", tag: "1" }, deployTemplates: [{ name: "d", spec: { containers: [{ name: "e", configVolumeMounts: [{ mountPath: "/c", subPath: "c.conf" }] }] } }] } }],
      ["a localfs source with a relative path and an ignored key", { apiVersion: K, kind: "DomainDataSource", metadata: { name: "s", namespace: "alice" }, spec: { type: "localfs", uri: "var/data", data: { encryptedInfo: "x", "the host": "h" } } }],
      ["an oss source with a scheme", { apiVersion: K, kind: "DomainDataSource", metadata: { name: "s", namespace: "alice" }, spec: { type: "oss", uri: "OSS://bucket/prefix", infoKey: "k", data: { region: "r" } } }],
      ["data in a reserved namespace", { apiVersion: K, kind: "DomainData", metadata: { name: "t", namespace: "default" }, spec: { type: "table", relativeURI: "t.csv" } }],
    ];
    for (const [what, o] of cases) {
      it(what, () => {
        const problems = rulesOfKind(o).map((c) => compare(c, o)).filter(Boolean);
        assert.deepEqual(problems, []);
        // Each case is there for a finding, except the two that check nothing is reported.
        const passes = ["the same domain in two roles", "a REVERSE-TUNNEL transit without a domain"].includes(what);
        const r = review(o);
        assert.equal(r.violations.length + r.warnings.length === 0, passes, JSON.stringify(r.violations));
      });
    }

    it("never quotes a value that may hold a credential (the webhook masks it; CEL hides it whole)", () => {
      const g = { apiVersion: K, kind: "DomainDataGrant", metadata: { name: "g", namespace: "alice" }, spec: { author: "alice", grantDomain: "bob", domainDataID: "mysql://root:s3cret-pw@tcp(db:3306)/kuscia" } };
      const book = review(g).violations.find((v) => v.rule === "ddg.name")!;
      assert.doesNotMatch(book.message, /s3cret/);
      const cel = runCelRule(celOf("ddg.name"), g);
      assert.equal(cel.failed.length, 1);
      assert.doesNotMatch(cel.failed[0], /s3cret/);
      assert.match(cel.failed[0], /^spec\.domainDataID: "\*\*\*" is not a valid Kuscia ID/);
    });

    it("an immutable field changed on UPDATE, and left alone", () => {
      const c = celOf("interop.host.immutable");
      assert.equal(compare(c, interop("bob", ["carol"]), { operation: "UPDATE", oldObject: interop("alice", ["carol"]) }), "");
      assert.equal(compare(c, interop("alice", ["dave"]), { operation: "UPDATE", oldObject: interop("alice", ["carol"]) }), "");
      const cdr = celOf("cdr.destination.immutable");
      assert.equal(compare(cdr, route({ destination: "carol" }, "alice-carol"), { operation: "UPDATE", oldObject: route({}) }), "");
      assert.ok(runCelRule(cdr, route({ destination: "carol" }), route({}), "UPDATE").failed.length === 1);
      assert.equal(runCelRule(cdr, route({ destination: "carol" }), null, "CREATE").failed.length, 0, "UPDATE only");
    });
  });
});
