/**
 * `webhook --references` behind a real kube-apiserver: the webhook watches Domains,
 * AppImages, DomainData, DomainDataSources, routes and ResourceQuotas, and kubectl users
 * see a warning when an object names one that does not exist (once it exists, no
 * warning), and a KusciaJob's pre-flight warnings (policy/preflight.ts). The same cache
 * feeds the certificate gauge.
 */
import { strict as assert } from "node:assert";
import { startGatedCluster, type Gated } from "./harness/gated";
import { waitFor } from "./harness/procs";
import { DAY, makeCert } from "../helpers/certs";

const K = "kuscia.secretflow/v1alpha1";
const kd = (name: string, image: string) => ({
  apiVersion: K,
  kind: "KusciaDeployment",
  metadata: { name, namespace: "cross-domain" },
  spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: image }] },
});
const appImage = (name: string) => ({
  apiVersion: K,
  kind: "AppImage",
  metadata: { name },
  spec: {
    image: { name: "secretflow/serving-anolis8", tag: "0.2.0" },
    deployTemplates: [{ name: "serving", replicas: 1, spec: { containers: [{ name: "serving", command: ["sh"], args: ["-c", "run"], workingDir: "/work" }] } }],
  },
});

describe("e2e: webhook --references behind a real kube-apiserver", function () {
  this.timeout(180_000);
  let g: Gated;
  let notAfter: Date;

  before(async function () {
    this.timeout(0);
    g = await startGatedCluster(["cross-domain"], { references: true });
    notAfter = new Date(Math.floor((Date.now() + 30 * DAY) / 1000) * 1000);
    const cert = await makeCert({ cn: "alice", notAfter });
    const r = await g.apply({ apiVersion: K, kind: "Domain", metadata: { name: "alice" }, spec: { cert: cert.certB64 } });
    assert.equal(r.code, 0, r.stderr);
    await g.webhook.references!.waitForSync(30_000);
  });
  after(async () => {
    await g?.stop();
  });

  it("warns when a KusciaDeployment names an AppImage that does not exist, and not once it does", async () => {
    const missing = await g.apply(kd("serving", "serving-image"));
    assert.equal(missing.code, 0, missing.stderr);
    assert.match(missing.stderr, /Warning: spec\.parties\[0\]\.appImageRef: names AppImage "serving-image", which does not exist; the KusciaDeployment controller sets the deployment Failed.*\[ref\.kd\.appimage\]/);
    assert.doesNotMatch(missing.stderr, /ref\.kd\.domain/, "Domain alice exists");

    const created = await g.apply(appImage("serving-image"));
    assert.equal(created.code, 0, created.stderr);
    // The watch delivers the AppImage shortly after the API server stores it, and the cache's
    // names then reach the review workers: wait for what a kubectl user would see.
    await waitFor("the AppImage in the cache", async () => g.webhook.references!.has(`${K}/AppImage\u0000\u0000serving-image`), 10_000);
    await waitFor("the review workers to know the AppImage", async () => !/ref\.kd\./.test((await g.apply(kd("probe", "serving-image"), ["--dry-run=server"])).stderr), 10_000);
    const again = await g.apply(kd("serving-2", "serving-image"));
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /ref\.kd\./, again.stderr);
  });

  it("warns about a party Domain that does not exist (dry run)", async () => {
    const r = await g.apply({ ...kd("serving-3", "serving-image"), spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "serving-image" }, { domainID: "bob", appImageRef: "serving-image" }] } }, ["--dry-run=server"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /spec\.parties\[1\]\.domainID: names Domain "bob", which does not exist.*\[ref\.kd\.domain\]/);
  });

  it("warns a KusciaJob at admission with the reasons Kuscia would fail it with (pre-flight)", async () => {
    const bobCert = await makeCert({ cn: "bob", notAfter });
    const carolCert = await makeCert({ cn: "carol", notAfter });
    for (const o of [
      { apiVersion: K, kind: "Domain", metadata: { name: "dave" }, spec: { resourceQuota: { podMaxCount: 1 } } },
      { apiVersion: K, kind: "Domain", metadata: { name: "bob" }, spec: { role: "partner", cert: bobCert.certB64, interConnProtocols: ["bfia"] } },
      { apiVersion: K, kind: "Domain", metadata: { name: "carol" }, spec: { role: "partner", cert: carolCert.certB64 } },
      { ...appImage("psi-image"), spec: { ...appImage("psi-image").spec, deployTemplates: [{ name: "psi", role: "server", replicas: 2, spec: { containers: [{ name: "psi", command: ["sh"], workingDir: "/work" }] } }] } },
      { apiVersion: K, kind: "ClusterDomainRoute", metadata: { name: "dave-carol" }, spec: { source: "dave", destination: "carol", interConnProtocol: "kuscia", authenticationType: "Token", tokenConfig: { tokenGenMethod: "RSA-GEN" }, endpoint: { host: "carol.example.com", ports: [{ name: "http", port: 1080, protocol: "HTTP" }] } } },
    ]) {
      const r = await g.apply(o);
      assert.equal(r.code, 0, r.stderr);
    }
    // Status as the ClusterDomainRoute controller would write it when the handshake fails.
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    await g.cluster.kubectlOk(["patch", "cdr", "dave-carol", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { conditions: [{ type: "Ready", status: "False", reason: "TokenNotGenerate", message: "TokenNotGenerate", lastUpdateTime: now, lastTransitionTime: now }] } })]);
    const job = {
      apiVersion: K,
      kind: "KusciaJob",
      metadata: { name: "psi", namespace: "cross-domain" },
      spec: {
        initiator: "dave",
        tasks: [
          { alias: "a", taskID: "psi-a", appImage: "psi-image", taskInputConfig: "{}", parties: [{ domainID: "dave", role: "server" }, { domainID: "bob", role: "client" }] },
          { alias: "b", taskID: "psi-b", appImage: "psi-image", taskInputConfig: "{}", parties: [{ domainID: "dave", role: "server" }, { domainID: "carol", role: "server" }] },
        ],
      },
    };
    // The watch brings each object to the cache and its facts to the review workers: wait for what kubectl shows.
    const expected = ["ref.kj.deploy-template", "ref.kj.interconn", "ref.kj.quota", "ref.kj.route"];
    let stderr = "";
    await waitFor("the pre-flight warnings", async () => {
      stderr = (await g.apply(job, ["--dry-run=server"])).stderr;
      return expected.every((id) => stderr.includes(`[${id}]`));
    });
    assert.match(stderr, /Warning: spec\.tasks\[0\]\.parties\[1\]\.role: AppImage "psi-image" has no deploy template for role "client" .*\[ref\.kj\.deploy-template\]/);
    assert.match(stderr, /Warning: spec\.tasks\[1\]\.parties\[1\]\.domainID: Domain "carol" is a partner using the interconnection protocol kuscia, while partner "bob" uses bfia; .*\[ref\.kj\.interconn\]/);
    assert.match(stderr, /Warning: spec\.tasks\[0\]\.parties\[0\]\.domainID: the task needs 2 pods in namespace "dave", above its ResourceQuota "resource-limitation" \(hard pods: 1, .*\[ref\.kj\.quota\]/);
    assert.match(stderr, /Warning: spec\.tasks\[1\]\.parties\[1\]\.domainID: the ClusterDomainRoute "dave-carol" is not Ready \(TokenNotGenerate\); .*\[ref\.kj\.route\]/);
    assert.doesNotMatch(stderr, /ref\.kj\.(domain|appimage)/);

    // Once the route is Ready, its warning goes; the others stay.
    await g.cluster.kubectlOk(["patch", "cdr", "dave-carol", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { conditions: [{ type: "Ready", status: "True", reason: "", message: "Success", lastUpdateTime: now, lastTransitionTime: now }] } })]);
    await waitFor("the route warning to go", async () => {
      stderr = (await g.apply(job, ["--dry-run=server"])).stderr;
      return !stderr.includes("[ref.kj.route]");
    });
    assert.ok(["ref.kj.deploy-template", "ref.kj.interconn", "ref.kj.quota"].every((id) => stderr.includes(`[${id}]`)), stderr);
  });

  it("exports the Domains' certificate expiry from the same cache", async () => {
    await waitFor("the certificate gauge", async () => (await g.metrics()).includes('kuscia_iac_certificate_expiry_timestamp_seconds{kind="Domain",namespace="",name="alice",field="spec.cert"}'), 10_000);
    const line = (await g.metrics()).split("\n").find((l) => l.startsWith('kuscia_iac_certificate_expiry_timestamp_seconds{kind="Domain",namespace="",name="alice"'));
    assert.equal(Number(line?.split(" ").pop()), notAfter.getTime() / 1000);
  });
});
