/**
 * Renaming components, without and with an alias, never deletes a live object: every
 * Kubernetes object a component manages keeps its uid. Domain and the autonomy node have
 * their own tests (pulumi.test.ts, nodes.test.ts); this covers the rest of the core set,
 * native and custom-resource forms, in one stack.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { startGatedCluster, type Gated } from "./harness/gated";
import { pulumiEnv, skipAwait, type PulumiEnv } from "./harness/pulumi";
import { toolsDir } from "./harness/tools";
import { makeCert } from "../helpers/certs";
import { AppImage, ClusterDomainRoute, Domain, DomainData, DomainDataGrant, DomainDataSource, InteropConfig, KusciaDeployment, KusciaJob } from "../../components";

describe("e2e: renaming AppImage, KusciaDeployment, ClusterDomainRoute, InteropConfig, KusciaJob and the data components keeps their objects", function () {
  this.timeout(600_000);
  let g: Gated;
  let env: PulumiEnv;
  let bobCert: string;
  let aliceCert: string;

  before(async function () {
    this.timeout(0);
    g = await startGatedCluster(["cross-domain"]);
    env = await pulumiEnv(toolsDir("pulumi"), g.cluster.kubeconfig);
    bobCert = (await makeCert({ cn: "bob" })).certB64;
    aliceCert = (await makeCert({ cn: "alice" })).certB64;
  });
  after(async () => {
    await g?.stop();
    env?.cleanup();
  });

  // Every logical name carries `prefix`; physical names never change. `alias` names the previous prefix.
  const program = (prefix: string, alias?: string) => async () => {
    skipAwait();
    const o = (name: string) => (alias ? { aliases: [{ name: `${alias}-${name}` }] as pulumi.Input<pulumi.Alias>[] } : {});
    const alice = new Domain(`${prefix}-alice`, { name: "alice" }, o("alice"));
    const bob = new Domain(`${prefix}-bob`, { name: "bob", role: "partner", cert: bobCert, interConnProtocols: ["kuscia"] }, o("bob"));
    const image = new AppImage(
      `${prefix}-image`,
      {
        name: "rename-image",
        emit: "both",
        image: { name: "secretflow/app", tag: "1.0" },
        deployTemplates: [{ name: "t", replicas: 1, spec: { containers: [{ name: "app", workingDir: "/app", ports: [{ name: "http", port: 8080, protocol: "HTTP", scope: "Cluster" }] }] } }],
      },
      o("image"),
    );
    const kd = new KusciaDeployment(
      `${prefix}-kd`,
      { name: "rename-kd", emit: "both", initiator: "alice", inputConfig: "{}", appImages: [image.object], parties: [{ domainID: "alice", appImageRef: "rename-image" }] },
      { ...o("kd"), dependsOn: [alice] },
    );
    const route = new ClusterDomainRoute(
      `${prefix}-route`,
      {
        source: "alice",
        destination: "bob",
        authenticationType: "Token",
        tokenConfig: { tokenGenMethod: "RSA-GEN", rollingUpdatePeriod: 86400 },
        endpoint: { host: "bob.example", ports: [{ name: "http", port: 1080, protocol: "HTTP", isTLS: false }] },
      },
      { ...o("route"), dependsOn: [bob] },
    );
    const hostAccess = new InteropConfig(`${prefix}-interop`, { name: "bob-members", host: "bob", members: ["alice"], emit: "both" }, { ...o("interop"), dependsOn: [alice] });
    const job = new KusciaJob(
      `${prefix}-job`,
      { jobId: "rename-job", initiator: "alice", tasks: [{ alias: "psi", appImage: "rename-image", taskInputConfig: "{}", parties: [{ domainID: "alice" }, { domainID: "bob" }] }] },
      { ...o("job"), dependsOn: [alice, bob, image] },
    );
    const source = new DomainDataSource(
      `${prefix}-source`,
      { domainId: "alice", datasourceId: "rename-source", type: "localfs", info: { localfs: { path: "/home/kuscia/var/storage/data" } }, domainCertificate: aliceCert },
      { ...o("source"), dependsOn: [alice] },
    );
    const table = new DomainData(`${prefix}-table`, { domainId: "alice", domainDataId: "rename-table", type: "table", relativeURI: "alice.csv", dataSource: "rename-source", columns: [{ name: "id", type: "str" }] }, { ...o("table"), dependsOn: [source] });
    const grant = new DomainDataGrant(`${prefix}-grant`, { domainId: "alice", grantId: "rename-grant", domainDataID: "rename-table", grantDomain: "bob" }, { ...o("grant"), dependsOn: [table, bob] });
    return { created: pulumi.all([kd.created, route.created, hostAccess.created, job.created, grant.created]).apply((l) => l.flat()) };
  };

  /** uid of every Kubernetes object in the stack's state, by type and physical name. */
  const uids = async (stack: Awaited<ReturnType<PulumiEnv["stack"]>>) => {
    const out: Record<string, string> = {};
    for (const r of (await stack.exportStack()).deployment.resources ?? []) {
      if (!String(r.type).startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes" || !r.outputs?.metadata) continue;
      out[`${r.type} ${r.outputs.metadata.namespace ?? ""}/${r.outputs.metadata.name}`] = r.outputs.metadata.uid;
    }
    return out;
  };

  let baseline: Record<string, string>;
  let stack: Awaited<ReturnType<PulumiEnv["stack"]>>;

  it("up creates the objects, and the preview showed each of them", async () => {
    stack = await env.stack("rename-core", "e2e", program("first"));
    const preview = await stack.preview();
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(preview.changeSummary.create, up.summary.resourceChanges?.create);
    baseline = await uids(stack);
    for (const kind of ["AppImage", "KusciaDeployment", "ClusterDomainRoute", "InteropConfig", "KusciaJob", "DomainDataSource", "DomainData ", "DomainDataGrant", "apps/v1:Deployment", "core/v1:Service", "rbac.authorization.k8s.io/v1:Role"]) {
      assert.ok(Object.keys(baseline).some((k) => k.includes(kind)), `no ${kind} in ${Object.keys(baseline).join(", ")}`);
    }
  });

  it("renamed without aliases: only the components are replaced, every object keeps its uid", async () => {
    stack = await env.stack("rename-core", "e2e", program("second"));
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    const changes = up.summary.resourceChanges ?? {};
    // The ten components, nothing else (the data source's encryption resource is named by its identity too).
    assert.equal(changes.delete ?? 0, changes.create ?? 0, JSON.stringify(changes));
    assert.ok((changes.create ?? 0) >= 10 && (changes.create ?? 0) <= 11, JSON.stringify(changes));
    assert.deepEqual(await uids(stack), baseline);
  });

  it("renamed with aliases: nothing changes", async () => {
    stack = await env.stack("rename-core", "e2e", program("third", "second"));
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}).filter((op) => op !== "same"), [], JSON.stringify(up.summary.resourceChanges));
    assert.deepEqual(await uids(stack), baseline);
    assert.equal((await stack.destroy()).summary.result, "succeeded");
  });
});
