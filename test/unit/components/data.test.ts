/** DomainDataSource, DomainData, DomainDataGrant and KusciaJob under mocks, and the data-grant example. */
import { strict as assert } from "node:assert";
import { privateDecrypt, constants, createPrivateKey } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { DomainData, DomainDataGrant, DomainDataSource, KusciaJob } from "../../../components";
import { createRsaKey, createSelfSignedCertificate } from "../../../components/secrets/generate";
import { loadProgram } from "../../helpers/programs";
import { valueOf, assertRefused } from "./harness";
import { isSecretInput, reveal, useNodeMocks } from "../nodes/mocks";

interface DataGrantProgram {
  dataGrant(opts: { aliceCertificate: string; accessKeyId: pulumi.Input<string>; accessKeySecret: pulumi.Input<string>; expirationTime?: string }): {
    datasourceId: pulumi.Output<string>;
    domainDataId: pulumi.Output<string>;
    grantId: pulumi.Output<string>;
    objects: pulumi.Output<string[]>;
  };
}

async function aliceKeyAndCert(): Promise<{ keyPem: string; certBase64: string }> {
  const key = await createRsaKey({ bits: 2048 });
  const cert = await createSelfSignedCertificate({ privateKeyPem: key.outs.privateKeyPem, commonName: "alice" });
  return { keyPem: key.outs.privateKeyPem, certBase64: cert.outs.certBase64 };
}

/** KusciaAPI's decryptDatasourceInfo: the base64 ciphertext in key-sized chunks, each RSA-OAEP SHA-256. */
function decrypt(keyPem: string, b64: string): string {
  const key = createPrivateKey(keyPem);
  const data = Buffer.from(b64, "base64");
  const size = (key.asymmetricKeyDetails?.modulusLength ?? 2048) / 8;
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, data.subarray(i, i + size)));
  return Buffer.concat(parts).toString("utf8");
}

describe("data as code and KusciaJob", () => {
  const mocks = useNodeMocks();
  const crs = (kind: string) => mocks.registered.filter((r) => r.type === `kubernetes:kuscia.secretflow/v1alpha1:${kind}`);

  it("DomainDataSource: the info encrypted with the domain's key as KusciaAPI does, secret in the custom resource and the state", async () => {
    const { keyPem, certBase64 } = await aliceKeyAndCert();
    const ds = new DomainDataSource("alice-db", {
      domainId: "alice",
      type: "mysql",
      info: { database: { endpoint: "mysql:3306", user: "kuscia", password: pulumi.secret("s3cret-pw"), database: "alice" } },
      domainCertificate: certBase64,
    });
    assert.deepEqual(await valueOf(ds.created), ["DomainDataSource/alice/alice-db"]);
    const [cr] = crs("DomainDataSource");
    assert.equal(cr.name, "alice/alice-db");
    assert.ok(isSecretInput(cr.inputs.spec), "spec is a secret input");
    const spec = reveal(cr.inputs).spec;
    assert.equal(spec.type, "mysql");
    assert.equal(spec.name, "alice-db");
    assert.deepEqual(JSON.parse(decrypt(keyPem, spec.data.encryptedInfo)), { database: { endpoint: "mysql:3306", user: "kuscia", password: "s3cret-pw", database: "alice" } });
    assert.ok(!JSON.stringify(reveal(cr.inputs)).includes("s3cret-pw"));
    const enc = mocks.registered.find((r) => r.type === "pulumi-nodejs:dynamic/kuscia-iac:EncryptedInfo")!;
    assert.ok(isSecretInput(enc.inputs.info), "the plaintext info is a secret input of the encrypting resource");
    assert.equal(await pulumi.isSecret(ds.object), true);
  });

  it("DomainDataSource refuses a wrong type at construction and an info with two members without echoing a value", async () => {
    const { certBase64 } = await aliceKeyAndCert();
    await assertRefused(mocks.registered,() => new DomainDataSource("x", { domainId: "alice", type: "MySQL" as never, info: { localfs: { path: "/data" } }, domainCertificate: certBase64 }), /DomainDataSource "x": spec\.type/);
    await assertRefused(mocks.registered,
      () => new DomainDataSource("y", { domainId: "alice", type: "oss", info: { localfs: { path: "/data" }, oss: { endpoint: "e", bucket: "b", accessKeyId: "AKID", accessKeySecret: "TOPSECRET" } }, domainCertificate: certBase64 }),
      (e: Error) => /info: give exactly one of localfs, oss, database, odps \(found localfs, oss\)/.test(e.message) && !e.message.includes("TOPSECRET"),
    );
  });

  it("DomainData and DomainDataGrant: the custom resources in the owner's namespace, author defaulting to it", async () => {
    const data = new DomainData("alice-table", { domainId: "alice", type: "table", relativeURI: "alice.csv", dataSource: "default-data-source", columns: [{ name: "id1", type: "str" }] });
    const grant = new DomainDataGrant("g1", { domainId: "alice", domainDataID: data.domainDataId, grantDomain: "bob" });
    assert.deepEqual(await valueOf(grant.created), ["DomainDataGrant/alice/g1"]);
    assert.equal(await valueOf(data.domainDataId), "alice-table");
    const d = reveal(crs("DomainData")[0].inputs);
    assert.equal(d.metadata.namespace, "alice");
    assert.equal(d.spec.author, "alice");
    const g = reveal(crs("DomainDataGrant")[0].inputs);
    assert.deepEqual(g.spec, { author: "alice", domainDataID: "alice-table", grantDomain: "bob" });
  });

  it("DomainDataGrant refuses a grant to its own author, and an expired grant", async () => {
    await assertRefused(mocks.registered,() => new DomainDataGrant("self", { domainId: "alice", domainDataID: "t", grantDomain: "alice" }), /DomainDataGrant "self": spec\.grantDomain: equals spec\.author/);
    await assertRefused(mocks.registered,() => new DomainDataGrant("old", { domainId: "alice", domainDataID: "t", grantDomain: "bob", limit: { expirationTime: "2001-01-01T00:00:00Z" } }), /DomainDataGrant "old": spec\.limit\.expirationTime/);
  });

  const task = (alias: string, dependencies: string[] = [], priority?: number) => ({
    alias,
    ...(dependencies.length ? { dependencies } : {}),
    ...(priority === undefined ? {} : { priority }),
    appImage: "secretflow-image",
    taskInputConfig: "{}",
    parties: [{ domainID: "alice" }, { domainID: "bob" }],
  });

  it("KusciaJob: the custom resource in cross-domain and the order the controller starts the tasks in", async () => {
    const job = new KusciaJob("job-1", { initiator: "alice", maxParallelism: 2, tasks: [task("psi"), task("split", ["psi"]), task("stats", ["psi"], 1), task("train", ["split", "stats"])] });
    assert.deepEqual(await valueOf(job.taskOrder), [["psi"], ["stats", "split"], ["train"]]);
    assert.deepEqual(await valueOf(job.created), ["KusciaJob/cross-domain/job-1"]);
    assert.equal(crs("KusciaJob")[0].name, "cross-domain/job-1");
  });

  it("KusciaJob refuses a cycle, naming it", async () => {
    await assertRefused(mocks.registered,() => new KusciaJob("loop", { initiator: "alice", tasks: [task("a", ["b"]), task("b", ["a"])] }), /KusciaJob "loop": .*cycle/s);
  });

  it("the data-grant example: a data source with secret keys, a table and a grant", async () => {
    const { certBase64 } = await aliceKeyAndCert();
    const { dataGrant } = loadProgram<DataGrantProgram>("data-grant");
    const out = dataGrant({ aliceCertificate: certBase64, accessKeyId: pulumi.secret("AKID"), accessKeySecret: pulumi.secret("TOPSECRET"), expirationTime: "2099-01-01T00:00:00Z" });
    assert.deepEqual(await valueOf(out.objects), ["DomainDataSource/alice/alice-oss", "DomainData/alice/alice-table", "DomainDataGrant/alice/alice-table-to-bob"]);
    assert.equal(reveal(crs("DomainData")[0].inputs).spec.dataSource, "alice-oss");
    assert.ok(!JSON.stringify(reveal(crs("DomainDataSource")[0].inputs)).includes("TOPSECRET"));
  });
});
