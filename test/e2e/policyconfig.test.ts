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

describe("e2e: the policy configuration behind a real kube-apiserver", function () {
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

  it("an exempt service account passes (matchConditions keep it from the webhook)", async () => {
    const before = await g.requests({ endpoint: "validate" });
    const r = await g.cluster.kubectl(["apply", "--as=system:serviceaccount:kuscia-system:kuscia", "-f", "-"], JSON.stringify(interop("made-by-kuscia")));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await g.requests({ endpoint: "validate" }), before, "the API server did not call the webhook");
    const other = await g.cluster.kubectl(["apply", "--as=system:serviceaccount:kuscia-system:default", "-f", "-"], JSON.stringify(interop("made-by-other")));
    assert.notEqual(other.code, 0, "another service account is still reviewed");
  });

  it("a rule set to warn turns the refusal into a kubectl warning, once the file changes", async () => {
    write(`${BASE}rules:\n  interop.members: warn\n`);
    await waitFor("the webhook to reload its configuration", () => dryRunAllowed("new-b"), 30_000);
    const r = await g.apply(interop("new-b"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: spec\.members\[0\]: "bob" is the host \(spec\.host\).*\[interop\.members\]/);
  });

  it("back at deny, a label-only update of the object that already breaks the rule is allowed, with a warning", async () => {
    write(BASE);
    await waitFor("the webhook to reload its configuration", async () => !(await dryRunAllowed("new-c")), 30_000);
    const r = await g.cluster.kubectl(["label", "interopconfig", "new-b", "team=federation"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: .*an existing violation/);
    const changed = await g.apply({ ...interop("new-b"), spec: { host: "bob", members: ["carol", "bob"] } });
    assert.notEqual(changed.code, 0, "an update of the offending field is judged again");
  });
});
