import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import {
  DYNAMIC_TYPES,
  IssuedCertificate,
  RsaKey,
  SelfSignedCertificate,
  UNKNOWN,
  issuedCertificateProvider,
  rsaKeyProvider,
  selfSignedCertificateProvider,
} from "../../../components/secrets";
import { recordOptions, valueOf } from "../components/harness";
import { isSecretInput, useNodeMocks } from "./mocks";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");

const DAY = 86_400_000;

async function newKey(): Promise<{ privateKeyPem: string; privateKeyBase64: string; publicKeyPem: string; keyFingerprint: string }> {
  return (await rsaKeyProvider.create({ bits: 2048 })).outs;
}

describe("generated keys and certificates: providers", () => {
  let key: Awaited<ReturnType<typeof newKey>>;
  before(async () => {
    key = await newKey();
  });

  it("makes a 2048-bit RSA key in PKCS#1, with its base64 and public half", async () => {
    assert.match(key.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    const k = createPrivateKey(key.privateKeyPem);
    assert.equal(k.asymmetricKeyType, "rsa");
    assert.equal(k.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(Buffer.from(key.privateKeyBase64, "base64").toString("utf8"), key.privateKeyPem);
    assert.equal(createPublicKey(k).export({ type: "spki", format: "pem" }), key.publicKeyPem);
  });

  it("certifies a given key: self-signed, verifying against it, CN and ten years of validity", async () => {
    const { outs } = await selfSignedCertificateProvider.create({ privateKeyPem: key.privateKeyPem, commonName: "alice", days: 3650, sans: [], isCA: false });
    const x = new X509Certificate(outs.certPem);
    assert.ok(x.checkPrivateKey(createPrivateKey(key.privateKeyPem)), "the certificate is for the given key");
    assert.ok(x.verify(createPublicKey(key.privateKeyPem)), "signed by that key");
    assert.match(x.subject, /CN=alice/);
    assert.equal(Buffer.from(outs.certBase64, "base64").toString("utf8"), outs.certPem);
    const years = (Date.parse(x.validTo) - Date.now()) / (365 * DAY);
    assert.ok(years > 9.9 && years < 10.1, `valid about ten years, got ${years}`);
  });

  it("issues a leaf signed by a CA, with its SANs and usage", async () => {
    const caKey = await newKey();
    const ca = (await selfSignedCertificateProvider.create({ privateKeyPem: caKey.privateKeyPem, commonName: "test CA", isCA: true, days: 3650 })).outs;
    const leaf = (await issuedCertificateProvider.create({ privateKeyPem: key.privateKeyPem, caCertPem: ca.certPem, caPrivateKeyPem: caKey.privateKeyPem, commonName: "*.server.iflearner.com", sans: ["*.server.iflearner.com", "server.iflearner.com"], days: 365 })).outs;
    const x = new X509Certificate(leaf.certPem);
    const cax = new X509Certificate(ca.certPem);
    assert.ok(cax.ca && !x.ca);
    assert.ok(x.checkIssued(cax) && x.verify(cax.publicKey), "signed by the CA");
    assert.ok(x.checkPrivateKey(createPrivateKey(key.privateKeyPem)));
    assert.equal(x.checkHost("job1.server.iflearner.com"), "*.server.iflearner.com");
    assert.equal(x.checkHost("server.iflearner.com"), "server.iflearner.com");
    assert.equal(x.checkHost("job1.a.party.iflearner.com"), undefined);
    assert.equal(leaf.issuerFingerprint, cax.fingerprint256);
  });

  it("diff keeps a resource whose inputs are unchanged, even under a new provider version", async () => {
    const { outs } = await selfSignedCertificateProvider.create({ privateKeyPem: key.privateKeyPem, commonName: "bob", days: 3650 });
    const same = await selfSignedCertificateProvider.diff!("id", { ...outs, __provider: "old text" }, { privateKeyPem: key.privateKeyPem, commonName: "bob", days: 3650, __provider: "new text" });
    assert.equal(same.changes, false);
    const k = await rsaKeyProvider.create({ bits: 2048 });
    assert.equal((await rsaKeyProvider.diff!(k.id, { ...k.outs, __provider: "a" }, { bits: 2048, __provider: "b" })).changes, false);
  });

  it("diff replaces on a new key, CN, validity or an input still unknown, naming the input", async () => {
    const { outs } = await selfSignedCertificateProvider.create({ privateKeyPem: key.privateKeyPem, commonName: "bob", days: 3650 });
    const other = await newKey();
    const d = (news: Record<string, unknown>) => selfSignedCertificateProvider.diff!("id", outs, { privateKeyPem: key.privateKeyPem, commonName: "bob", days: 3650, ...news });
    assert.deepEqual((await d({ privateKeyPem: other.privateKeyPem })).replaces, ["privateKeyPem"]);
    assert.deepEqual((await d({ commonName: "carol" })).replaces, ["commonName"]);
    assert.deepEqual((await d({ days: 30 })).replaces, ["days"]);
    assert.deepEqual((await d({ privateKeyPem: UNKNOWN })).replaces, ["privateKeyPem"]);
    assert.deepEqual((await rsaKeyProvider.diff!("id", { bits: 2048 }, { bits: 4096 })).replaces, ["bits"]);
  });

  it("the providers as serialized into the state run in a fresh process from another directory", async function () {
    const text = await pulumi.runtime.serializeFunction(() => selfSignedCertificateProvider, { allowSecrets: true });
    const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-provider-"));
    try {
      // No path of this machine in what the state stores: the implementation is found by package name,
      // from the project's node_modules (here a link to this checkout, as npm would install it).
      assert.doesNotMatch(text.text, new RegExp(REPO.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
      mkdirSync(path.join(dir, "node_modules"));
      symlinkSync(REPO, path.join(dir, "node_modules", "kuscia-iac"));
      writeFileSync(path.join(dir, "provider.js"), text.text);
      // What the engine's pulumi-nodejs plugin does: load the text as a module and call the handler's result.
      const script = `
        const Module = require("module");
        const m = new Module("", null);
        m.paths = Module._nodeModulePaths(process.cwd());
        m._compile(require("fs").readFileSync("provider.js", "utf8"), "");
        m.exports.handler().create(JSON.parse(process.argv[1])).then(r => process.stdout.write(r.outs.certPem));`;
      const { stdout } = await promisify(execFile)(process.execPath, ["-e", script, JSON.stringify({ privateKeyPem: key.privateKeyPem, commonName: "remote" })], { cwd: dir });
      const x = new X509Certificate(stdout);
      assert.match(x.subject, /CN=remote/);
      assert.ok(x.checkPrivateKey(createPrivateKey(key.privateKeyPem)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("generated keys and certificates: resources", () => {
  const mocks = useNodeMocks();

  it("RsaKey's private outputs are secrets, in the program and in the state", async () => {
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const key = new RsaKey("k", {}, { transformations: [recordOptions(opts)] });
    assert.equal(await pulumi.isSecret(key.privateKeyPem), true);
    assert.equal(await pulumi.isSecret(key.privateKeyBase64), true);
    assert.equal(await pulumi.isSecret(key.publicKeyPem), false);
    assert.deepEqual(opts.get(`${DYNAMIC_TYPES.RsaKey}::k`)?.additionalSecretOutputs, ["privateKeyPem", "privateKeyBase64"]);
    assert.match(await valueOf(key.privateKeyPem), /BEGIN RSA PRIVATE KEY/);
  });

  it("certificate resources take the keys as secret inputs and give public certificates", async () => {
    const caKey = new RsaKey("ca-key");
    const ca = new SelfSignedCertificate("ca", { privateKeyPem: caKey.privateKeyPem, commonName: "CA", isCA: true });
    const leafKey = new RsaKey("leaf-key");
    const leaf = new IssuedCertificate("leaf", { privateKeyPem: leafKey.privateKeyPem, caCertPem: ca.certPem, caPrivateKeyPem: caKey.privateKeyPem, commonName: "svc.ns.svc", sans: ["svc.ns.svc"] });
    const x = new X509Certificate(await valueOf(leaf.certPem));
    assert.ok(x.checkIssued(new X509Certificate(await valueOf(ca.certPem))));
    assert.equal(await pulumi.isSecret(leaf.certPem), false);
    const issued = mocks.ofType(DYNAMIC_TYPES.IssuedCertificate)[0];
    assert.ok(isSecretInput(issued.inputs.privateKeyPem), "the leaf key is sent as a secret");
    assert.ok(isSecretInput(issued.inputs.caPrivateKeyPem), "the CA key is sent as a secret");
    assert.equal(isSecretInput(issued.inputs.caCertPem), false);
  });
});
