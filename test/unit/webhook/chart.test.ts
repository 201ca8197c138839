import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { CHART_GENERATED, CHART_VALUES_SCHEMA, chartGeneratedTpl, chartValuesSchemaText } from "../../../webhook/chart";
import { rules } from "../../../policy";
import { DEFAULT_POLICY_YAML, deployManifests } from "../../../webhook/manifests";
import { KUSCIA_RESOURCES } from "../../../webhook/configurations";

type Obj = Record<string, any>;
const ROOT = resolve(__dirname, "..", "..", "..", "..");
const CHART = join(ROOT, "charts", "kuscia-iac");
const values = parse(readFileSync(join(CHART, "values.yaml"), "utf8")) as Obj;
const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8")) as Obj;

// Rendering the chart needs helm: test/e2e/helm.test.ts checks that `helm template` prints deploy/.
// These checks catch drift without it.
describe("Helm chart charts/kuscia-iac", () => {
  it(`${CHART_GENERATED} is what webhook/chart.ts generates (run node dist/webhook/gen-deploy.js)`, () => {
    assert.equal(readFileSync(join(ROOT, CHART_GENERATED), "utf8"), chartGeneratedTpl());
  });

  it("generates the gated resources, the default policy and the RBAC rules from the webhook's own definitions", () => {
    const tpl = chartGeneratedTpl();
    for (const r of KUSCIA_RESOURCES) assert.ok(tpl.includes(`- ${r}\n`), r);
    assert.ok(tpl.includes(DEFAULT_POLICY_YAML.trimEnd()));
    assert.ok(tpl.includes("- iflearnerjobs\n") && tpl.includes("kuscia.secretflow/config:") && tpl.includes("kuscia-iac-audit"));
    assert.match(tpl, /define "kuscia-iac\.gen\.matchConditionsSince" -}}\n1\.28\n/);
  });

  it("defaults the Deployment values to what deploy/ (webhook/manifests.ts) runs", () => {
    const d = deployManifests().find((o) => o.kind === "Deployment") as Obj;
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    const v = values.deployment;
    assert.equal(v.replicas, d.spec.replicas);
    assert.deepEqual(v.strategy, d.spec.strategy);
    assert.deepEqual(v.resources, c.resources);
    assert.deepEqual(v.readinessProbe, c.readinessProbe);
    assert.deepEqual(v.livenessProbe, c.livenessProbe);
    assert.deepEqual(v.podSecurityContext, pod.securityContext);
    assert.deepEqual(v.securityContext, c.securityContext);
    assert.equal(v.terminationGracePeriodSeconds, pod.terminationGracePeriodSeconds);
    assert.equal(String(v.drainTimeoutSeconds), c.args[c.args.indexOf("--drain-timeout") + 1]);
    assert.equal(v.auditInterval, c.args[c.args.indexOf("--audit-interval") + 1]);
    assert.equal(v.references, c.args.includes("--references"));
    const t = pod.topologySpreadConstraints[0];
    assert.deepEqual({ maxSkew: v.topologySpread.maxSkew, topologyKey: v.topologySpread.topologyKey, whenUnsatisfiable: v.topologySpread.whenUnsatisfiable }, { maxSkew: t.maxSkew, topologyKey: t.topologyKey, whenUnsatisfiable: t.whenUnsatisfiable });
    assert.equal(`${values.image.repository}:${values.image.tag || parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")).appVersion}`, c.image);
    assert.equal(values.image.pullPolicy, c.imagePullPolicy);
  });

  it("ships appVersion = the package version (the default image tag)", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Obj;
    assert.equal(parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")).appVersion, pkg.version);
  });

  it("values.schema.json accepts values.yaml and refuses what the API server or the webhook would refuse", () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    assert.ok(validate(values), JSON.stringify(validate.errors));
    const bad = (patch: (v: Obj) => void, where: string) => {
      const v = structuredClone(values);
      patch(v);
      assert.equal(validate(v), false, where);
      assert.ok(validate.errors!.some((e) => e.instancePath.startsWith(where)), `${where}: ${JSON.stringify(validate.errors)}`);
    };
    bad((v) => (v.webhook.failurePolicy = "Never"), "/webhook/failurePolicy");
    bad((v) => (v.webhook.timeoutSeconds = 31), "/webhook/timeoutSeconds");
    bad((v) => (v.webhook.url = "http://10.0.0.5:8443"), "/webhook/url");
    bad((v) => (v.webhook.url = "https://u:p@10.0.0.5:8443"), "/webhook/url");
    bad((v) => (v.tls.mode = "selfsigned"), "/tls/mode");
    bad((v) => (v.tls.mode = "secret"), "/tls");
    bad((v) => (v.policy.configuration = { rule: { x: "off" } }), "/policy/configuration");
    bad((v) => (v.policy.configuration = { exemptRequesters: { serviceAccounts: ["kuscia"] } }), "/policy/configuration/exemptRequesters/serviceAccounts/0");
    bad((v) => (v.deployment.auditInterval = "10 minutes"), "/deployment/auditInterval");
    // `helm --set usernames={}` makes [""], which the webhook would refuse at start.
    bad((v) => (v.policy.configuration = { exemptRequesters: { usernames: [""] } }), "/policy/configuration/exemptRequesters/usernames/0");
    bad((v) => (v.replicas = 3), "");
  });

  it(`${CHART_VALUES_SCHEMA} carries the generated PolicyConfiguration schema (run node dist/webhook/gen-deploy.js)`, () => {
    const text = readFileSync(join(ROOT, CHART_VALUES_SCHEMA), "utf8");
    assert.equal(text, chartValuesSchemaText(text, rules().map((r) => r.id)));
  });

  // Each of these rendered before and failed later: at the webhook's start (exit 2), at the API
  // server, or on the next upgrade.
  it("values.schema.json refuses what the webhook, the API server or an upgrade would refuse later", () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const check = (patch: (v: Obj) => void) => {
      const v = structuredClone(values);
      patch(v);
      return validate(v);
    };
    const bad = (patch: (v: Obj) => void, where: string) => {
      assert.equal(check(patch), false, where);
      assert.ok(validate.errors!.some((e) => e.instancePath.startsWith(where)), `${where}: ${JSON.stringify(validate.errors)}`);
    };
    const good = (patch: (v: Obj) => void, what: string) => assert.ok(check(patch), `${what}: ${JSON.stringify(validate.errors)}`);
    // 1. policy.configuration: rule ids, globs, actions, the fail-closed rule, exceptions.
    bad((v) => (v.policy.configuration = { rules: { nope: "deny" } }), "/policy/configuration/rules");
    bad((v) => (v.policy.configuration = { rules: { "interop.members": "block" } }), "/policy/configuration/rules/interop.members");
    bad((v) => (v.policy.configuration = { rules: { "interop.members": { action: "deny", extra: 1 } } }), "/policy/configuration/rules/interop.members");
    bad((v) => (v.policy.configuration = { rules: { "internal.rule-error": "off" } }), "/policy/configuration/rules/internal.rule-error");
    bad((v) => (v.policy.configuration = { exceptions: [{ name: "a", reason: "b", match: {}, rules: ["nope"] }] }), "/policy/configuration/exceptions/0/rules/0");
    bad((v) => (v.policy.configuration = { exceptions: [{ name: "a", reason: "b", match: {}, rules: ["*"], expires: "next year" }] }), "/policy/configuration/exceptions/0/expires");
    good((v) => (v.policy.configuration = { rules: { "interop.members": "warn", "domain.cert.*": { action: "off" }, "*": "audit", "internal.rule-error": "deny" }, exceptions: [{ name: "a", reason: "b", match: {}, rules: ["domain.*"], expires: "2027-06-30" }] }), "rule ids, globs");
    // 2. --audit-interval is at least 1s.
    for (const d of ["0s", "1ms", "500ms", "0m"]) bad((v) => (v.deployment.auditInterval = d), "/deployment/auditInterval");
    for (const d of ["1s", "1000ms", "10m", "1h", ""]) good((v) => (v.deployment.auditInterval = d), d);
    // 3. tls.mode=secret names the user's Secret (no default colliding with the chart's own).
    bad((v) => Object.assign(v.tls, { mode: "secret", caBundle: "LS0tLS1CRUdJTiBD" }), "/tls");
    good((v) => Object.assign(v.tls, { mode: "secret", caBundle: "LS0tLS1CRUdJTiBD", secret: { name: "mine" } }), "secret mode");
    // 5. no private JWK.
    for (const k of ["d", "p", "q", "dp", "dq", "qi", "k"]) bad((v) => (v.auth.jwks.keys = [{ kty: "EC", crv: "P-256", x: "x", y: "y", [k]: "s" }]), "/auth/jwks/keys/0");
    good((v) => (v.auth.jwks.keys = [{ kty: "EC", crv: "P-256", x: "x", y: "y" }]), "public JWK");
    // 6. the selector labels are the chart's.
    for (const k of ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by"]) {
      bad((v) => (v.commonLabels = { [k]: "x" }), "/commonLabels");
      bad((v) => (v.deployment.podLabels = { [k]: "x" }), "/deployment/podLabels");
    }
    // 7. caBundle: base64 of a PEM, or PEM text.
    for (const c of ["Q0E=", "not base64", "LS0tLS1CRUdJTi@@"]) bad((v) => Object.assign(v.tls, { mode: "secret", caBundle: c, secret: { name: "s" } }), "/tls/caBundle");
    good((v) => Object.assign(v.tls, { mode: "secret", caBundle: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", secret: { name: "s" } }), "PEM text");
    // 8. kubeVersion anchored.
    bad((v) => (v.webhook.kubeVersion = "1.28garbage"), "/webhook/kubeVersion");
    for (const k of ["1.28", "v1.30.2", "1.29.0-rc.1", "1.30.1+k3s1"]) good((v) => (v.webhook.kubeVersion = k), k);
    // 10. issuerRef with name and kind.
    bad((v) => (v.tls.certManager.issuerRef = { kind: "ClusterIssuer" }), "/tls/certManager/issuerRef");
    bad((v) => (v.tls.certManager.issuerRef = { name: "corp" }), "/tls/certManager/issuerRef");
    good((v) => (v.tls.certManager.issuerRef = { name: "corp", kind: "ClusterIssuer" }), "issuerRef");
    // 11. replicas and the PDB.
    bad((v) => (v.deployment.replicas = 0), "/deployment/replicas");
    bad((v) => (v.deployment.replicas = 2 ** 31), "/deployment/replicas");
    good((v) => Object.assign(v.deployment, { enabled: false, replicas: 0 }), "no Deployment");
    for (const m of [-1, "1", "50", "x%", 1.5]) bad((v) => (v.podDisruptionBudget.minAvailable = m), "/podDisruptionBudget/minAvailable");
    bad((v) => (v.podDisruptionBudget.maxUnavailable = "one"), "/podDisruptionBudget/maxUnavailable");
    for (const m of [0, 1, "50%"]) good((v) => (v.podDisruptionBudget.maxUnavailable = m), String(m));
    // 12. image by digest.
    bad((v) => (v.image.repository = "kuscia-iac@sha256:abc"), "/image/repository");
    bad((v) => (v.image.tag = "1.0:2"), "/image/tag");
    bad((v) => (v.image.digest = "abc"), "/image/digest");
    good((v) => Object.assign(v.image, { repository: "registry.example:5000/kuscia-iac", digest: `sha256:${"a".repeat(64)}` }), "digest");
    // 14. extraArgs: numbers and booleans are taken (the chart quotes them).
    good((v) => (v.deployment.extraArgs = ["--x", 5, true]), "extraArgs");
    bad((v) => (v.deployment.extraArgs = [{ a: 1 }]), "/deployment/extraArgs/0");
  });
});
