/**
 * `webhook --references` behind a real kube-apiserver: the webhook watches Domains,
 * AppImages, DomainData and DomainDataSources, and kubectl users see a warning when
 * an object names one that does not exist; once it exists, no warning. The same cache
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

  it("exports the Domains' certificate expiry from the same cache", async () => {
    await waitFor("the certificate gauge", async () => (await g.metrics()).includes('kuscia_iac_certificate_expiry_timestamp_seconds{kind="Domain",namespace="",name="alice",field="spec.cert"}'), 10_000);
    const line = (await g.metrics()).split("\n").find((l) => l.startsWith('kuscia_iac_certificate_expiry_timestamp_seconds{kind="Domain",namespace="",name="alice"'));
    assert.equal(Number(line?.split(" ").pop()), notAfter.getTime() / 1000);
  });
});
