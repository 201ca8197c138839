import { strict as assert } from "node:assert";
import { appendFileSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { RunningWebhook } from "../../../webhook/server";
import { webhookConfigurations } from "../../../webhook/configurations";
import { DEFAULT_POLICY_YAML, deployManifests, POLICY_CONFIGMAP } from "../../../webhook/manifests";
import { defaultPolicyConfiguration, loadPolicyConfiguration, rules } from "../../../policy";
import { admissionReview, call, captureLogger, tempDir, waitFor } from "./helpers";
import { webhookFixture } from "../../helpers/webhook";

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
  const fx = webhookFixture();
  let wh: RunningWebhook;
  let logs: ReturnType<typeof captureLogger>;
  let file: string;

  // Written beside and renamed into place, as a ConfigMap volume's symlink swap replaces it atomically.
  const write = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };

  before(async () => {
    logs = captureLogger();
    file = path.join(tempDir("kuscia-iac-policy-"), "policy.yaml");
    write(POLICY);
    wh = await fx.start({ logger: logs.logger, policyConfigFile: file, policyConfigPollMs: 100 });
  });

  const send = (object: unknown, userInfo?: Record<string, unknown>, endpoint = "/validate") => {
    const review = admissionReview(object) as { request: Record<string, unknown> };
    if (userInfo) review.request.userInfo = userInfo;
    return fx.post(wh, review, endpoint);
  };
  const metrics = async () => (await call(wh.url, "/metrics", { ca: fx.pki.ca.certPem, method: "GET" })).text;

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
    await assert.rejects(fx.start({ logger: logs.logger, policyConfigFile: bad }), /parameters\.minRsaKeyBits/);
  });
});

describe("webhook policy configuration file: applied whole, compiled once, off the event loop", () => {
  const fx = webhookFixture();
  const HEAD = "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyConfiguration\n";
  const counter = fx.metric;
  const send = (wh: RunningWebhook, name: string) => fx.post(wh, admissionReview(interop(name)));

  it("never answers a request under a file caught half-written: a changed file is applied once two reads agree", async () => {
    const file = path.join(tempDir("kuscia-iac-policy-"), "policy.yaml");
    // Old and new configurations both refuse a host among its members; the new one's first
    // half, which parses, would allow it (every rule warns until the second half says otherwise).
    const OLD = `${HEAD}rules:\n  kd.*: warn\n`;
    const FIRST_HALF = `${HEAD}rules:\n  "*": warn\n`;
    const SECOND_HALF = `  interop.members: deny\n`;
    writeFileSync(file, OLD);
    // The test decides when the second of the two reads happens.
    const settles: string[] = [];
    let secondHalfWritten!: () => void;
    const written = new Promise<void>((r) => (secondHalfWritten = r));
    const logs = captureLogger();
    const wh = await fx.start({
      logger: logs.logger,
      policyConfigFile: file,
      policyConfigPollMs: 50,
      policyConfigSettle: async (hash) => {
        settles.push(hash);
        // The start-up read goes through; the first changed read waits for the second half.
        if (settles.length === 2) await written;
      },
    });
    // Traffic all along: every answer must refuse, as both the old and the new file do.
    let stop = false;
    const answers: boolean[] = [];
    const traffic = (async () => {
      while (!stop) answers.push((await send(wh, `t-${answers.length}`)).json.response.allowed);
    })();
    writeFileSync(file, FIRST_HALF); // step one: the file is caught between its two writes
    await waitFor(() => settles.length === 2, undefined, "the loader to read the half-written file");
    const duringHalf = answers.length;
    await waitFor(() => answers.length > duringHalf + 3, undefined, "requests answered while the file is half-written");
    appendFileSync(file, SECOND_HALF); // step two
    secondHalfWritten();
    await waitFor(() => logs.lines().some((l) => l.msg === "policy configuration reloaded"), undefined, "the whole file to be applied");
    const reviewedAfter = answers.length;
    await waitFor(() => answers.length > reviewedAfter + 3, undefined, "traffic under the new file");
    stop = true;
    await traffic;
    assert.ok(settles.length >= 3, "the half-written read was followed by another read of the whole file");
    assert.deepEqual(answers.filter((a) => a), [], `${answers.filter((a) => a).length} of ${answers.length} requests were allowed`);
    assert.equal(await counter(wh, "kuscia_iac_webhook_policy_config_compiles_total"), 1, "the half-written bytes were never compiled");
    const r = await send(wh, "after");
    assert.equal(r.json.response.allowed, false);
    assert.ok(logs.lines().filter((l) => l.msg === "policy configuration reloaded").length === 1);
  });

  it("compiles an invalid file once, not on every poll, and a valid one again only when its bytes change", async () => {
    const file = path.join(tempDir("kuscia-iac-policy-"), "policy.yaml");
    writeFileSync(file, HEAD);
    const logs = captureLogger();
    const wh = await fx.start({ logger: logs.logger, policyConfigFile: file, policyConfigPollMs: 20, policyConfigSettle: async () => undefined });
    const checks = () => counter(wh, "kuscia_iac_webhook_policy_config_checks_total");
    const compiles = () => counter(wh, "kuscia_iac_webhook_policy_config_compiles_total");
    // Unchanged valid file: read on every poll, never compiled again.
    const c0 = await checks();
    await waitFor(async () => (await checks()) > c0 + 5, undefined, "five polls");
    assert.equal(await compiles(), 0);
    writeFileSync(file, `${HEAD}rules:\n  interop.member: warn\n`);
    await waitFor(() => logs.lines().some((l) => l.msg === "policy configuration not reloaded: the file is invalid; keeping the configuration in force"), undefined, "the error");
    const after = await checks();
    await waitFor(async () => (await checks()) > after + 5, undefined, "five more polls");
    assert.equal(await compiles(), 1, "the invalid file was compiled once");
    assert.equal(logs.lines().filter((l) => l.msg === "policy configuration not reloaded: the file is invalid; keeping the configuration in force").length, 1);
    writeFileSync(file, `${HEAD}rules:\n  interop.members: warn\n`);
    await waitFor(() => logs.lines().some((l) => l.msg === "policy configuration reloaded"), undefined, "the reload");
    assert.equal(await compiles(), 2);
    assert.equal((await send(wh, "x")).json.response.allowed, true);
  });

  it("follows a ConfigMap volume's ..data symlink swap", async () => {
    const dir = tempDir("kuscia-iac-policy-");
    const version = (n: number, text: string) => {
      mkdirSync(path.join(dir, `..v${n}`));
      writeFileSync(path.join(dir, `..v${n}`, "policy.yaml"), text);
      symlinkSync(`..v${n}`, path.join(dir, "..data_tmp"));
      renameSync(path.join(dir, "..data_tmp"), path.join(dir, "..data"));
    };
    version(1, HEAD);
    symlinkSync("..data/policy.yaml", path.join(dir, "policy.yaml"));
    const logs = captureLogger();
    const wh = await fx.start({ logger: logs.logger, policyConfigFile: path.join(dir, "policy.yaml"), policyConfigPollMs: 50, policyConfigSettle: async () => undefined });
    assert.equal((await send(wh, "x")).json.response.allowed, false);
    version(2, `${HEAD}rules:\n  interop.members: warn\n`);
    await waitFor(() => logs.lines().some((l) => l.msg === "policy configuration reloaded"), undefined, "the reload");
    assert.equal((await send(wh, "x")).json.response.allowed, true);
  });

  it("applies a valid 1 MiB configuration (about 12,600 exceptions)", async () => {
    const file = path.join(tempDir("kuscia-iac-policy-"), "policy.yaml");
    writeFileSync(file, largeConfiguration());
    const wh = await fx.start({ policyConfigFile: file, policyConfigSettle: async () => undefined });
    const n = largeConfiguration.count - 1;
    assert.ok(n > 10_000, `${n} exceptions`);
    assert.equal((await send(wh, `t-${n}-a`)).json.response.allowed, true, "the last exception applies");
    assert.equal((await send(wh, `t-x-a`)).json.response.allowed, false);
    assert.equal((await call(wh.url, "/healthz", { ca: fx.pki.ca.certPem })).status, 200);
  });
});

/** A valid configuration of 1 MiB: one exception per team, each with a name glob. */
export function largeConfiguration(): string {
  let s = "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyConfiguration\nexceptions:\n";
  let i = 0;
  for (;;) {
    const line = `  - {name: e${i}, reason: r, match: {names: [t-${i}-*]}, rules: [interop.members]}\n`;
    if (s.length + line.length > 1024 * 1024) break;
    s += line;
    i++;
  }
  largeConfiguration.count = i;
  return s;
}
largeConfiguration.count = 0;

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
