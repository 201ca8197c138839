/**
 * A stack made by an earlier release of the components upgrades to this one with no change to
 * the program: the preview and the update delete nothing and replace nothing, and every
 * Kubernetes object keeps its uid. The earlier releases are built from this repository's history
 * (test/e2e/harness/releases.ts): the first release (children named after their component) and
 * the previous one (children named by identity, `@<provider>` under an explicit provider).
 *
 * Which states: registering one program (harness/releases.ts: upgradeProgram) under every commit
 * of `git log -- components/` gives two sets of names, those of a2d0cbd (and the commits before it,
 * back to the first with node components) and those of 5ba7c2c to 74f0725; within the second,
 * later commits only add objects (the webhook's policy ConfigMap and RBAC, the data components,
 * the lite node's Domain), which an upgrade creates. The test upgrades from a2d0cbd and 74f0725.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import type { Stack } from "@pulumi/pulumi/automation";
import { startCluster, type Cluster } from "./harness/cluster";
import { pulumiEnv, skipAwait, type PulumiEnv } from "./harness/pulumi";
import { buildRelease, RELEASES, upgradeProgram, type Components, type Release } from "./harness/releases";
import { toolsDir } from "./harness/tools";
import { makeCert } from "../helpers/certs";
import * as current from "../../components";

/** Operations that delete or replace a live object. */
const DESTRUCTIVE = ["delete", "replace", "create-replacement", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"];

const destructive = (changes: Record<string, number> | undefined) => Object.entries(changes ?? {}).filter(([op, n]) => DESTRUCTIVE.includes(op) && n > 0);

/** uid of every Kubernetes object in the stack's state, by type and physical identity. */
async function uids(stack: Stack): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of (await stack.exportStack()).deployment.resources ?? []) {
    if (!String(r.type).startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes" || !r.outputs?.metadata?.uid) continue;
    out[`${r.type} ${r.outputs.metadata.namespace ?? ""}/${r.outputs.metadata.name}`] = r.outputs.metadata.uid;
  }
  return out;
}

describe("e2e: a stack made by an earlier release upgrades with no change to the program, deleting and replacing nothing", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  let env: PulumiEnv;
  let bobCert: string;
  const releases = new Map<Release, ReturnType<typeof buildRelease>>();
  const cases: { release: Release; prefix: string; later: boolean }[] = [
    { release: "first", prefix: "r1", later: false },
    { release: "identity", prefix: "r2", later: true },
  ];

  before(async function () {
    this.timeout(0);
    cluster = await startCluster(toolsDir("kube"));
    env = await pulumiEnv(toolsDir("pulumi"), cluster.kubeconfig);
    bobCert = (await makeCert({ cn: "bob" })).certB64;
    // What the program expects to exist: the KusciaDeployment's and KusciaJob's namespace (Kuscia's
    // control plane makes it) and the Iflearner parties' namespaces (the operator's users make them).
    for (const ns of ["cross-domain", ...cases.flatMap((c) => [`${c.prefix}fl-server`, `${c.prefix}fl-a`])]) await cluster.kubectlOk(["create", "namespace", ns]);
    for (const r of Object.keys(RELEASES) as Release[]) releases.set(r, buildRelease(RELEASES[r]));
  });
  after(async () => {
    await cluster?.stop();
    env?.cleanup();
    for (const r of releases.values()) r.cleanup();
  });

  const program = (m: Components, prefix: string, later: boolean) => async () => {
    skipAwait();
    // The same cluster through three explicit providers, as a user gives the nodes' own API servers.
    const kubeconfig = readFileSync(cluster.kubeconfig, "utf8");
    const providers = {
      cluster: new k8s.Provider("cluster", { kubeconfig }),
      aliceKuscia: new k8s.Provider("alice-kuscia", { kubeconfig }),
      bobKuscia: new k8s.Provider("bob-kuscia", { kubeconfig }),
    };
    return upgradeProgram(m, { prefix, bobCert, providers, later });
  };

  for (const c of cases) {
    it(`from ${c.release === "first" ? "the first release" : "the previous release"} (${RELEASES[c.release]}): preview and up delete and replace nothing, every object keeps its uid`, async () => {
      const old = releases.get(c.release)!.components;
      let stack = await env.stack(`upgrade-${c.release}`, "e2e", program(old, c.prefix, c.later));
      const made = await stack.up();
      assert.equal(made.summary.result, "succeeded");
      const before = await uids(stack);
      assert.ok(Object.keys(before).some((k) => k.includes("NodePeering") || k.includes(":Domain ")), `no partner Domain in ${Object.keys(before).join(", ")}`);

      stack = await env.stack(`upgrade-${c.release}`, "e2e", program(current as unknown as Components, c.prefix, c.later));
      const preview = await stack.preview();
      assert.deepEqual(destructive(preview.changeSummary), [], `preview: ${JSON.stringify(preview.changeSummary)}\n${preview.stdout}`);
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.deepEqual(destructive(up.summary.resourceChanges), [], `up: ${JSON.stringify(up.summary.resourceChanges)}\n${up.stdout}`);
      const after = await uids(stack);
      for (const [k, uid] of Object.entries(before)) assert.equal(after[k], uid, `${k} was recreated`);
      // A second up with the new package has nothing left to do.
      const again = await stack.preview();
      assert.deepEqual(Object.keys(again.changeSummary).filter((op) => op !== "same"), [], JSON.stringify(again.changeSummary));
      // The webhook's ClusterRoleBinding is cluster-scoped, the same object in every case's stack.
      assert.equal((await stack.destroy()).summary.result, "succeeded");
    });
  }
});
