import { strict as assert } from "node:assert";
import { review } from "../../../policy";
import { parseKusciaVersion } from "../../../policy/config/version";
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
    assert.equal(r.violations[0].message, "spec.cert: certificate public key is EC P-256; Kuscia domain certificates must be RSA: Kuscia takes the RSA public key from it to exchange route tokens");
  });

  it("refuses a 1024-bit RSA certificate", async () => {
    const c = await makeCert({ cn: "alice", bits: 1024 });
    const r = review(domain("alice", c.certB64));
    assert.deepEqual(rulesOf(r), ["domain.cert.key-size"]);
    assert.match(r.violations[0].message, /RSA 1024-bit.*at least 2048 bits/);
  });

  it("takes the minimum RSA size from the minRsaKeyBits parameter", async () => {
    const c = await makeCert({ cn: "alice" });
    const params = { certificateExpiryWarningDays: 30, minRsaKeyBits: 3072 };
    assert.deepEqual(rulesOf(review(domain("alice", c.certB64), { params })), ["domain.cert.key-size"]);
    assert.match(review(domain("alice", c.certB64), { params }).violations[0].message, /at least 3072 bits/);
    assert.deepEqual(rulesOf(review(nodeConfig(pkcs1B64(c.keyPkcs8Pem)), { params })), ["nodeconfig.domain-key.size"]);
    const small = await makeCert({ cn: "alice", bits: 1024 });
    const lax = { certificateExpiryWarningDays: 30, minRsaKeyBits: 1024 };
    assert.equal(review(domain("alice", small.certB64), { params: lax }).allowed, true);
    assert.equal(review(nodeConfig(pkcs1B64(small.keyPkcs8Pem)), { params: lax }).allowed, true);
  });

  it("takes the expiry warning window from the certificateExpiryWarningDays parameter", async () => {
    const c = await makeCert({ cn: "alice", notAfter: new Date(Date.now() + 45 * DAY) });
    assert.deepEqual(review(domain("alice", c.certB64)).warnings, []);
    const r = review(domain("alice", c.certB64), { params: { certificateExpiryWarningDays: 60, minRsaKeyBits: 2048 } });
    assert.deepEqual(r.warnings.map((w) => w.rule), ["domain.cert.expiring"]);
    const none = review(domain("alice", c.certB64), { params: { certificateExpiryWarningDays: 0, minRsaKeyBits: 2048 } });
    assert.deepEqual(none.warnings, []);
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

  it("refuses a PKCS#8 key by policy (nodeconfig.domain-key.pkcs1), honestly: which releases read it, how to convert, how to relax", async () => {
    const c = await makeCert({ cn: "alice" });
    const r = review(nodeConfig(b64(c.keyPkcs8Pem)));
    assert.deepEqual(rulesOf(r), ["nodeconfig.domain-key.pkcs1"]);
    const m = r.violations[0].message;
    assert.match(m, /Kuscia v0\.9 and later \(the target is v1\.1\) can read it, v0\.8 cannot/);
    assert.match(m, /openssl rsa -in key\.pem -traditional -out key\.pkcs1\.pem/);
    assert.match(m, /base64 -w0 key\.pkcs1\.pem/);
    assert.match(m, /set rule nodeconfig\.domain-key\.pkcs1 to warn or off/);
    assert.ok(!m.includes("MII"), "never quotes key material");
  });

  it("knows which releases read PKCS#8 node keys: not v0.8 (an upstream fact), v0.9 and later (only the policy rule)", async () => {
    const c = await makeCert({ cn: "alice" });
    const v08 = review(nodeConfig(b64(c.keyPkcs8Pem)), { kusciaVersion: parseKusciaVersion("v0.8")! });
    assert.deepEqual(rulesOf(v08), ["nodeconfig.domain-key"]);
    assert.match(v08.violations[0].message, /Kuscia v0\.8 cannot read \(PKCS#8 is read from v0\.9\)/);
    for (const v of ["v0.9", "v1.0"]) {
      assert.deepEqual(rulesOf(review(nodeConfig(b64(c.keyPkcs8Pem)), { kusciaVersion: parseKusciaVersion(v)! })), ["nodeconfig.domain-key.pkcs1"], v);
    }
  });

  it("refuses an EC key (SEC1 and PKCS#8) and a 1024-bit RSA key", async () => {
    const ec = await makeCert({ cn: "alice", key: "ec" });
    assert.match(review(nodeConfig(sec1B64(ec.keyPkcs8Pem))).violations[0].message, /EC private key/);
    assert.match(review(nodeConfig(b64(ec.keyPkcs8Pem))).violations[0].message, /PKCS#8 ec key/);
    const small = await makeCert({ cn: "alice", bits: 1024 });
    const r = review(nodeConfig(pkcs1B64(small.keyPkcs8Pem)));
    assert.deepEqual(rulesOf(r), ["nodeconfig.domain-key.size"]);
    assert.match(r.violations[0].message, /RSA 1024-bit key: the policy asks for at least 2048 bits/);
  });

  it("refuses a raw PEM key and a key that is not base64", async () => {
    const c = await makeCert({ cn: "alice" });
    const raw = JSON.stringify(c.keyPkcs8Pem); // a quoted YAML scalar holding the PEM itself
    assert.match(review(nodeConfig(raw)).violations[0].message, /must be base64 of it/);
    assert.match(review(nodeConfig("not-a-key!")).violations[0].message, /is not base64/);
  });

  it("checks an MTLS route's client certificate: any key type (the gateway's TLS accepts EC), RSA size and validity by policy", async () => {
    const route = (cert: string) => ({
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "ClusterDomainRoute",
      metadata: { name: "alice-bob" },
      spec: { source: "alice", destination: "bob", authenticationType: "MTLS", mTLSConfig: { sourceClientCert: cert } },
    });
    const ec = await makeCert({ cn: "alice", key: "ec" });
    assert.deepEqual(rulesOf(review(route(ec.certB64))), []);
    const small = await makeCert({ cn: "alice", bits: 1024 });
    assert.deepEqual(rulesOf(review(route(small.certB64))), ["cdr.mtls.key-size"]);
    assert.deepEqual(rulesOf(review(route(b64("hello")))), ["cdr.mtls"]);
  });
});
