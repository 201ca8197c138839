import { strict as assert } from "node:assert";
import { review } from "../../../policy";
import { DAY, b64, makeCert, pkcs1B64, sec1B64 } from "../../helpers/certs";

const domain = (name: string, cert: string, role = "partner") => ({
  apiVersion: "kuscia.secretflow/v1alpha1",
  kind: "Domain",
  metadata: { name },
  spec: { role, cert },
});

const nodeConfig = (key: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "kuscia-autonomy-alice-cm", namespace: "autonomy-alice", labels: { "kuscia.secretflow/config": "true" } },
  data: { "kuscia.yaml": `mode: autonomy\ndomainID: alice\ndomainKeyData: ${key}\nruntime: runp\nprotocol: MTLS\n` },
});

const rulesOf = (r: ReturnType<typeof review>) => r.violations.map((v) => v.rule);

describe("certificates and keys, generated at test time", function () {
  this.timeout(60_000);

  it("accepts an RSA 2048 certificate whose CN is the domain ID", async () => {
    const c = await makeCert({ cn: "alice" });
    const r = review(domain("alice", c.certB64));
    assert.deepEqual(r.violations, []);
    assert.deepEqual(r.warnings, []);
  });

  it("refuses an EC certificate and names the key type", async () => {
    const c = await makeCert({ cn: "alice", key: "ec" });
    const r = review(domain("alice", c.certB64));
    assert.deepEqual(rulesOf(r), ["domain.cert"]);
    assert.equal(r.violations[0].message, "spec.cert: certificate public key is EC P-256; Kuscia domain certificates must be RSA (>= 2048 bits)");
  });

  it("refuses a 1024-bit RSA certificate", async () => {
    const c = await makeCert({ cn: "alice", bits: 1024 });
    const r = review(domain("alice", c.certB64));
    assert.deepEqual(rulesOf(r), ["domain.cert"]);
    assert.match(r.violations[0].message, /RSA 1024-bit/);
  });

  it("refuses an expired certificate", async () => {
    const c = await makeCert({ cn: "alice", notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    const r = review(domain("alice", c.certB64));
    assert.deepEqual(rulesOf(r), ["domain.cert.validity"]);
    assert.match(r.violations[0].message, /expired on/);
  });

  it("refuses a certificate that is not valid yet", async () => {
    const c = await makeCert({ cn: "alice", notBefore: new Date(Date.now() + 10 * DAY), notAfter: new Date(Date.now() + 400 * DAY) });
    assert.deepEqual(rulesOf(review(domain("alice", c.certB64))), ["domain.cert.validity"]);
  });

  it("warns, but accepts, a certificate that expires within 30 days", async () => {
    const c = await makeCert({ cn: "alice", notAfter: new Date(Date.now() + 10 * DAY) });
    const r = review(domain("alice", c.certB64));
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings.map((w) => w.rule), ["domain.cert.expiring"]);
    assert.match(r.warnings[0].message, /in (9|10) days/);
  });

  it("does not warn for a certificate that expires in 31 days", async () => {
    const c = await makeCert({ cn: "alice", notAfter: new Date(Date.now() + 31 * DAY + 60_000) });
    assert.deepEqual(review(domain("alice", c.certB64)).warnings, []);
  });

  it("uses the injected clock for the validity window", async () => {
    const c = await makeCert({ cn: "alice", notBefore: new Date("2030-01-01T00:00:00Z"), notAfter: new Date("2031-01-01T00:00:00Z") });
    assert.equal(review(domain("alice", c.certB64), { now: new Date("2030-06-01T00:00:00Z") }).allowed, true);
    assert.equal(review(domain("alice", c.certB64), { now: new Date("2031-06-01T00:00:00Z") }).allowed, false);
  });

  it("warns when the subject CN is not the domain ID", async () => {
    const c = await makeCert({ cn: "mallory" });
    const r = review(domain("alice", c.certB64));
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings.map((w) => w.rule), ["domain.cert.cn"]);
    assert.match(r.warnings[0].message, /"mallory", expected the domain ID "alice"/);
  });

  it("refuses a value that is not base64, a raw PEM, and base64 of something not PEM", async () => {
    const c = await makeCert({ cn: "alice" });
    assert.match(review(domain("alice", "base64<certificate>")).violations[0].message, /is not base64/);
    assert.match(review(domain("alice", c.certPem)).violations[0].message, /must be base64 of it: encode it with `base64 -w0 FILE`/);
    assert.match(review(domain("alice", b64("hello world, not a certificate"))).violations[0].message, /not PEM/);
    assert.match(review(domain("alice", b64("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))).violations[0].message, /not a parseable X.509 certificate/);
    const key = await makeCert({ cn: "alice" });
    assert.match(review(domain("alice", b64(key.keyPkcs8Pem))).violations[0].message, /"PRIVATE KEY" block, not a certificate/);
  });

  it("accepts a PKCS#1 RSA 2048 domain key", async () => {
    const c = await makeCert({ cn: "alice" });
    const r = review(nodeConfig(pkcs1B64(c.keyPkcs8Pem)));
    assert.deepEqual(r.violations, []);
  });

  it("refuses a PKCS#8 key and says how to convert it", async () => {
    const c = await makeCert({ cn: "alice" });
    const r = review(nodeConfig(b64(c.keyPkcs8Pem)));
    assert.deepEqual(rulesOf(r), ["nodeconfig.domain-key"]);
    assert.match(r.violations[0].message, /PKCS#8.*openssl rsa -in key.pem -traditional/);
    assert.ok(!r.violations[0].message.includes("MII"), "never quotes key material");
  });

  it("refuses an EC key (SEC1 and PKCS#8) and a 1024-bit RSA key", async () => {
    const ec = await makeCert({ cn: "alice", key: "ec" });
    assert.match(review(nodeConfig(sec1B64(ec.keyPkcs8Pem))).violations[0].message, /EC private key/);
    assert.match(review(nodeConfig(b64(ec.keyPkcs8Pem))).violations[0].message, /PKCS#8 ec key/);
    const small = await makeCert({ cn: "alice", bits: 1024 });
    assert.match(review(nodeConfig(pkcs1B64(small.keyPkcs8Pem))).violations[0].message, /RSA 1024-bit key: use at least 2048 bits/);
  });

  it("refuses a raw PEM key and a key that is not base64", async () => {
    const c = await makeCert({ cn: "alice" });
    const raw = JSON.stringify(c.keyPkcs8Pem); // a quoted YAML scalar holding the PEM itself
    assert.match(review(nodeConfig(raw)).violations[0].message, /must be base64 of it/);
    assert.match(review(nodeConfig("not-a-key!")).violations[0].message, /is not base64/);
  });

  it("checks an MTLS route's client certificate the same way", async () => {
    const ec = await makeCert({ cn: "alice", key: "ec" });
    const r = review({
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "ClusterDomainRoute",
      metadata: { name: "alice-bob" },
      spec: { source: "alice", destination: "bob", authenticationType: "MTLS", mTLSConfig: { sourceClientCert: ec.certB64 } },
    });
    assert.deepEqual(rulesOf(r), ["cdr.mtls"]);
  });
});
