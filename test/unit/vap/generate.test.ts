/**
 * vap/generate.ts and the `kuscia-iac vap` command: the policy configuration mapped onto
 * policies and bindings (actions, off, exceptions, exempt requesters, existing violations),
 * the Kubernetes version gate, and the command's outputs and exit codes. Conditions and
 * expressions are evaluated with the in-process CEL evaluator.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { policyConfigurationOf, rules, type PolicyConfig } from "../../../policy";
import { CEL_RULES } from "../../../policy/vap";
import { checkKubeVersion, generateVap, KubeVersionError, pluralOf } from "../../../vap/generate";
import { KUSCIA_RESOURCES, IFLEARNER_RESOURCES } from "../../../webhook/configurations";
import { evalCel } from "../../helpers/cel";

const MAIN = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");
const K = "kuscia.secretflow/v1alpha1";
type Obj = Record<string, any>;

function config(doc: unknown): PolicyConfig {
  const r = policyConfigurationOf(doc, "test.yaml", new Date("2026-06-01T00:00:00Z"));
  if ("errors" in r) throw new Error(r.errors.join("; "));
  return r.config;
}
const policyOf = (objs: Obj[], rule: string): Obj => objs.find((o) => o.kind === "ValidatingAdmissionPolicy" && o.metadata.name === `kuscia-iac.${rule}`)!;
const bindingOf = (objs: Obj[], rule: string): Obj => objs.find((o) => o.kind === "ValidatingAdmissionPolicyBinding" && o.metadata.name === `kuscia-iac.${rule}`)!;
/** Whether a policy's matchConditions all hold for a request (the policy applies). */
const applies = (p: Obj, object: unknown, username = "alice") =>
  (p.spec.matchConditions ?? []).every((m: Obj) => evalCel(m.expression, { object, oldObject: null, request: { operation: "CREATE", userInfo: { username, groups: ["system:authenticated"] } } }) === true);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, "vap", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("kuscia-iac vap: policies and bindings from the rule book", function () {

  it("emits one policy and one binding per CEL-expressible rule, Deny for errors and Warn for warnings", () => {
    const { objects, notExpressed } = generateVap();
    assert.equal(objects.length, 2 * CEL_RULES.length);
    assert.equal(notExpressed.length, rules().length - CEL_RULES.length);
    const severity = new Map(rules().map((r) => [r.id, r.severity]));
    for (const c of CEL_RULES) {
      const p = policyOf(objects, c.rule);
      const b = bindingOf(objects, c.rule);
      assert.ok(p && b, c.rule);
      assert.match(p.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
      assert.equal(p.apiVersion, "admissionregistration.k8s.io/v1");
      assert.equal(p.spec.failurePolicy, "Fail");
      assert.deepEqual(b.spec, { policyName: p.metadata.name, validationActions: [severity.get(c.rule) === "error" ? "Deny" : "Warn"] });
      assert.equal(p.spec.validations.length, c.validations.length);
      for (const v of p.spec.validations) assert.ok(v.messageExpression.endsWith(`' [${c.rule}]'`), v.messageExpression);
      assert.equal(p.spec.matchConditions, undefined, "no configuration, no conditions");
    }
  });

  it("names each kind's resource as the webhook configuration does", () => {
    const resources = new Set<string>([...KUSCIA_RESOURCES, ...IFLEARNER_RESOURCES]);
    for (const o of generateVap().objects.filter((x) => x.kind === "ValidatingAdmissionPolicy")) {
      for (const r of (o.spec as Obj).matchConstraints.resourceRules[0].resources) assert.ok(resources.has(r), r);
    }
    assert.equal(pluralOf("KusciaDeploymentSummary"), "kusciadeploymentsummaries");
    assert.equal(pluralOf("DomainData"), "domaindatas");
  });

  it("refuses Kubernetes releases without ValidatingAdmissionPolicy v1, and says what to do", () => {
    for (const v of ["1.29", "v1.28.3", "1.20"]) {
      assert.throws(() => generateVap({ kubeVersion: v }), (e: Error) => e instanceof KubeVersionError && /1\.30/.test(e.message) && (v === "1.20" ? /does not have it at all/ : /v1beta1/).test(e.message) && /webhook/.test(e.message));
    }
    assert.throws(() => checkKubeVersion("latest"), /expected a Kubernetes version such as 1\.30/);
    for (const v of ["1.30", "v1.33.1", "1.36", "2.0"]) assert.doesNotThrow(() => checkKubeVersion(v));
  });

  it("maps actions: warn -> Warn, audit -> Audit, off -> no policy", () => {
    const { objects, notes } = generateVap({ config: config({ rules: { "interop.members": "warn", "interop.host": "audit", "domain.name": "off", "domain.interconn-protocols.single": "deny" } }) });
    assert.deepEqual(bindingOf(objects, "interop.members").spec.validationActions, ["Warn"]);
    assert.deepEqual(bindingOf(objects, "interop.host").spec.validationActions, ["Audit"]);
    assert.deepEqual(bindingOf(objects, "domain.interconn-protocols.single").spec.validationActions, ["Deny"]);
    assert.equal(policyOf(objects, "domain.name"), undefined);
    assert.equal(bindingOf(objects, "domain.name"), undefined);
    assert.ok(notes.some((n) => /domain\.name: off/.test(n)));
  });

  it("turns exceptions into matchConditions by namespace and name glob, drops expired ones and notes expiring ones", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const { objects, notes } = generateVap({
      now,
      config: config({
        exceptions: [
          { name: "legacy", reason: "by hand", expires: "2027-01-31", match: { kinds: ["KusciaDeployment"], namespaces: ["cross-*"], names: ["legacy-?"] }, rules: ["kd.*"] },
          { name: "old", reason: "gone", expires: "2026-05-01", match: { names: ["x"] }, rules: ["*"] },
        ],
      }),
      kubeVersion: "1.30",
    });
    const p = policyOf(objects, "kd.initiator");
    const kd = (name: string, namespace: string) => ({ apiVersion: K, kind: "KusciaDeployment", metadata: { name, namespace } });
    assert.equal(applies(p, kd("legacy-1", "cross-domain")), false, "covered by the exception");
    assert.equal(applies(p, kd("legacy-12", "cross-domain")), true, "? is one character");
    assert.equal(applies(p, kd("legacy-1", "alice")), true, "other namespace");
    assert.equal(p.spec.matchConditions.length, 1, "exceptions share one condition, far from the limit of 64");
    assert.equal(policyOf(objects, "domain.name").spec.matchConditions, undefined, "the exception is for KusciaDeployments; the expired one is dropped");
    assert.ok(notes.some((n) => /exception legacy expires 2027-01-31/.test(n) && /regenerate/.test(n)));
    assert.ok(!notes.some((n) => /exception old/.test(n)));
  });

  it("skips exempt requesters with matchConditions on the request's user", () => {
    const { objects } = generateVap({ config: config({ exemptRequesters: { serviceAccounts: ["kuscia-system:kuscia"], usernames: ["root"] } }) });
    const p = policyOf(objects, "domain.name");
    const d = { apiVersion: K, kind: "Domain", metadata: { name: "x" } };
    assert.equal(applies(p, d, "system:serviceaccount:kuscia-system:kuscia"), false);
    assert.equal(applies(p, d, "root"), false);
    assert.equal(applies(p, d, "alice"), true);
  });

  it("lets an UPDATE keep a violation the stored object already had, unless allowExistingViolations is false", () => {
    const run = (cfg: PolicyConfig | undefined, object: unknown, oldObject: unknown, operation: string) => {
      const p = policyOf(generateVap({ config: cfg }).objects, "interop.members");
      return p.spec.validations.every((v: Obj) => evalCel(v.expression, { object, oldObject, request: { operation } }) === true);
    };
    const bad = { apiVersion: K, kind: "InteropConfig", metadata: { name: "ic", labels: { a: "b" } }, spec: { host: "bob", members: ["bob"] } };
    const good = { ...bad, spec: { host: "bob", members: ["carol"] } };
    assert.equal(run(undefined, bad, null, "CREATE"), false);
    assert.equal(run(undefined, bad, bad, "UPDATE"), true, "already there");
    assert.equal(run(undefined, bad, good, "UPDATE"), false, "introduced by the update");
    assert.equal(run(config({ rules: { "interop.members": { action: "deny", allowExistingViolations: false } } }), bad, bad, "UPDATE"), false);
  });

  describe("the command", () => {
    it("writes YAML policies by default and a List with -o json; notes and the rules left out go to standard error", () => {
      const y = cli([]);
      assert.equal(y.code, 0, y.stderr);
      const docs = parseAllDocuments(y.stdout).map((d) => d.toJS());
      assert.equal(docs.length, 2 * CEL_RULES.length);
      assert.match(y.stderr, /policies with their bindings; \d+ rules that are on have no policy and need the webhook: .*domain\.cert/);
      const j = cli(["-o", "json", "--kube-version", "v1.33.1"]);
      assert.equal(j.code, 0, j.stderr);
      assert.deepEqual(JSON.parse(j.stdout).items, docs);
    });

    it("--list gives every rule with whether a policy enforces it, and why not", () => {
      const r = cli(["--list", "-o", "json"]);
      assert.equal(r.code, 0, r.stderr);
      const rows = JSON.parse(r.stdout) as Obj[];
      assert.equal(rows.length, rules().length);
      assert.ok(rows.filter((x) => !x.vap).every((x) => typeof x.reason === "string" && x.reason.length > 20));
      const t = cli(["--list"]);
      assert.match(t.stdout, /^interop\.members\s+yes\s+deny/m);
      assert.match(t.stdout, /^domain\.cert\s+no\s+deny\s+parses an X\.509 certificate/m);
    });

    it("checks --kube-version with --list too, and lists as text, json or yaml as --help says", () => {
      for (const args of [["--list", "--kube-version", "garbage"], ["--kube-version", "garbage"], ["--list", "--kube-version", "1.29"]]) {
        const r = cli(args);
        assert.equal(r.code, 2, args.join(" "));
        assert.match(r.stderr, /--kube-version: /);
        assert.equal(r.stdout, "");
      }
      // The prune example is a shell command continued over lines, as a user pastes it.
      assert.match(cli(["--help"]).stdout, /kubectl apply --prune -l app\.kubernetes\.io\/managed-by=kuscia-iac \\\n\s+--prune-allowlist=admissionregistration\.k8s\.io\/v1\/ValidatingAdmissionPolicy \\\n/);
      const help = cli(["--help"]).stdout.replace(/\s+/g, " ");
      assert.match(help, /text \(default\), json or yaml with --list/);
      const y = cli(["--list", "-o", "yaml"]);
      assert.equal(y.code, 0, y.stderr);
      assert.deepEqual(parseAllDocuments(y.stdout)[0].toJS(), JSON.parse(cli(["--list", "-o", "json"]).stdout));
    });

    it("--list says a rule that is off has no policy, and why", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-vap-"));
      writeFileSync(path.join(dir, "p.yaml"), "rules:\n  interop.host: off\n");
      const r = cli(["--list", "--config", path.join(dir, "p.yaml")]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^interop\.host\s+no\s+off\s+off in the policy configuration: no policy emitted/m);
      assert.match(r.stdout, /^interop\.members\s+yes\s+deny/m);
      const rows = JSON.parse(cli(["--list", "-o", "json", "--config", path.join(dir, "p.yaml")]).stdout) as Obj[];
      assert.equal(rows.find((x) => x.rule === "interop.host")!.vap, false);
      const emitted = JSON.parse(cli(["-o", "json", "--config", path.join(dir, "p.yaml")]).stdout).items as Obj[];
      assert.equal(emitted.filter((o) => o.kind === "ValidatingAdmissionPolicy").length, rows.filter((x) => x.vap).length, "--list's yes is what is emitted");
    });

    it("counts on standard error only the rules that are on and need the webhook", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-vap-"));
      writeFileSync(path.join(dir, "p.yaml"), "rules:\n  domain.cert: off\n  interop.host: off\n");
      const r = cli(["--config", path.join(dir, "p.yaml")]);
      assert.equal(r.code, 0, r.stderr);
      const m = /(\d+) policies with their bindings; 1 rule with a CEL form is off; (\d+) rules that are on have no policy and need the webhook: (.*) \(kuscia-iac vap --list says why\)/.exec(r.stderr);
      assert.ok(m, r.stderr);
      const named = m[3].split(", ");
      assert.equal(Number(m[2]), named.length);
      assert.equal(Number(m[1]), CEL_RULES.length - 1);
      assert.ok(!named.includes("domain.cert"), "off");
      assert.ok(!named.includes("internal.rule-error"), "internal");
      assert.ok(named.includes("domain.cert.cn"));
      assert.equal(named.length, rules().length - CEL_RULES.length - 2);
    });

    it("with every rule off writes nothing, exits 0 and says on standard error how to remove old policies", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-vap-"));
      writeFileSync(path.join(dir, "p.yaml"), 'rules:\n  "*": off\n');
      for (const args of [[], ["-o", "json"]]) {
        const r = cli(["--config", path.join(dir, "p.yaml"), ...args]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /no policy written: every rule with a CEL form is off/);
        assert.match(r.stderr, /kubectl delete validatingadmissionpolicies,validatingadmissionpolicybindings -l app\.kubernetes\.io\/managed-by=kuscia-iac/);
        assert.match(r.stderr, /0 policies with their bindings; \d+ rules with a CEL form are off; no rule that is on needs the webhook/);
        assert.doesNotMatch(r.stderr, /need the webhook:/);
      }
    });

    it("labels every policy and binding with the manager and the rule, for pruning", () => {
      const { objects } = generateVap();
      for (const o of objects as Obj[]) {
        const rule = (o.metadata.name as string).slice("kuscia-iac.".length);
        assert.deepEqual(o.metadata.labels, { "app.kubernetes.io/managed-by": "kuscia-iac", "kuscia-iac.secretflow/rule": rule }, o.metadata.name);
      }
    });

    it("exits 2 on a release without VAP v1, an invalid --config, or an unknown option", () => {
      const old = cli(["--kube-version", "1.29"]);
      assert.equal(old.code, 2);
      assert.match(old.stderr, /1\.29 has no ValidatingAdmissionPolicy v1/);
      assert.equal(old.stdout, "");
      const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-vap-"));
      writeFileSync(path.join(dir, "p.yaml"), "rules:\n  no.such-rule: deny\n");
      const bad = cli(["--config", path.join(dir, "p.yaml")]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /no\.such-rule/);
      assert.equal(cli(["--no-such-option"]).code, 2);
      assert.equal(cli(["--help"]).code, 0);
    });
  });
});
