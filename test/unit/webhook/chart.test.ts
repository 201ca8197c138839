import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { CHART_GENERATED, chartGeneratedTpl } from "../../../webhook/chart";
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
});
