/** Node components a Pulumi user can trust: rename-stable names (keys included), retention, secrets kept through transforms, dependsOn to children. */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { IflearnerJob, KusciaAutonomyNode } from "../../../components";
import { keptSecret } from "../../../components/children";
import { DYNAMIC_TYPES } from "../../../components/secrets";
import { recordOptions, valueOf } from "../components/harness";
import { useNodeMocks } from "./mocks";

const DSN = "mysql://kuscia:secret@tcp(mysql.db.svc:3306)/kine?charset=utf8mb4&parseTime=True&loc=Local";

describe("node components a Pulumi user can trust", () => {
  const mocks = useNodeMocks();

  it("names every child of a node, its key and certificate too, by the node's identity, not the component's name", async () => {
    const names = async (resourceName: string) => {
      mocks.registered.length = 0;
      const n = new KusciaAutonomyNode(resourceName, { domainId: "erin", datastore: DSN, skipAwait: true });
      await valueOf(n.created);
      await valueOf(n.certificate);
      return mocks.registered.filter((r) => r.type !== "kuscia-iac:index:KusciaAutonomyNode").map((r) => `${r.type}::${r.name}`).sort();
    };
    const a = await names("erin");
    assert.deepEqual(await names("erin-renamed"), a);
    assert.ok(a.includes(`${DYNAMIC_TYPES.RsaKey}::autonomy-erin/erin`), a.join(", "));
    assert.ok(a.includes("kubernetes:core/v1:ConfigMap::autonomy-erin/kuscia-autonomy-erin-cm"));
  });

  it("retains the node's Namespace by default; retainNamespace: false lets it go", async () => {
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const kept = new KusciaAutonomyNode("f", { domainId: "frank" }, { transformations: [recordOptions(opts)] });
    const dropped = new KusciaAutonomyNode("g", { domainId: "grace", retainNamespace: false }, { transformations: [recordOptions(opts)] });
    await Promise.all([valueOf(kept.created), valueOf(dropped.created)]);
    assert.equal(opts.get("kubernetes:core/v1:Namespace::autonomy-frank")?.retainOnDelete, true);
    assert.equal(opts.get("kubernetes:core/v1:Namespace::autonomy-grace")?.retainOnDelete, false);
  });

  it("records the ConfigMap's data and the certificate's key as secrets to keep through transforms", async () => {
    const n = new KusciaAutonomyNode("h", { domainId: "heidi", datastore: pulumi.secret(DSN) });
    await valueOf(n.created);
    assert.deepEqual(keptSecret("kubernetes:core/v1:ConfigMap", "autonomy-heidi/kuscia-autonomy-heidi-cm"), ["data"]);
    assert.deepEqual(keptSecret(DYNAMIC_TYPES.SelfSignedCertificate, "autonomy-heidi/heidi"), ["privateKeyPem"]);
  });

  it("an IflearnerJob's dependsOn reaches its Pod, Service and Ingress", async () => {
    const first = new KusciaAutonomyNode("i", { domainId: "ivan" });
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const job = new IflearnerJob(
      "job",
      { role: "server", host: "job.server.iflearner.com", template: { spec: { containers: [{ name: "server", image: "iflearner:latest" }] } } },
      { dependsOn: [first], transformations: [recordOptions(opts)] },
    );
    await valueOf(job.created);
    const kube = [...opts.entries()].filter(([k]) => k.startsWith("kubernetes:"));
    assert.equal(kube.length, 3);
    for (const [k, o] of kube) assert.ok((o.dependsOn as pulumi.Resource[]).includes(first), k);
  });
});
