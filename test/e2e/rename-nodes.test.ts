/**
 * Renaming the IflearnerJob and AdmissionWebhook components, without and with an alias,
 * keeps every object they manage (same uid), generated CA and certificates included.
 * On a cluster of its own: the webhook's configurations point at a Service with no pods.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { startCluster, type Cluster } from "./harness/cluster";
import { pulumiEnv, skipAwait, type PulumiEnv } from "./harness/pulumi";
import { toolsDir } from "./harness/tools";
import { AdmissionWebhook, IflearnerJob } from "../../components";

describe("e2e: renaming IflearnerJob and AdmissionWebhook keeps their objects", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  let env: PulumiEnv;

  before(async function () {
    this.timeout(0);
    cluster = await startCluster(toolsDir("kube"));
    env = await pulumiEnv(toolsDir("pulumi"), cluster.kubeconfig);
  });
  after(async () => {
    await cluster?.stop();
    env?.cleanup();
  });

  const program = (prefix: string, alias?: string) => async () => {
    skipAwait();
    const o = (name: string) => (alias ? { aliases: [{ name: `${alias}-${name}` }] as pulumi.Input<pulumi.Alias>[] } : {});
    const job = new IflearnerJob(
      `${prefix}-job`,
      { name: "job1", namespace: "default", role: "server", host: "job1.server.iflearner.example", template: { spec: { containers: [{ name: "server", image: "iflearner/server:1" }] } }, skipAwait: true },
      o("job"),
    );
    // Ignore: nothing runs behind the Service, and this cluster must stay usable for the renames.
    const hook = new AdmissionWebhook(`${prefix}-webhook`, { failurePolicy: "Ignore", skipAwait: true }, o("webhook"));
    return { job: job.urn, caBundle: hook.caBundle };
  };

  const uids = async (stack: Awaited<ReturnType<PulumiEnv["stack"]>>) => {
    const out: Record<string, string> = {};
    for (const r of (await stack.exportStack()).deployment.resources ?? []) {
      if (!String(r.type).startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes" || !r.outputs?.metadata) continue;
      out[`${r.type} ${r.outputs.metadata.namespace ?? ""}/${r.outputs.metadata.name}`] = r.outputs.metadata.uid;
    }
    return out;
  };

  let baseline: Record<string, string>;
  let caBundle: string;
  let stack: Awaited<ReturnType<PulumiEnv["stack"]>>;

  it("up creates the objects", async () => {
    stack = await env.stack("rename-nodes", "e2e", program("first"));
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    baseline = await uids(stack);
    caBundle = String(up.outputs.caBundle.value);
    for (const kind of ["core/v1:Pod", "networking.k8s.io/v1:Ingress", "apps/v1:Deployment", "ValidatingWebhookConfiguration"]) {
      assert.ok(Object.keys(baseline).some((k) => k.includes(kind)), `no ${kind} in ${Object.keys(baseline).join(", ")}`);
    }
  });

  it("renamed without aliases: no object is deleted or recreated, and the CA stays", async () => {
    stack = await env.stack("rename-nodes", "e2e", program("second"));
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual(await uids(stack), baseline);
    assert.equal(String(up.outputs.caBundle.value), caBundle, "the generated CA is kept: the caBundle users pasted stays valid");
  });

  it("renamed with aliases: nothing changes", async () => {
    stack = await env.stack("rename-nodes", "e2e", program("third", "second"));
    const up = await stack.up();
    assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}).filter((op) => op !== "same"), [], JSON.stringify(up.summary.resourceChanges));
    assert.deepEqual(await uids(stack), baseline);
    assert.equal((await stack.destroy()).summary.result, "succeeded");
  });
});
