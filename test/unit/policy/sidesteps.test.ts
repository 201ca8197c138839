/**
 * Verdicts that could be sidestepped (issue: the webhook that survives its operators and
 * callers): internal.rule-error relaxed by configuration, a node ConfigMap exempting itself
 * by its own label on UPDATE, a cluster-scoped object carrying a namespace in a file, and an
 * exempt identity extended past a truncation.
 */
import { strict as assert } from "node:assert";
import { checkReferences, defaultPolicyConfiguration, loadPolicyConfiguration, policyConfigurationOf, review, type PolicyConfig } from "../../../policy";
import { applyConfiguration } from "../../../policy/config/apply";
import { parseAdmissionReview, answer } from "../../../webhook/admission";

const config = (yaml: string): PolicyConfig => {
  const r = loadPolicyConfiguration(yaml, "policy.yaml");
  if ("errors" in r) throw new Error(r.errors.join("\n"));
  return r.config;
};
const errorsOf = (yaml: string): string => {
  const r = loadPolicyConfiguration(yaml, "policy.yaml");
  return "errors" in r ? r.errors.join("\n") : "";
};
const K = "kuscia.secretflow/v1alpha1";

describe("verdicts that cannot be sidestepped", () => {
  describe("internal.rule-error (fail closed) cannot be relaxed", () => {
    const broken = { path: "", rule: "internal.rule-error", message: "(object): rule x could not evaluate this object (boom); please report it" };
    const target = { apiVersion: K, kind: "Domain", name: "alice", namespace: "" };

    it("by an action, allowExistingViolations, or an exception naming it: each is refused with the reason", () => {
      for (const setting of ["off", "warn", "audit", "{action: warn}", "{allowExistingViolations: true}"]) {
        assert.match(errorsOf(`rules:\n  internal.rule-error: ${setting}\n`), /rules\["internal\.rule-error"\]: cannot be relaxed/, setting);
      }
      assert.match(errorsOf("exceptions:\n  - {name: e, reason: r, match: {kinds: [Domain]}, rules: [internal.rule-error]}\n"), /exceptions\[0\]\.rules: "internal\.rule-error" cannot be excepted/);
      assert.equal(errorsOf("rules:\n  internal.rule-error: deny\n"), "");
    });

    it("by a glob, an exception with a rule glob, or existing-violation relief: it still refuses", () => {
      const c = config('rules:\n  "*": off\n  "internal.*": audit\nexceptions:\n  - {name: all, reason: r, match: {kinds: ["*"]}, rules: ["*"]}\n');
      assert.equal(c.actionOf("internal.rule-error", "error"), "deny");
      assert.equal(c.exceptionFor(target, "internal.rule-error", new Date()), undefined);
      assert.equal(c.allowsExisting("internal.rule-error"), false);
      const sameObject = { a: 1 };
      const out = applyConfiguration({ violations: [broken], warnings: [] }, c, target, new Date(), { findings: () => ({ violations: [broken], warnings: [] }), object: sameObject, oldObject: sameObject });
      assert.deepEqual(out.violations.map((v) => v.rule), ["internal.rule-error"]);
    });

    it("by a PolicyConfig built any other way (an embedding, the policy pack's wrapper): apply.ts refuses regardless", () => {
      const lax: PolicyConfig = { ...defaultPolicyConfiguration(), actionOf: () => "off", allowsExisting: () => true, exceptionFor: () => ({ name: "x", reason: "r", match: {}, rules: ["*"] }) };
      const out = applyConfiguration({ violations: [broken], warnings: [] }, lax, target, new Date());
      assert.deepEqual(out.violations.map((v) => v.rule), ["internal.rule-error"]);
    });
  });

  describe("a node ConfigMap cannot exempt itself by its label on UPDATE", () => {
    const cm = (labels: Record<string, string>, kusciaYaml: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kuscia-autonomy-alice", namespace: "alice", labels }, data: { "kuscia.yaml": kusciaYaml } });
    const good = "mode: autonomy\ndomainID: alice\ndomainKeyData: \nprotocol: NOTLS\n";
    const broken = "mode: autonomy\ndomainID: Alice_Bad\nprotocol: NOTLS\n";
    const labelled = cm({ "kuscia.secretflow/config": "true" }, good);

    for (const [what, labels] of [
      ["removes the label", {}],
      ['sets it to "True"', { "kuscia.secretflow/config": "True" }],
      ['sets it to "false"', { "kuscia.secretflow/config": "false" }],
    ] as const) {
      it(`an UPDATE that ${what} while breaking kuscia.yaml is reviewed as a node configuration`, () => {
        const r = review(cm(labels, broken), { operation: "UPDATE", oldObject: labelled });
        assert.equal(r.known, true);
        assert.equal(r.allowed, false);
        assert.ok(r.violations.some((v) => v.rule.startsWith("nodeconfig.") && /domainID/.test(v.path)), JSON.stringify(r.violations));
      });
    }

    it("relabelling a ConfigMap broken while unlabelled gets no existing-violation relief (unlabel, break, relabel: found by a new user on a real API server)", () => {
      const relaxed = config("rules:\n  nodeconfig.domain-id: {allowExistingViolations: true}\n  nodeconfig.enums: {allowExistingViolations: true}\n");
      const brokenUnlabelled = cm({}, broken);
      const relabelled = cm({ "kuscia.secretflow/config": "true" }, broken);
      const r = review(relabelled, { operation: "UPDATE", oldObject: brokenUnlabelled, config: relaxed });
      assert.equal(r.allowed, false, JSON.stringify(r.warnings));
      assert.ok(r.violations.some((v) => v.rule === "nodeconfig.domain-id"), JSON.stringify(r.violations));
      // A node configuration stored broken keeps its relief for an update that leaves the file alone.
      const storedBroken = cm({ "kuscia.secretflow/config": "true" }, broken);
      const touched = { ...storedBroken, metadata: { ...storedBroken.metadata, annotations: { a: "b" } } };
      assert.equal(review(touched, { operation: "UPDATE", oldObject: storedBroken, config: relaxed }).allowed, true);
    });

    it("a CREATE without the label, or an UPDATE of a ConfigMap that never had it, is still not ours", () => {
      assert.equal(review(cm({}, broken)).known, false);
      assert.equal(review(cm({}, broken), { operation: "UPDATE", oldObject: cm({}, good) }).known, false);
    });

    it("the webhook answers the same (the API server sends the UPDATE: its objectSelector matches the old object)", () => {
      const body = { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", operation: "UPDATE", userInfo: { username: "alice" }, object: cm({}, broken), oldObject: labelled } };
      const { body: out } = answer(parseAdmissionReview(body), "validate", review);
      assert.equal(out.response.allowed, false);
      assert.match(out.response.status!.message, /\[nodeconfig\./);
    });
  });

  describe("a cluster-scoped object is reviewed as the API server delivers it: no namespace", () => {
    const domain = { apiVersion: K, kind: "Domain", metadata: { name: "alice", namespace: "sandbox" }, spec: { role: "partner" } };

    it("a namespace exception does not apply to a Domain that carries metadata.namespace in a file", () => {
      const c = config('exceptions:\n  - {name: sandbox, reason: r, match: {namespaces: [sandbox]}, rules: ["domain.*"]}\n');
      const r = review(domain, { config: c });
      assert.equal(r.allowed, false, "the API server clears the namespace, so the webhook could never apply this exception");
      assert.deepEqual(r.audits, []);
      const clusterWide = config('exceptions:\n  - {name: cluster, reason: r, match: {namespaces: [""]}, rules: ["domain.*"]}\n');
      assert.equal(review(domain, { config: clusterWide }).allowed, true, 'cluster-scoped objects match namespaces [""]');
    });

    it("references to it are found whatever namespace the file gives it", () => {
      const kd = { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "kd", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "img" }] } };
      // With a deploy template, so the pre-flight checks that read it (ref.kd.deploy-template) have nothing to say either.
      const img = { apiVersion: K, kind: "AppImage", metadata: { name: "img", namespace: "somewhere" }, spec: { image: { name: "secretflow/app", tag: "1.0" }, deployTemplates: [{ name: "t", spec: { containers: [{ name: "c" }] } }] } };
      const results = checkReferences([kd, domain, img], { config: defaultPolicyConfiguration() });
      const forKd = results.find((r) => r.object.kind === "KusciaDeployment");
      assert.deepEqual([...(forKd?.violations ?? []), ...(forKd?.warnings ?? [])], [], JSON.stringify(forKd));
    });
  });

  describe("exempt identities are compared whole", () => {
    const exempt = "system:serviceaccount:kuscia-system:kuscia";
    const long = `u${"x".repeat(255)}`; // 256 characters
    const c = (() => {
      const r = policyConfigurationOf({ exemptRequesters: { usernames: [long], groups: [long], serviceAccounts: ["kuscia-system:kuscia"] } }, "test");
      if ("errors" in r) throw new Error(r.errors.join("\n"));
      return r.config;
    })();
    const ask = (username: string, groups: string[] = []) =>
      answer(
        parseAdmissionReview({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", operation: "CREATE", userInfo: { username, groups }, object: { apiVersion: K, kind: "InteropConfig", metadata: { name: "ic" }, spec: { host: "bob", members: ["bob"] } } } }),
        "validate",
        review,
        undefined,
        c,
      ).summary.exempt;

    it("a name that extends an exempt one past 256 characters is not exempt", () => {
      assert.equal(ask(long), `username ${long}`);
      assert.equal(ask(`${long}-attacker`), undefined);
      assert.equal(ask("alice", [`${long}-attacker`]), undefined);
      assert.equal(ask("alice", [long]), `group ${long}`);
      assert.equal(ask(`${exempt}x`), undefined);
      assert.equal(ask(exempt), "service account kuscia-system:kuscia");
    });

    it("an exempt group listed after the 64th is still found (no group is dropped)", () => {
      const groups = [...Array.from({ length: 70 }, (_, i) => `g${i}`), long];
      assert.equal(ask("alice", groups), `group ${long}`);
    });
  });
});
