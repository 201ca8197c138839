import { strict as assert } from "node:assert";
import { X509Certificate, createPrivateKey, createPublicKey, createSign, createVerify } from "node:crypto";
import { caBundleOf, describeCert, generateRsaKeyPair, importRsaPrivateKeyPem, issueCert, selfSignedCert, toPkcs1Pem, toPkcs8Pem, type CertifiedKey } from "../../../pki";

describe("pki", () => {
  let ca: CertifiedKey;
  before(async () => {
    ca = await selfSignedCert({ cn: "kuscia-iac test CA", isCA: true, days: 30 });
  });

  it("writes RSA keys as PKCS#1 PEM that OpenSSL reads back at the requested size", async () => {
    const keys = await generateRsaKeyPair(3072);
    const pem = toPkcs1Pem(keys.privateKey);
    assert.match(pem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    const k = createPrivateKey(pem);
    assert.equal(k.asymmetricKeyType, "rsa");
    assert.equal(k.asymmetricKeyDetails?.modulusLength, 3072);
    assert.equal(k.asymmetricKeyDetails?.publicExponent, 65537n);
    assert.match(toPkcs1Pem(keys.publicKey), /^-----BEGIN RSA PUBLIC KEY-----\n/);
    assert.match(toPkcs8Pem(keys.privateKey), /^-----BEGIN PRIVATE KEY-----\n/);
  });

  it("refuses RSA sizes below 2048 bits", async () => {
    await assert.rejects(generateRsaKeyPair(1024), /between 2048 and 8192/);
  });

  it("makes a self-signed CA that is marked CA and verifies itself", () => {
    const c = new X509Certificate(ca.certPem);
    assert.equal(c.ca, true);
    assert.equal(c.subject, "CN=kuscia-iac test CA");
    assert.ok(c.verify(c.publicKey));
    assert.ok(c.checkPrivateKey(createPrivateKey(ca.keyPem)));
    const days = (Date.parse(c.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `validity ${days} days`);
    // Backdated so a peer whose clock lags a little still accepts it.
    assert.ok(Date.parse(c.validFrom) < Date.now() - 60_000);
  });

  it("makes a self-signed non-CA identity certificate usable as a Kuscia domain certificate", async () => {
    const d = await selfSignedCert({ cn: "alice", days: 10 });
    const c = new X509Certificate(d.certPem);
    assert.equal(c.ca, false);
    assert.equal(c.subject, "CN=alice");
    assert.equal(c.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  });

  it("issues a server certificate for DNS names and IP addresses, signed by the CA", async () => {
    const leaf = await issueCert({ ca, cn: "localhost", sans: ["localhost", "127.0.0.1", "::1", "svc.ns.svc"] });
    const c = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(ca.certPem);
    assert.ok(c.verify(caCert.publicKey));
    assert.ok(c.checkIssued(caCert));
    assert.equal(c.ca, false);
    assert.equal(c.checkHost("localhost"), "localhost");
    assert.equal(c.checkIP("127.0.0.1"), "127.0.0.1");
    assert.equal(c.checkHost("other.example"), undefined);
    assert.deepEqual(c.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
    assert.deepEqual(describeCert(leaf.certPem).sans.sort(), ["0:0:0:0:0:0:0:1", "127.0.0.1", "localhost", "svc.ns.svc"].sort());
  });

  it("issues client certificates with clientAuth from a CA loaded from PEM", async () => {
    const fromDisk = { certPem: ca.certPem, keyPem: ca.keyPem };
    const leaf = await issueCert({ ca: fromDisk, cn: "kube-apiserver", client: true, days: 2 });
    const c = new X509Certificate(leaf.certPem);
    assert.ok(c.verify(new X509Certificate(ca.certPem).publicKey));
    assert.deepEqual(c.keyUsage, ["1.3.6.1.5.5.7.3.2"]);
  });

  it("never issues a leaf that outlives its CA", async () => {
    const leaf = await issueCert({ ca, cn: "long", days: 3650 });
    assert.ok(describeCert(leaf.certPem).notAfter <= describeCert(ca.certPem).notAfter);
  });

  it("keeps CN text as one attribute even with commas or '='", async () => {
    const leaf = await issueCert({ ca, cn: "a,O=evil", days: 1 });
    assert.doesNotMatch(new X509Certificate(leaf.certPem).subject, /^O=evil$/m);
  });

  it("imports PKCS#1 and PKCS#8 private keys for signing", async () => {
    const keys = await generateRsaKeyPair(2048);
    for (const pem of [toPkcs1Pem(keys.privateKey), toPkcs8Pem(keys.privateKey)]) {
      const imported = await importRsaPrivateKeyPem(pem);
      const sig = createSign("sha256").update("x").sign(createPrivateKey(toPkcs8Pem(imported.privateKey)));
      assert.ok(createVerify("sha256").update("x").verify(createPublicKey(pem), sig));
    }
  });

  it("encodes the caBundle as base64 of the PEM", () => {
    assert.equal(Buffer.from(caBundleOf(ca.certPem), "base64").toString(), ca.certPem);
  });
});
