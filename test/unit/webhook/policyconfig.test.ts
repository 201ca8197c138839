import { strict as assert } from "node:assert";
import { renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { startWebhook, type RunningWebhook } from "../../../webhook/server";
import { webhookConfigurations } from "../../../webhook/configurations";
import { DEFAULT_POLICY_YAML, deployManifests, POLICY_CONFIGMAP } from "../../../webhook/manifests";
import { defaultPolicyConfiguration, loadPolicyConfiguration, rules } from "../../../policy";
import { admissionReview, call, captureLogger, tempDir, testPki, waitFor, type Pki } from "./helpers";

const interop = (name: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name }, spec: { host: "bob", members: ["bob"] } });
const POLICY = `apiVersion: kuscia-iac.secretflow/v1alpha1
kind: PolicyConfiguration
exceptions:
  - name: legacy
    reason: created before the webhook; fixed by the migration
    match: {kinds: [InteropConfig], names: [legacy-*]}
    rules: [interop.members]
exemptRequesters:
  serviceAccounts: [kuscia-system:kuscia]
`;

describe("webhook under a policy configuration file", () => {
  let pki: Pki;
  let wh: RunningWebhook;
  let logs: ReturnType<typeof captureLogger>;
  let file: string;

  // Written beside and renamed into place, as a ConfigMap volume's symlink swap replaces it atomically.
  const write = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };

  before(async () => {
    pki = await testPki();
    logs = captureLogger();
    file = path.join(tempDir("kuscia-iac-policy-"), "policy.yaml");
    write(POLICY);
    wh = await startWebhook({ port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, logger: logs.logger, defaultMetrics: false, policyConfigFile: file, policyConfigPollMs: 100 });
  });
  after(() => wh.close());

  const send = (object: unknown, userInfo?: Record<string, unknown>, endpoint = "/validate") => {
    const review = admissionReview(object) as { request: Record<string, unknown> };
    if (userInfo) review.request.userInfo = userInfo;
    return call(wh.url, endpoint, { ca: pki.ca.certPem, body: JSON.stringify(review) });
  };
  const metrics = async () => (await call(wh.url, "/metrics", { ca: pki.ca.certPem, method: "GET" })).text;

  it("an exception admits the object it names and not its neighbour, and counts it", async () => {
    const ok = await send(interop("legacy-a"));
    assert.equal(ok.json.response.allowed, true);
    const neighbour = await send(interop("new-a"));
    assert.equal(neighbour.json.response.allowed, false);
    assert.match(neighbour.json.response.status.message, /\[interop\.members\]/);
    assert.match(await metrics(), /kuscia_iac_webhook_audit_findings_total\{kind="kuscia\.secretflow\/v1alpha1\/InteropConfig",rule="interop\.members",reason="exception"\} 1/);
    const logged = logs.lines().find((l) => l.name === "legacy-a");
    assert.deepEqual(logged?.audits, [{ rule: "interop.members", exception: "legacy" }]);
  });

  it("an exempt service account passes unreviewed on both endpoints, another one does not", async () => {
    const kuscia = { username: "system:serviceaccount:kuscia-system:kuscia", groups: ["system:serviceaccounts"] };
    for (const endpoint of ["/validate", "/mutate"]) {
      const r = await send(interop("x"), kuscia, endpoint);
      assert.equal(r.json.response.allowed, true, endpoint);
      assert.equal(r.json.response.patch, undefined);
    }
    const other = await send(interop("x"), { username: "system:serviceaccount:kuscia-system:other" });
    assert.equal(other.json.response.allowed, false);
    assert.ok(logs.lines().some((l) => l.exempt === "service account kuscia-system:kuscia"));
  });

  it("reloads a changed file: warn turns the refusal into a warning", async () => {
    write(`${POLICY}rules:\n  interop.members: warn\n`);
    await waitFor(async () => (await send(interop("new-b"))).json.response.allowed === true, undefined, "the reload");
    const r = await send(interop("new-b"));
    assert.match(r.json.response.warnings[0], /spec\.members\[0\]: "bob" is the host .*\[interop\.members\]/);
    assert.match(await metrics(), /kuscia_iac_webhook_policy_config_reloads_total\{result="loaded"\} 1/);
  });

  it("keeps the configuration in force when the new file is invalid, and says why", async () => {
    write("rules:\n  interop.member: warn\n");
    await waitFor(() => logs.lines().some((l) => l.msg === "policy configuration not reloaded: the file is invalid; keeping the configuration in force"), undefined, "the error log");
    const line = logs.lines().find((l) => Array.isArray(l.errors))!;
    assert.match(String((line.errors as string[])[0]), /rules\["interop\.member"\]: names no rule/);
    assert.equal((await send(interop("new-c"))).json.response.allowed, true, "still the warn configuration");
  });

  it("refuses to start on an invalid file", async () => {
    const bad = path.join(tempDir("kuscia-iac-policy-"), "bad.yaml");
    writeFileSync(bad, "parameters: {minRsaKeyBits: 12}\n");
    await assert.rejects(startWebhook({ port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, logger: logs.logger, defaultMetrics: false, policyConfigFile: bad }), /parameters\.minRsaKeyBits/);
  });
});

describe("webhook configurations for exempt requesters", () => {
  const exemptRequesters = { serviceAccounts: ["kuscia-system:kuscia"], groups: ["system:nodes"] };
  it("are matchConditions from Kubernetes 1.28", () => {
    const { validating } = webhookConfigurations({ caBundle: "Q0E=", url: "https://127.0.0.1:8443", exemptRequesters, kubeVersion: "v1.33.1" });
    const hooks = validating.webhooks as { matchConditions?: { name: string; expression: string }[] }[];
    for (const h of hooks) {
      assert.deepEqual(h.matchConditions?.map((c) => c.name), ["not-exempt-user", "not-exempt-group"]);
      assert.match(h.matchConditions![0].expression, /'system:serviceaccount:kuscia-system:kuscia'/);
    }
  });
  it("are left to the webhook on older API servers", () => {
    const { mutating } = webhookConfigurations({ caBundle: "Q0E=", url: "https://127.0.0.1:8443", exemptRequesters, kubeVersion: "1.26" });
    for (const h of mutating.webhooks as Record<string, unknown>[]) assert.equal(h.matchConditions, undefined);
  });
});

describe("the policy configuration shipped in deploy/", () => {
  it("is valid, changes no rule's action, and is what the Deployment mounts with --config", () => {
    const r = loadPolicyConfiguration(DEFAULT_POLICY_YAML, "deploy/webhook.yaml");
    assert.ok("config" in r, JSON.stringify(r));
    if ("config" in r) assert.deepEqual(rules(r.config).map((x) => x.action), rules(defaultPolicyConfiguration()).map((x) => x.action));
    const objs = deployManifests() as { kind: string; metadata: { name: string }; spec?: { template: { spec: { containers: { args: string[] }[]; volumes: { configMap?: { name: string } }[] } } } }[];
    const dep = objs.find((o) => o.kind === "Deployment")!;
    assert.ok(dep.spec!.template.spec.containers[0].args.includes("--config"));
    assert.ok(dep.spec!.template.spec.volumes.some((v) => v.configMap?.name === POLICY_CONFIGMAP));
    assert.ok(objs.some((o) => o.kind === "ConfigMap" && o.metadata.name === POLICY_CONFIGMAP));
  });
});
