import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { issueCert, selfSignedCert, type CertifiedKey } from "../../../pki";
import { createAuthenticator } from "../../../webhook/auth";
import { startWebhook, type RunningWebhook } from "../../../webhook/server";
import { admissionReview, call, captureLogger, testPki, type Pki } from "./helpers";
import { UNHURRIED } from "../../helpers/webhook";

const domain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "alice" }, spec: {} };
type SigningKey = Parameters<SignJWT["sign"]>[0];
const body = () => JSON.stringify(admissionReview(domain));

describe("webhook caller authentication", () => {
  let pki: Pki;
  let clientCaFile: string;
  let goodClient: CertifiedKey;
  let strangerClient: CertifiedKey;
  let jwksFile: string;
  let signingKey: SigningKey;
  let otherKey: SigningKey;
  let privateJwk: Record<string, unknown>;

  before(async function () {
    // Four RSA keys: CPU work a busy machine slows down, with no time limit of mocha's.
    this.timeout(0);
    pki = await testPki();
    const clientCa = await selfSignedCert({ cn: "apiserver client CA", isCA: true, days: 2 });
    const otherCa = await selfSignedCert({ cn: "someone else's CA", isCA: true, days: 2 });
    goodClient = await issueCert({ ca: clientCa, cn: "kube-apiserver", client: true, days: 1 });
    strangerClient = await issueCert({ ca: otherCa, cn: "kube-apiserver", client: true, days: 1 });
    clientCaFile = join(pki.dir, "client-ca.crt");
    writeFileSync(clientCaFile, clientCa.certPem);

    const kp = await generateKeyPair("RS256", { extractable: true });
    signingKey = kp.privateKey as SigningKey;
    otherKey = (await generateKeyPair("RS256")).privateKey as SigningKey;
    const jwk = { ...(await exportJWK(kp.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    privateJwk = { ...(await exportJWK(kp.privateKey)), kid: "k1" };
    jwksFile = join(pki.dir, "jwks.json");
    writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
  });

  const token = (o: { aud?: string; iss?: string; exp?: string | number; key?: SigningKey } = {}) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setSubject("system:kube-apiserver")
      .setIssuer(o.iss ?? "https://issuer.test")
      .setAudience(o.aud ?? "kuscia-iac-webhook")
      .setIssuedAt()
      .setExpirationTime(o.exp ?? "5m")
      .sign(o.key ?? signingKey);

  describe("with --client-ca", () => {
    let wh: RunningWebhook;
    let logs: ReturnType<typeof captureLogger>;
    before(async () => {
      logs = captureLogger();
      wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, clientCa: clientCaFile, logger: logs.logger, defaultMetrics: false });
    });
    after(() => wh.close());

    it("reviews for a client certificate signed by the client CA", async () => {
      const r = await call(wh.url, "/validate", { ca: pki.ca.certPem, cert: goodClient.certPem, key: goodClient.keyPem, body: body() });
      assert.equal(r.status, 200);
      assert.equal(r.json.response.allowed, true);
      const line = logs.lines().find((l) => l.msg === "review");
      assert.deepEqual(line?.caller, { method: "client-certificate", subject: "kube-apiserver" });
    });

    it("answers 401 without review to a certificate from another CA, or none", async () => {
      for (const creds of [{ cert: strangerClient.certPem, key: strangerClient.keyPem }, {}]) {
        for (const path of ["/validate", "/mutate"]) {
          const r = await call(wh.url, path, { ca: pki.ca.certPem, ...creds, body: body() });
          assert.equal(r.status, 401);
          assert.equal(r.json.error, "Unauthorized");
          assert.equal(r.json.response, undefined);
        }
      }
      assert.equal(logs.lines().filter((l) => l.msg === "review").length, 1, "only the authenticated call was reviewed");
    });

    it("says no client certificate was presented, not an OpenSSL issuer code, when none was", async () => {
      const none = await call(wh.url, "/validate", { ca: pki.ca.certPem, body: body() });
      assert.equal(none.status, 401);
      assert.match(none.json.message, /^no client certificate presented/);
      assert.doesNotMatch(none.json.message, /UNABLE_TO_GET_ISSUER_CERT/);
      const stranger = await call(wh.url, "/validate", { ca: pki.ca.certPem, cert: strangerClient.certPem, key: strangerClient.keyPem, body: body() });
      assert.match(stranger.json.message, /^client certificate refused \(/);
    });

    it("leaves probes and metrics open for the kubelet and Prometheus", async () => {
      for (const path of ["/healthz", "/readyz", "/metrics"]) assert.equal((await call(wh.url, path, { ca: pki.ca.certPem })).status, 200, path);
    });
  });

  describe("with --jwks (file), --audience and --issuer", () => {
    let wh: RunningWebhook;
    let logs: ReturnType<typeof captureLogger>;
    before(async () => {
      logs = captureLogger();
      wh = await startWebhook({
        ...UNHURRIED,
        port: 0,
        tlsCert: pki.certFile,
        tlsKey: pki.keyFile,
        jwks: jwksFile,
        audience: "kuscia-iac-webhook",
        issuer: "https://issuer.test",
        logger: logs.logger,
        defaultMetrics: false,
      });
    });
    after(() => wh.close());

    const withToken = (t?: string) => call(wh.url, "/validate", { ca: pki.ca.certPem, body: body(), headers: t === undefined ? {} : { authorization: `Bearer ${t}` } });

    it("reviews for a valid bearer token", async () => {
      const r = await withToken(await token());
      assert.equal(r.status, 200);
      assert.equal(r.json.response.allowed, true);
    });

    it("takes the scheme in any case (RFC 7235): bearer, BEARER", async () => {
      for (const scheme of ["bearer", "BEARER", "BeArEr"]) {
        const r = await call(wh.url, "/validate", { ca: pki.ca.certPem, body: body(), headers: { authorization: `${scheme} ${await token()}` } });
        assert.equal(r.status, 200, scheme);
      }
      const basic = await call(wh.url, "/validate", { ca: pki.ca.certPem, body: body(), headers: { authorization: `Basic ${await token()}` } });
      assert.equal(basic.status, 401);
    });

    const refusals: [string, () => Promise<string | undefined>, RegExp][] = [
      ["an expired token", () => token({ exp: Math.floor(Date.now() / 1000) - 3600 }), /ERR_JWT_EXPIRED/],
      ["a token for another audience", () => token({ aud: "someone-else" }), /ERR_JWT_CLAIM_VALIDATION_FAILED: aud/],
      ["a token from another issuer", () => token({ iss: "https://evil.test" }), /ERR_JWT_CLAIM_VALIDATION_FAILED: iss/],
      ["a token signed by another key", () => token({ key: otherKey }), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/],
      ["a token with alg none", async () => `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"aud":"kuscia-iac-webhook","exp":9999999999}').toString("base64url")}.`, /refused/],
      ["no token", async () => undefined, /no credentials/],
    ];
    for (const [what, make, reason] of refusals) {
      it(`answers 401 to ${what}`, async () => {
        const r = await withToken(await make());
        assert.equal(r.status, 401);
        assert.match(String(r.headers["www-authenticate"]), /^Bearer /);
        assert.match(r.json.message, reason);
      });
    }

    it("never logs the token", async () => {
      const t = await token({ aud: "someone-else" });
      await withToken(t);
      const good = await token();
      await withToken(good);
      const sig = (s: string) => s.split(".")[2];
      assert.ok(!logs.text().includes(sig(t)) && !logs.text().includes(sig(good)));
    });
  });

  describe("with --jwks as a URL", () => {
    it("fetches the key set and verifies tokens with it", async () => {
      const { createServer } = await import("node:http");
      let fetched = 0;
      const jwksServer = createServer((_req, res) => {
        fetched++;
        res.setHeader("content-type", "application/json");
        res.end(readFileSync(jwksFile));
      });
      await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r));
      const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as import("node:net").AddressInfo).port}/jwks.json`;
      const wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, jwks: jwksUrl, audience: "kuscia-iac-webhook", logger: captureLogger().logger, defaultMetrics: false });
      try {
        const good = await call(wh.url, "/validate", { ca: pki.ca.certPem, body: body(), headers: { authorization: `Bearer ${await token()}` } });
        const bad = await call(wh.url, "/validate", { ca: pki.ca.certPem, body: body(), headers: { authorization: `Bearer ${await token({ key: otherKey })}` } });
        assert.deepEqual([good.status, bad.status], [200, 401]);
        assert.ok(fetched >= 1);
      } finally {
        await wh.close();
        jwksServer.close();
      }
      // Plain http is for loopback only: a key set fetched in clear could be swapped on the way.
      assert.throws(() => createAuthenticator({ jwks: "http://jwks.example.com/keys", audience: "a" }, { info() {}, error() {} }), /must be https/);
    });
  });

  describe("with both configured", () => {
    let wh: RunningWebhook;
    before(async () => {
      wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, clientCa: clientCaFile, jwks: jwksFile, audience: "kuscia-iac-webhook", logger: captureLogger().logger, defaultMetrics: false });
    });
    after(() => wh.close());

    it("accepts either credential and refuses a caller with neither", async () => {
      const viaCert = await call(wh.url, "/validate", { ca: pki.ca.certPem, cert: goodClient.certPem, key: goodClient.keyPem, body: body() });
      const viaToken = await call(wh.url, "/validate", { ca: pki.ca.certPem, body: body(), headers: { authorization: `Bearer ${await token()}` } });
      const neither = await call(wh.url, "/validate", { ca: pki.ca.certPem, cert: strangerClient.certPem, key: strangerClient.keyPem, body: body() });
      assert.deepEqual([viaCert.status, viaToken.status, neither.status], [200, 200, 401]);
    });
  });

  describe("without authentication configured", () => {
    it("serves anyone but warns at startup that callers are not authenticated", async () => {
      const logs = captureLogger();
      const wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, logger: logs.logger, defaultMetrics: false });
      try {
        const r = await call(wh.url, "/validate", { ca: pki.ca.certPem, body: body() });
        assert.equal(r.status, 200);
        assert.ok(logs.lines().some((l) => l.level === 40 && /not authenticated/.test(String(l.msg))));
      } finally {
        await wh.close();
      }
    });

    it("refuses to start with --jwks but no --audience, or a JWKS holding private keys", async () => {
      await assert.rejects(startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, jwks: jwksFile, logger: captureLogger().logger }), /--audience/);
      const priv = join(pki.dir, "private-jwks.json");
      writeFileSync(priv, JSON.stringify({ keys: [privateJwk] }));
      await assert.rejects(startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, jwks: priv, audience: "a", logger: captureLogger().logger }), /private key material/);
    });
  });
});
