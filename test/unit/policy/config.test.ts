import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { MAX_CONFIG_BYTES } from "../../../policy/config/compile";
import { readPolicyBytes, readPolicyText } from "../../../policyfile/read";
import { loadPolicyConfiguration, policyConfigurationOf, review, rules, type PolicyConfig } from "../../../policy";
import { EXISTING_NOTE } from "../../../policy/config/apply";
import { DAY, makeCert } from "../../helpers/certs";

const config = (yaml: string, now?: Date): PolicyConfig => {
  const r = loadPolicyConfiguration(yaml, "policy.yaml", now);
  if ("errors" in r) throw new Error(r.errors.join("\n"));
  return r.config;
};
const errorsOf = (yaml: string): string[] => {
  const r = loadPolicyConfiguration(yaml, "policy.yaml");
  return "errors" in r ? r.errors : [];
};
const interop = (name: string, host = "bob", members = ["bob"]) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name }, spec: { host, members } });
const domain = (name: string, spec: Record<string, unknown>, labels?: Record<string, string>) => ({
  apiVersion: "kuscia.secretflow/v1alpha1",
  kind: "Domain",
  metadata: { name, ...(labels ? { labels } : {}) },
  spec,
});
const ids = (fs: { rule: string }[]) => fs.map((f) => f.rule);

describe("policy configuration", () => {
  describe("actions", () => {
    it("deny is the default for errors: a host among its members is refused", () => {
      const r = review(interop("x"));
      assert.equal(r.allowed, false);
      assert.deepEqual(ids(r.violations), ["interop.members"]);
    });

    it("warn turns the refusal into a warning with the same message", () => {
      const r = review(interop("x"), { config: config("rules:\n  interop.members: warn\n") });
      assert.equal(r.allowed, true);
      assert.deepEqual(ids(r.warnings), ["interop.members"]);
      assert.match(r.warnings[0].message, /^spec\.members/);
    });

    it("audit allows silently and records the finding", () => {
      const r = review(interop("x"), { config: config("rules:\n  interop.members: {action: audit}\n") });
      assert.equal(r.allowed, true);
      assert.deepEqual(r.warnings, []);
      assert.deepEqual(ids(r.audits), ["interop.members"]);
      assert.equal(r.audits[0].reason, "audit");
    });

    it("off drops the rule's findings", () => {
      const r = review(interop("x"), { config: config("rules:\n  interop.*: off\n") });
      assert.deepEqual([r.allowed, r.violations, r.warnings, r.audits], [true, [], [], []]);
    });

    it("a warning rule can be made to deny, and an exact id wins over a glob", () => {
      const d = domain("alice", { interConnProtocols: ["kuscia", "bfia"] });
      const c = config("rules:\n  domain.*: off\n  domain.interconn-protocols.single: deny\n");
      const r = review(d, { config: c });
      assert.deepEqual(ids(r.violations), ["domain.interconn-protocols.single"]);
    });

    it("rules(config) shows the action of each rule", () => {
      const c = config("rules:\n  interop.members: audit\n");
      const byId = new Map(rules(c).map((r) => [r.id, r.action]));
      assert.equal(byId.get("interop.members"), "audit");
      assert.equal(byId.get("interop.host"), "deny");
      assert.equal(byId.get("domain.interconn-protocols.single"), "warn");
    });
  });

  describe("exceptions", () => {
    const c = (expires = "2099-01-01") =>
      config(`exceptions:\n  - name: legacy-x\n    reason: migrating the x interop by June\n    expires: "${expires}"\n    match: {kinds: [InteropConfig], names: ["legacy-*"]}\n    rules: ["interop.member*"]\n`);

    it("admit the object they match and not its neighbour", () => {
      const ok = review(interop("legacy-a"), { config: c() });
      assert.equal(ok.allowed, true);
      assert.deepEqual(ids(ok.audits), ["interop.members"]);
      assert.match(ok.audits[0].reason, /^exception legacy-x: migrating/);
      const neighbour = review(interop("new-a"), { config: c() });
      assert.equal(neighbour.allowed, false);
    });

    it("stop applying after they expire", () => {
      const r = review(interop("legacy-a"), { config: c("2020-01-01") });
      assert.equal(r.allowed, false);
    });

    it("match kinds by name or by apiVersion/kind, and namespaces", () => {
      const k = config(
        "exceptions:\n  - name: n\n    reason: r\n    match: {kinds: [kuscia.secretflow/v1alpha1/KusciaDeployment], namespaces: [team-*]}\n    rules: [kd.namespace]\n",
      );
      const kd = (ns: string) => ({
        apiVersion: "kuscia.secretflow/v1alpha1",
        kind: "KusciaDeployment",
        metadata: { name: "k", namespace: ns },
        spec: { initiator: "alice", inputConfig: "", parties: [{ domainID: "alice", appImageRef: "img" }] },
      });
      assert.deepEqual(ids(review(kd("team-a"), { config: k }).violations), []);
      assert.deepEqual(ids(review(kd("other"), { config: k }).violations), ["kd.namespace"]);
    });
  });

  describe("existing violations on UPDATE", function () {
    const now = new Date();

    it("allow a label-only update of a Domain whose certificate had already expired, with a warning", async () => {
      const expired = await makeCert({ cn: "alice", notBefore: new Date(now.getTime() - 400 * DAY), notAfter: new Date(now.getTime() - DAY) });
      const old = domain("alice", { role: "partner", cert: expired.certB64 });
      const updated = domain("alice", { role: "partner", cert: expired.certB64 }, { "kuscia.secretflow/domain-auth": "true" });
      assert.equal(review(old, { now }).allowed, false, "the stored object breaks the rule");
      const r = review(updated, { operation: "UPDATE", oldObject: old, now });
      assert.equal(r.allowed, true, JSON.stringify(r.violations));
      assert.deepEqual(ids(r.warnings), ["domain.cert.validity"]);
      assert.ok(r.warnings[0].message.endsWith(EXISTING_NOTE));
    });

    it("refuse an update that changes the offending field, even to another bad value", async () => {
      const a = await makeCert({ cn: "alice", notBefore: new Date(now.getTime() - 400 * DAY), notAfter: new Date(now.getTime() - DAY) });
      const b = await makeCert({ cn: "alice", notBefore: new Date(now.getTime() - 300 * DAY), notAfter: new Date(now.getTime() - 2 * DAY) });
      const r = review(domain("alice", { role: "partner", cert: b.certB64 }), { operation: "UPDATE", oldObject: domain("alice", { role: "partner", cert: a.certB64 }), now });
      assert.deepEqual(ids(r.violations), ["domain.cert.validity"]);
    });

    it("refuse a violation the update introduces", () => {
      const r = review(interop("x", "bob", ["bob"]), { operation: "UPDATE", oldObject: interop("x", "bob", ["carol"]) });
      assert.deepEqual(ids(r.violations), ["interop.members"]);
    });

    it("can be switched off per rule", async () => {
      const expired = await makeCert({ cn: "alice", notBefore: new Date(now.getTime() - 400 * DAY), notAfter: new Date(now.getTime() - DAY) });
      const old = domain("alice", { role: "partner", cert: expired.certB64 });
      const c = config("rules:\n  domain.cert.validity: {allowExistingViolations: false}\n");
      const r = review(domain("alice", { role: "partner", cert: expired.certB64 }, { a: "b" }), { operation: "UPDATE", oldObject: old, now, config: c });
      assert.deepEqual(ids(r.violations), ["domain.cert.validity"]);
    });

    it("compare the embedded file, not a field inside it, for kuscia.yaml findings", () => {
      const cm = (text: string, labels: Record<string, string> = {}) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", labels: { "kuscia.secretflow/config": "true", ...labels } },
        data: { "kuscia.yaml": text },
      });
      const bad = "mode: autonomy\ndomainID: Alice_1\n";
      const worse = "mode: autonomy\ndomainID: Alice_1\nlogLevel: INFO\n";
      const relabel = review(cm(bad, { x: "y" }), { operation: "UPDATE", oldObject: cm(bad) });
      assert.ok(!ids(relabel.violations).includes("nodeconfig.domain-id"), "a relabel keeps the existing violation");
      const edit = review(cm(worse), { operation: "UPDATE", oldObject: cm(bad) });
      assert.ok(ids(edit.violations).includes("nodeconfig.domain-id"), "editing the file re-judges it");
    });
  });

  describe("the object as the API server delivers it", () => {
    it("prunes a null role, as add_domain.sh renders a local Domain", () => {
      const r = review(domain("alice", { role: null, cert: null, authCenter: { authenticationType: "Token", tokenGenMethod: "RSA-GEN" } }));
      assert.deepEqual(r.violations, []);
    });

    it("refuses a partner Domain whose cert is null with the partner-certificate rule", () => {
      const r = review(domain("bob", { role: "partner", cert: null }));
      assert.deepEqual(ids(r.violations), ["domain.partner-cert"]);
      assert.match(r.violations[0].message, /is required when spec\.role is partner/);
    });

    it("applies CRD defaults before the rules run (AppImage port protocol and scope)", () => {
      // kubectl would deliver the defaulted fields; the patch must not add them again.
      const img = {
        apiVersion: "kuscia.secretflow/v1alpha1",
        kind: "AppImage",
        metadata: { name: "img" },
        spec: { image: { name: "secretflow/app", tag: "1.0" }, deployTemplates: [{ name: "t", replicas: 1, spec: { containers: [{ name: "c", workingDir: "/", ports: [{ name: "http", port: 8080 }] }] } }] },
      };
      const r = review(img);
      assert.deepEqual(r.violations, []);
      assert.ok(!r.patch.some((p) => /ports/.test(p.path)), JSON.stringify(r.patch));
    });
  });

  describe("parameters", function () {
    it("the certificate expiry window comes from the configuration", async () => {
      const now = new Date();
      const c = await makeCert({ cn: "bob", notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + 60 * DAY) });
      const d = domain("bob", { role: "partner", cert: c.certB64 });
      assert.deepEqual(ids(review(d, { now }).warnings), []);
      assert.deepEqual(ids(review(d, { now, config: config("parameters: {certificateExpiryWarningDays: 90}\n") }).warnings), ["domain.cert.expiring"]);
    });
  });

  describe("exempt requesters", () => {
    const c = config("exemptRequesters:\n  usernames: [system:admin]\n  groups: [system:masters]\n  serviceAccounts: [kuscia-system:kuscia]\n");
    it("names why a requester is exempt", () => {
      assert.equal(c.exemption({ username: "system:serviceaccount:kuscia-system:kuscia" }), "service account kuscia-system:kuscia");
      assert.equal(c.exemption({ username: "system:admin" }), "username system:admin");
      assert.equal(c.exemption({ username: "alice", groups: ["dev", "system:masters"] }), "group system:masters");
      assert.equal(c.exemption({ username: "system:serviceaccount:kuscia-system:other", groups: ["dev"] }), undefined);
    });
  });

  describe("file errors name the field and the fix", () => {
    const cases: [string, RegExp][] = [
      ["rules:\n  interop.member: warn\n", /rules\["interop\.member"\]: names no rule of the rule book; closest: "interop\.members", .*; `kuscia-iac rules` lists the rule ids/],
      ["rules:\n  interop.members: block\n", /interop\.members.*one of deny, warn, audit, off|interop\.members/],
      ["parameters: {certificateExpiryDays: 9}\n", /parameters/],
      ["kusciaVersion: latest\n", /kusciaVersion: found "latest", expected a Kuscia release such as v1\.1/],
      ["exceptions:\n  - name: a\n    match: {}\n    rules: [interop.members]\n", /exceptions\[0\]\.reason: is required but missing/],
      ["exceptions:\n  - {name: a, reason: r, match: {}, rules: [interop.members], expires: soon}\n", /exceptions\[0\]\.expires: found "soon"/],
      ["exemptRequesters: {serviceAccounts: [kuscia]}\n", /expected <namespace>:<name>/],
      ["rules: [\n", /not valid YAML/],
      ["kind: Something\n", /kind: found "Something", expected "PolicyConfiguration"/],
    ];
    for (const [text, re] of cases) {
      it(`refuses ${JSON.stringify(text.split("\n")[0])}`, () => {
        const errs = errorsOf(text);
        assert.ok(errs.length > 0, "expected an error");
        assert.ok(errs.every((e) => e.startsWith("policy.yaml: ")), errs.join("\n"));
        assert.match(errs.join("\n"), re);
      });
    }

    it("refuses a match that silently covers every object: match: {} and empty lists, naming the field and the fix", () => {
      const exc = (match: string) => `exceptions:\n  - name: legacy\n    reason: r\n    match: ${match}\n    rules: [interop.members]\n`;
      assert.match(errorsOf(exc("{}")).join("\n"), /^policy\.yaml: exceptions\[0\]\.match: is empty, which matches every object; .*match: \{kinds: \["\*"\]\}/m);
      assert.match(errorsOf(exc("{namespaces: [], names: []}")).join("\n"), /exceptions\[0\]\.match\.namespaces: is an empty list, which matches every namespace; .*\[""\] for cluster-scoped objects.*or leave match\.namespaces out/);
      assert.match(errorsOf(exc("{namespaces: [], names: []}")).join("\n"), /exceptions\[0\]\.match\.names: is an empty list, which matches every name/);
      assert.match(errorsOf(exc("{kinds: [], names: [x]}")).join("\n"), /exceptions\[0\]\.match\.kinds: is an empty list/);
      // The same compile behind code and Pulumi config (components, policy pack, webhook, vap).
      const r = policyConfigurationOf({ exceptions: [{ name: "legacy", reason: "r", match: {}, rules: ["interop.members"] }] }, "Pulumi config");
      assert.ok("errors" in r && /Pulumi config: exceptions\[0\]\.match: is empty/.test(r.errors.join("\n")));
      // Every object, asked for on purpose, is still possible.
      const every = loadPolicyConfiguration(exc('{kinds: ["*"]}'), "policy.yaml");
      assert.ok("config" in every);
      assert.equal(review(interop("x"), { config: (every as { config: PolicyConfig }).config }).allowed, true);
    });

    it("warns about an exception whose kinds carry none of its rules, naming it", () => {
      const r = loadPolicyConfiguration("exceptions:\n  - name: mixed-up\n    reason: r\n    match: {kinds: [InteropConfig]}\n    rules: [domain.role]\n", "policy.yaml");
      assert.ok("config" in r);
      const w = (r as { warnings: string[] }).warnings.join("\n");
      assert.match(w, /exceptions\[0\] \(mixed-up\): match\.kinds \["InteropConfig"\] review none of its rules \["domain\.role"\] \(they apply to Domain\), so it excepts nothing/);
      for (const ok of ["{kinds: [Domain]}", "{kinds: [kuscia.secretflow/v1alpha1/Domain]}", "{kinds: [Dom*]}", "{kinds: [InteropConfig, Domain]}"]) {
        const good = loadPolicyConfiguration(`exceptions:\n  - name: fine\n    reason: r\n    match: ${ok}\n    rules: [domain.role, interop.members]\n`, "policy.yaml");
        assert.ok("config" in good, ok);
        assert.deepEqual((good as { warnings: string[] }).warnings, [], ok);
      }
      const globbed = loadPolicyConfiguration("exceptions:\n  - name: g\n    reason: r\n    match: {kinds: [InteropConfig]}\n    rules: [\"domain.*\"]\n", "policy.yaml");
      assert.match((globbed as { warnings: string[] }).warnings.join("\n"), /\(g\): match\.kinds \["InteropConfig"\] review none of its rules/);
    });

    it("accepts an object from code the same way as a file", () => {
      const r = policyConfigurationOf({ kusciaVersion: "0.14.0b0", rules: { "interop.members": "warn" } }, "Pulumi config");
      assert.ok("config" in r);
      if ("config" in r) assert.equal(r.config.kusciaVersion.name, "v0.14");
    });
  });

  describe("deep objects", () => {
    it("review, delivery and existing-violation checks survive 10,000 levels of nesting", () => {
      let deep: unknown = "x";
      for (let i = 0; i < 10_000; i++) deep = { a: deep, n: null };
      const d = (extra: Record<string, unknown>) => ({ ...domain("Bad_Name", { role: "", x: deep }), ...extra });
      const r = review(d({}), { operation: "UPDATE", oldObject: d({}) });
      assert.equal(typeof r.allowed, "boolean");
    });
  });
});

describe("reading the policy configuration file (found by a new user: a FIFO blocked the webhook's loader for good, /dev/zero grew it to 5.8 GB)", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(`${tmpdir()}/kuscia-iac-read-`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("refuses what is not a regular file, without blocking or reading without end", () => {
    const fifo = `${dir}/fifo.yaml`;
    execFileSync("mkfifo", [fifo]);
    const link = `${dir}/zero.yaml`;
    fs.symlinkSync("/dev/zero", link);
    for (const f of [fifo, link, dir]) {
      for (const r of [readPolicyText(f), readPolicyBytes(f)]) {
        assert.ok("errors" in r, f);
        assert.match(r.errors[0], /is not a regular file/, f);
      }
    }
  });

  it("reads a regular file, through a symbolic link too, and refuses one over the limit", () => {
    const f = `${dir}/ok.yaml`;
    fs.writeFileSync(f, "rules: {}\n");
    fs.symlinkSync(f, `${dir}/link.yaml`);
    assert.deepEqual(readPolicyText(`${dir}/link.yaml`), { text: "rules: {}\n" });
    const big = `${dir}/big.yaml`;
    fs.writeFileSync(big, Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
    const r = readPolicyBytes(big);
    assert.ok("errors" in r);
    assert.match(r.errors[0], /is larger than/);
    fs.writeFileSync(big, Buffer.alloc(MAX_CONFIG_BYTES, 0x20));
    const exact = readPolicyBytes(big);
    assert.ok("bytes" in exact && exact.bytes.length === MAX_CONFIG_BYTES);
  });
});
