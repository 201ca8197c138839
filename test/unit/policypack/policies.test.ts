import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Secret, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { unknownValue as unknownStringValue } from "@pulumi/pulumi/runtime/rpc";
import { describeDoc, loadExamples } from "../../helpers/examples";
import { makeCert, pkcs1B64 } from "../../helpers/certs";
import { DEFAULTS_POLICY, PACK_NAME, buildPolicies } from "../../../policypack/policies";
import { packConfiguration } from "../../../policypack/config";
import { rules, type PolicyConfigurationDocument } from "../../../policy";
import { policyConfigFromObject } from "../../../policyfile/read";
import { engineArgs, reportsOf, stackReportsOf, stackResource, tokensFor, type Reported } from "./engineArgs";

const policies = buildPolicies();
const underConfig = (doc: PolicyConfigurationDocument) => buildPolicies(policyConfigFromObject(doc, "test").config);

function ruleIds(reports: Reported[]): string[] {
  return reports.map((r) => /^\[([^\]]+)\]/.exec(r.message)?.[1] ?? `(no rule id in: ${r.message})`);
}
const at = (reports: Reported[], level: string) => reports.filter((r) => r.level === level);

describe("policypack: one policy per rule", () => {
  it("has a policy named by each rule id, at the level of its severity, plus the remediation", () => {
    const byName = new Map(policies.map((p) => [p.name, p]));
    for (const r of rules()) {
      const p = byName.get(r.id);
      assert.ok(p, r.id);
      assert.equal(p.enforcementLevel, r.severity === "error" ? "mandatory" : "advisory", r.id);
      // Checks across resources are stack policies; the others look at one resource.
      assert.equal("validateStack" in p, r.id.startsWith("ref.") || r.id.startsWith("peer."), r.id);
    }
    assert.equal(byName.get(DEFAULTS_POLICY)?.enforcementLevel, "remediate");
    assert.equal(policies.length, rules().length + 1);
  });

  const refused = loadExamples("refused");
  const accepted = loadExamples("accepted");

  it("finds the examples", () => {
    assert.ok(refused.length > 20 && accepted.length > 10);
    for (const d of refused) assert.ok(d.expectRule, `${describeDoc(d)} has no # rule: comment`);
  });

  for (const d of refused) {
    const obj = d.object as Record<string, unknown>;
    for (const type of tokensFor(obj)) {
      it(`reports ${d.expectRule} for refused ${describeDoc(d)} as ${type}, from the policy of that rule, mandatory`, async () => {
        const reports = await reportsOf(policies, engineArgs(type, obj));
        const hit = reports.find((r) => r.policy === d.expectRule);
        assert.ok(hit, `got ${JSON.stringify(reports)}`);
        assert.equal(hit.level, "mandatory");
        // The message names the field, as the rule book does: "<path>: <text>" after the id.
        assert.match(hit.message, new RegExp(`^\\[${d.expectRule!.replace(/\./g, "\\.")}\\] \\S+: `));
        // Every report comes from the policy of its own rule.
        for (const r of reports.filter((x) => x.policy !== DEFAULTS_POLICY)) assert.equal(ruleIds([r])[0], r.policy);
      });
    }
  }

  for (const d of accepted) {
    const obj = d.object as Record<string, unknown>;
    const warns = [...(d.comment ?? "").matchAll(/(?:^|\n)\s*warns:\s*(\S+)/g)].map((m) => m[1]).sort();
    for (const type of tokensFor(obj)) {
      it(`reports nothing mandatory${warns.length ? `, only the advisory ${warns.join(", ")},` : ""} for accepted ${describeDoc(d)} as ${type}`, async () => {
        const reports = (await reportsOf(policies, engineArgs(type, obj))).filter((r) => r.policy !== DEFAULTS_POLICY);
        assert.deepEqual(at(reports, "mandatory"), []);
        assert.deepEqual(ruleIds(at(reports, "advisory")).sort(), warns);
      });
    }
  }

  const badDomain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "Alice_1" }, spec: { interConnProtocols: ["kuscia"] } };

  it("skips our own components and kinds outside the rule book", async () => {
    for (const type of [`${PACK_NAME}:index:Domain`, "aws:s3/bucket:Bucket", "kubernetes:apiextensions.k8s.io:CustomResourcePatch", "kubernetes:kuscia.secretflow/v1alpha1:DomainPatch"]) {
      assert.deepEqual(await reportsOf(policies, engineArgs(type, badDomain)), [], type);
    }
    const otherCr = { ...badDomain, apiVersion: "example.com/v1" };
    assert.deepEqual(await reportsOf(policies, engineArgs("kubernetes:apiextensions.k8s.io:CustomResource", otherCr)), []);
  });

  it("takes the kind of a typed resource from its type token", async () => {
    // yaml/v2 passes apiVersion and kind in the props too, but crd2pulumi types need not.
    const { apiVersion: _a, kind: _k, ...bare } = badDomain;
    assert.deepEqual(ruleIds(await reportsOf(policies, engineArgs("kubernetes:kuscia.secretflow/v1alpha1:Domain", bare))), ["domain.name"]);
  });

  describe("values unknown during preview", () => {
    const cert = { ...badDomain, metadata: { name: "alice" }, spec: { cert: "not a certificate", interConnProtocols: ["kuscia"] } };

    it("reports a bad certificate when it is known", async () => {
      assert.ok(ruleIds(await reportsOf(policies, engineArgs("kubernetes:apiextensions.k8s.io:CustomResource", cert))).includes("domain.cert"));
    });

    it("holds back findings about a field whose value is not known yet, instead of failing on the proxy", async () => {
      const pending = { ...cert, spec: { ...cert.spec, cert: unknownStringValue } };
      assert.deepEqual(await reportsOf(policies, engineArgs("kubernetes:apiextensions.k8s.io:CustomResource", pending)), []);
    });

    it("still reports findings elsewhere in the object", async () => {
      const pending = { ...cert, metadata: { name: "Alice_1" }, spec: { ...cert.spec, cert: unknownStringValue } };
      assert.deepEqual(ruleIds(await reportsOf(policies, engineArgs("kubernetes:apiextensions.k8s.io:CustomResource", pending))), ["domain.name"]);
    });
  });
});

describe("policypack: levels from the policy configuration, overridden by Pulumi's policy config", () => {
  const interop = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "x" }, spec: { host: "bob", members: ["bob"] } };
  const args = () => engineArgs("kubernetes:kuscia.secretflow/v1alpha1:InteropConfig", interop);
  const level = (ps: (ResourceValidationPolicy | StackValidationPolicy)[], name: string) => ps.find((p) => p.name === name)?.enforcementLevel;

  it("a rule set to warn is an advisory policy: its finding no longer blocks", async () => {
    const ps = underConfig({ rules: { "interop.members": "warn" } });
    assert.equal(level(ps, "interop.members"), "advisory");
    const reports = await reportsOf(ps, args());
    assert.deepEqual(at(reports, "mandatory"), []);
    assert.deepEqual(ruleIds(at(reports, "advisory")), ["interop.members"]);
  });

  it("deny is mandatory, audit advisory (marked audit), off disabled", async () => {
    assert.equal(level(underConfig({ rules: { "interop.members": "deny" } }), "interop.members"), "mandatory");
    const audited = underConfig({ rules: { "interop.members": "audit" } });
    assert.equal(level(audited, "interop.members"), "advisory");
    assert.match((await reportsOf(audited, args()))[0].message, /^\[interop\.members\] audit: spec\.members/);
    const off = underConfig({ rules: { "interop.*": "off" } });
    assert.equal(level(off, "interop.members"), "disabled");
    assert.equal(level(off, "interop.host"), "disabled");
    assert.deepEqual(await reportsOf(off, args()), []);
  });

  it("Pulumi's per-policy enforcementLevel overrides the configuration's, both ways", async () => {
    // The engine hands the pack the reconciled level of each policy (--policy-pack-config).
    assert.deepEqual(at(await reportsOf(policies, args(), { "interop.members": "advisory" }), "mandatory"), []);
    const off = underConfig({ rules: { "interop.members": "off" } });
    const back = await reportsOf(off, args(), { "interop.members": "mandatory" });
    assert.deepEqual(ruleIds(at(back, "mandatory")), ["interop.members"]);
  });

  it("an exception makes the finding advisory, naming the exception, even in a mandatory policy", async () => {
    const ps = underConfig({ exceptions: [{ name: "legacy", reason: "made by hand", match: { kinds: ["InteropConfig"], names: ["x"] }, rules: ["interop.members"] }] });
    assert.equal(level(ps, "interop.members"), "mandatory");
    const reports = await reportsOf(ps, args());
    assert.deepEqual(at(reports, "mandatory"), []);
    assert.match(at(reports, "advisory")[0].message, /^\[interop\.members\] exception legacy: made by hand: spec\.members/);
  });

  describe("where the pack reads the configuration when it starts", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), "kuscia-pack-config-"));
      writeFileSync(path.join(dir, "policy.yaml"), "rules:\n  interop.members: warn\n");
      writeFileSync(path.join(dir, "bad.yaml"), "rules:\n  interop.member: warn\n");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const actionOf = (c: ReturnType<typeof packConfiguration>) => c.config.actionOf("interop.members", "error");

    it("the stack setting kuscia-iac:policy, an object, from PULUMI_CONFIG", () => {
      const c = packConfiguration({ PULUMI_CONFIG: JSON.stringify({ "kuscia-iac:policy": JSON.stringify({ rules: { "interop.members": "audit" } }) }) });
      assert.equal(actionOf(c), "audit");
    });

    it("the stack setting kuscia-iac:policyConfig, a file relative to the Pulumi CLI's directory", () => {
      const c = packConfiguration({ PULUMI_CONFIG: JSON.stringify({ "kuscia-iac:policyConfig": "policy.yaml" }) }, () => dir);
      assert.equal(actionOf(c), "warn");
      assert.equal(c.origin, path.join(dir, "policy.yaml"));
    });

    it("KUSCIA_IAC_POLICY_CONFIG, and else the default", () => {
      assert.equal(actionOf(packConfiguration({ KUSCIA_IAC_POLICY_CONFIG: path.join(dir, "policy.yaml") })), "warn");
      const d = packConfiguration({});
      assert.equal(actionOf(d), "deny");
      assert.equal(d.origin, "default");
    });

    it("a relative file it cannot find stops the pack, asking for an absolute path", () => {
      assert.throws(() => packConfiguration({ PULUMI_CONFIG: JSON.stringify({ "kuscia-iac:policyConfig": "nowhere.yaml" }) }, () => dir), /stack configuration kuscia-iac:policyConfig: nowhere\.yaml: no such file .*give an absolute path/);
    });

    it("an invalid file stops the pack with the file and field named", () => {
      assert.throws(() => packConfiguration({ KUSCIA_IAC_POLICY_CONFIG: path.join(dir, "bad.yaml") }), /bad\.yaml: rules\["interop\.member"\]: names no rule/);
      assert.throws(() => packConfiguration({ PULUMI_CONFIG: JSON.stringify({ "kuscia-iac:policy": "{}", "kuscia-iac:policyConfig": "x" }) }), /either kuscia-iac:policyConfig .* or kuscia-iac:policy/);
    });
  });
});

describe("policypack: the remediation applies the rule book's defaults", () => {
  const defaults = policies.find((p) => p.name === DEFAULTS_POLICY) as ResourceValidationPolicy;
  // A local Domain (a partner's interConnProtocols are not defaulted: see policy/kinds/domain.ts).
  const domain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "alice" }, spec: { role: "", cert: "abc" } };
  const type = "kubernetes:kuscia.secretflow/v1alpha1:Domain";

  it("adds a Domain's interConnProtocols, keeping everything else", async () => {
    const out = (await defaults.remediateResource!(engineArgs(type, domain))) as Record<string, any>;
    assert.deepEqual(out.spec, { role: "", cert: "abc", interConnProtocols: ["kuscia"] });
    assert.deepEqual(out.metadata, domain.metadata);
    assert.equal(domain.spec.hasOwnProperty("interConnProtocols"), false, "the input is not changed");
  });

  it("adds an AppImage's replicas and port defaults", async () => {
    const img = loadExamples("accepted").find((d) => (d.object as any).kind === "AppImage")!.object as any;
    const bare = JSON.parse(JSON.stringify(img));
    for (const t of bare.spec.deployTemplates) {
      delete t.replicas;
      for (const c of t.spec?.containers ?? []) for (const p of c.ports ?? []) delete p.protocol;
    }
    const out = (await defaults.remediateResource!(engineArgs("kubernetes:kuscia.secretflow/v1alpha1:AppImage", bare))) as any;
    assert.equal(out.spec.deployTemplates[0].replicas, 1);
  });

  it("keeps a secret spec secret", async () => {
    // What the analyzer server hands a remediation: secrets as Secret instances.
    const secretSpec = { ...domain, spec: new Secret({ cert: "abc" }) };
    const out = (await defaults.remediateResource!(engineArgs(type, secretSpec as never))) as Record<string, any>;
    assert.ok(out.spec instanceof Secret);
    assert.deepEqual(out.spec.value, { cert: "abc", interConnProtocols: ["kuscia"] });
  });

  it("changes nothing when the defaults are there, or while a value is unknown (preview)", async () => {
    assert.equal(await defaults.remediateResource!(engineArgs(type, { ...domain, spec: { ...domain.spec, interConnProtocols: ["bfia"] } })), undefined);
    assert.equal(await defaults.remediateResource!(engineArgs(type, { ...domain, spec: { ...domain.spec, cert: unknownStringValue } })), undefined);
  });

  it("at advisory level reports the missing defaults instead", async () => {
    const reports = await reportsOf([defaults], engineArgs(type, domain), { [DEFAULTS_POLICY]: "advisory" });
    assert.deepEqual(reports.map((r) => [r.level, r.message]), [["advisory", '[defaults] missing upstream defaults: spec.interConnProtocols = ["kuscia"]']]);
  });
});

describe("policypack: stack policies across resources", () => {
  const KD = "kuscia.secretflow/v1alpha1";
  let alice: Awaited<ReturnType<typeof makeCert>>;
  let bob: Awaited<ReturnType<typeof makeCert>>;
  before(async () => {
    // Different sizes: the factory keeps one key per shape, and the two nodes need two keys.
    alice = await makeCert({ cn: "alice", bits: 2048 });
    bob = await makeCert({ cn: "bob", bits: 3072 });
  });

  const node = (id: string, keyPem: string) =>
    stackResource(
      "kubernetes:core/v1:ConfigMap",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `kuscia-autonomy-${id}-cm`, namespace: `autonomy-${id}`, labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": `mode: autonomy\ndomainID: ${id}\ndomainKeyData: ${pkcs1B64(keyPem)}\n` } },
      `autonomy-${id}/kuscia-autonomy-${id}-cm`,
    );
  const partner = (id: string, certB64: string, at: string) => stackResource(`kubernetes:${KD}:Domain`, { apiVersion: KD, kind: "Domain", metadata: { name: id }, spec: { role: "partner", cert: certB64 } }, `${id}@${at}`);
  const route = (src: string, dst: string, auth = "Token") =>
    stackResource(`kubernetes:${KD}:ClusterDomainRoute`, { apiVersion: KD, kind: "ClusterDomainRoute", metadata: { name: `${src}-${dst}` }, spec: { source: src, destination: dst, authenticationType: auth, tokenConfig: { tokenGenMethod: "RSA-GEN" } } }, `${src}-${dst}@${src}`);
  const peering = () => [node("alice", alice.keyPkcs8Pem), node("bob", bob.keyPkcs8Pem), partner("bob", bob.certB64, "alice"), partner("alice", alice.certB64, "bob"), route("alice", "bob"), route("bob", "alice")];

  it("a peering whose two sides agree passes", async () => {
    assert.deepEqual(await stackReportsOf(policies, peering()), []);
  });

  it("a partner Domain carrying a certificate of another key than its node's fails peer.cert, on that Domain", async () => {
    const resources = peering();
    resources[2] = partner("bob", alice.certB64, "alice"); // alice's certificate where bob's belongs
    const reports = await stackReportsOf(policies, resources);
    assert.deepEqual(reports.map((r) => [r.policy, r.level, r.urn]), [["peer.cert", "mandatory", resources[2].urn]]);
    assert.match(reports[0].message, /^\[peer\.cert\] spec\.cert: is a certificate of another key than the domain key of node "bob"/);
    // No key material in the message.
    assert.doesNotMatch(reports[0].message, /BEGIN|MII/);
  });

  it("a route without its reverse, or with another authenticationType, fails peer.route", async () => {
    const oneWay = peering().slice(0, 5);
    assert.deepEqual((await stackReportsOf(policies, oneWay)).map((r) => [r.policy, r.urn]), [["peer.route", oneWay[4].urn]]);
    const mixed = [...peering().slice(0, 5), route("bob", "alice", "MTLS")];
    const reports = await stackReportsOf(policies, mixed);
    assert.deepEqual(reports.map((r) => r.policy), ["peer.route", "peer.route"]);
    assert.match(reports[0].message, /spec\.authenticationType: is "Token", but the reverse route "bob-alice" uses "MTLS"/);
  });

  it("one side only (the partner's node managed elsewhere) is not checked", async () => {
    const aliceSide = [node("alice", alice.keyPkcs8Pem), partner("bob", alice.certB64, "alice"), route("alice", "bob")];
    assert.deepEqual((await stackReportsOf(policies, aliceSide)).filter((r) => r.policy.startsWith("peer.")), []);
  });

  it("the rule book's references: an undeclared AppImage or InteropConfig member is advisory, at the referring resource", async () => {
    const kd = stackResource(`kubernetes:${KD}:KusciaDeployment`, { apiVersion: KD, kind: "KusciaDeployment", metadata: { name: "serving", namespace: "cross-domain" }, spec: { initiator: "alice", parties: [{ domainID: "alice", appImageRef: "serving-image" }] } }, "cross-domain/serving");
    const ic = stackResource(`kubernetes:${KD}:InteropConfig`, { apiVersion: KD, kind: "InteropConfig", metadata: { name: "alice-2-bob" }, spec: { host: "alice", members: ["bob"] } }, "alice-2-bob");
    const aliceDomain = stackResource(`kubernetes:${KD}:Domain`, { apiVersion: KD, kind: "Domain", metadata: { name: "alice" }, spec: {} }, "alice");
    const reports = await stackReportsOf(policies, [aliceDomain, kd, ic]);
    assert.deepEqual(reports.map((r) => [r.policy, r.level, r.urn]), [
      ["ref.kd.appimage", "advisory", kd.urn],
      ["ref.interop.domain", "advisory", ic.urn],
    ]);
    const image = stackResource(`kubernetes:${KD}:AppImage`, { apiVersion: KD, kind: "AppImage", metadata: { name: "serving-image" }, spec: { deployTemplates: [{ name: "serving", spec: { containers: [{ name: "serving" }] } }] } }, "serving-image");
    const bobDomain = stackResource(`kubernetes:${KD}:Domain`, { apiVersion: KD, kind: "Domain", metadata: { name: "bob" }, spec: {} }, "bob");
    assert.deepEqual(await stackReportsOf(policies, [aliceDomain, bobDomain, image, kd, ic]), []);
    // Set to deny in the policy configuration, the same finding blocks.
    const denied = await stackReportsOf(underConfig({ rules: { "ref.kd.appimage": "deny" } }), [aliceDomain, kd]);
    assert.deepEqual(denied.map((r) => [r.policy, r.level]), [["ref.kd.appimage", "mandatory"]]);
  });
});
