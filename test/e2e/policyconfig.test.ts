/**
 * The policy configuration end to end: the webhook follows its --config file behind a
 * real kube-apiserver, and kubectl users see each action as they would in production.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startGatedCluster, type Gated } from "./harness/gated";
import { waitFor } from "./harness/procs";
import { kubeLine } from "./harness/tools";
import { MATCH_CONDITIONS_SINCE } from "../../webhook/configurations";

const interop = (name: string, labels?: Record<string, string>) => ({
  apiVersion: "kuscia.secretflow/v1alpha1",
  kind: "InteropConfig",
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { host: "bob", members: ["bob"] },
});

const BASE = `apiVersion: kuscia-iac.secretflow/v1alpha1
kind: PolicyConfiguration
exceptions:
  - name: legacy
    reason: created before the webhook; the migration fixes them
    match: {kinds: [InteropConfig], names: [legacy-*]}
    rules: [interop.members]
exemptRequesters:
  serviceAccounts: [kuscia-system:kuscia]
`;

describe(`e2e: the policy configuration behind a real kube-apiserver (Kubernetes ${kubeLine()})`, function () {
  this.timeout(180_000);
  let g: Gated;
  let file: string;
  const write = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  const dryRunAllowed = async (name: string) => (await g.apply(interop(name), ["--dry-run=server"])).code === 0;

  before(async function () {
    this.timeout(0);
    file = path.join(mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-policy-")), "policy.yaml");
    write(BASE);
    g = await startGatedCluster(["kuscia-system"], { policyConfigFile: file, exemptRequesters: { serviceAccounts: ["kuscia-system:kuscia"] } });
    await g.cluster.kubectlOk(["create", "serviceaccount", "kuscia", "-n", "kuscia-system"]);
    await g.cluster.kubectlOk(["create", "clusterrolebinding", "kuscia-admin", "--clusterrole=cluster-admin", "--serviceaccount=kuscia-system:kuscia"]);
  });
  after(async () => {
    await g?.stop();
  });

  it("an exception admits the object it names and not its neighbour", async () => {
    const ok = await g.apply(interop("legacy-a"));
    assert.equal(ok.code, 0, ok.stderr);
    const neighbour = await g.apply(interop("new-a"));
    assert.notEqual(neighbour.code, 0);
    assert.match(neighbour.stderr, /spec\.members\[0\]: "bob" is the host \(spec\.host\).*\[interop\.members\]/);
  });

  // matchConditions are on by default from 1.28 (beta; GA in 1.30): older servers send every request.
  const serverHasMatchConditions = () => {
    const [maj, min] = g.cluster.version.replace(/^v/, "").split(".").map(Number);
    return maj > MATCH_CONDITIONS_SINCE.major || (maj === MATCH_CONDITIONS_SINCE.major && min >= MATCH_CONDITIONS_SINCE.minor);
  };

  it("the exempt requesters are registered as matchConditions exactly where the API server has them", async () => {
    const conf = JSON.parse(await g.cluster.kubectlOk(["get", "validatingwebhookconfiguration", "kuscia-iac-validate", "-o", "json"])) as { webhooks: { matchConditions?: { expression: string }[] }[] };
    for (const w of conf.webhooks) {
      if (serverHasMatchConditions()) assert.match(w.matchConditions?.[0]?.expression ?? "", /'system:serviceaccount:kuscia-system:kuscia'/, `${g.cluster.version}: ${JSON.stringify(w)}`);
      else assert.equal(w.matchConditions, undefined, g.cluster.version);
    }
  });

  it("an exempt service account passes (matchConditions keep it from the webhook, or the webhook admits it)", async () => {
    const before = await g.requests({ endpoint: "validate" });
    const r = await g.cluster.kubectl(["apply", "--as=system:serviceaccount:kuscia-system:kuscia", "-f", "-"], JSON.stringify(interop("made-by-kuscia")));
    assert.equal(r.code, 0, r.stderr);
    if (serverHasMatchConditions()) assert.equal(await g.requests({ endpoint: "validate" }), before, "the API server did not call the webhook");
    else assert.ok((await g.requests({ endpoint: "validate" })) > before, "without matchConditions the webhook itself exempts it");
    const other = await g.cluster.kubectl(["apply", "--as=system:serviceaccount:kuscia-system:default", "-f", "-"], JSON.stringify(interop("made-by-other")));
    assert.notEqual(other.code, 0, "another service account is still reviewed");
  });

  it("a rule set to warn turns the refusal into a kubectl warning, once the file changes", async () => {
    write(`${BASE}rules:\n  interop.members: warn\n`);
    await waitFor("the webhook to reload its configuration", () => dryRunAllowed("new-b"));
    const r = await g.apply(interop("new-b"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: spec\.members\[0\]: "bob" is the host \(spec\.host\).*\[interop\.members\]/);
  });

  it("back at deny, a label-only update of the object that already breaks the rule is allowed, with a warning", async () => {
    write(BASE);
    await waitFor("the webhook to reload its configuration", async () => !(await dryRunAllowed("new-c")));
    const r = await g.cluster.kubectl(["label", "interopconfig", "new-b", "team=federation"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: .*an existing violation/);
    const changed = await g.apply({ ...interop("new-b"), spec: { host: "bob", members: ["carol", "bob"] } });
    assert.notEqual(changed.code, 0, "an update of the offending field is judged again");
  });
});
