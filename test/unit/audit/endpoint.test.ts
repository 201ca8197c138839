/**
 * Commands that talk to a cluster refuse an endpoint that is not a Kubernetes API server
 * (issue: `audit` against an HTTPS endpoint answering HTML exited 0 with "0 objects"). Each
 * endpoint here is a real HTTPS server on 127.0.0.1 with a certificate the kubeconfig trusts,
 * answering as a proxy, a login page or another service would.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { selfSignedCert, type CertifiedKey } from "../../../pki";
import { runAudit } from "../../../audit/command";
import { KubeClient, NotApiServerError, loadKubeConfig } from "../../../audit/kube";
import type { Io } from "../../../review/command";

type Handler = (req: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }) => { status: number; type?: string; body: string; headers?: Record<string, string | string[]> };

const HTML = (title: string) => `<!doctype html><html><head><title>${title}</title></head><body><form action="/login">password</form></body></html>`;
const STATUS_404 = JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", code: 404 });
const VERSION = JSON.stringify({ major: "1", minor: "36", gitVersion: "v1.36.3" });

describe("audit: an endpoint that is not a Kubernetes API server", function () {
  this.timeout(60_000);
  let cert: CertifiedKey;
  let dir: string;
  const servers: https.Server[] = [];
  const seen: string[] = [];

  before(async () => {
    cert = await selfSignedCert({ cn: "127.0.0.1", sans: ["127.0.0.1"], days: 1 });
    dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-endpoint-"));
  });
  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An HTTPS server answering with `handler`, and a kubeconfig (trusting its certificate) naming it. */
  async function endpoint(name: string, handler: Handler): Promise<string> {
    const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const a = handler({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(a.status, { "content-type": a.type ?? "text/html; charset=utf-8", ...a.headers });
        res.end(a.body);
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const file = path.join(dir, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: `https://127.0.0.1:${port}`, "certificate-authority-data": Buffer.from(cert.certPem).toString("base64") } }],
        users: [{ name: "u", user: { token: "not-a-real-token" } }],
        contexts: [{ name: name, context: { cluster: "c", user: "u" } }],
        "current-context": name,
      }),
    );
    return file;
  }

  async function audit(kubeconfig: string, args: Partial<Parameters<typeof runAudit>[0]> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY: false };
    const code = await runAudit({ format: "text", kubeconfig, requestTimeout: 20_000, ...args }, io);
    return { code, stdout, stderr };
  }

  it("an HTML page on every path (a proxy's or a login page): exit 2, named as not an API server, before anything is listed", async () => {
    seen.length = 0;
    const kc = await endpoint("html", () => ({ status: 200, body: HTML("Sign in · Corp SSO") }));
    const r = await audit(kc);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "", "no report: nothing was audited");
    assert.match(r.stderr, /^kuscia-iac audit: https:\/\/127\.0\.0\.1:\d+ is not a Kubernetes API server: GET \/version answered 200 text\/html \(a page titled "Sign in · Corp SSO"\), not the API server's JSON\. Check the kubeconfig's server URL/);
    assert.deepEqual(seen, ["GET /version"], "stopped at the first answer");
  });

  it("a redirect to a login page, an HTML 404 everywhere, another service's JSON: each exit 2; the redirect's query (tokens) is not quoted", async () => {
    const redirect = await endpoint("redirect", () => ({ status: 302, body: "", headers: { location: "https://login.example/authorize?state=s3cr3t-state&client_id=k8s" } }));
    const r = await audit(redirect);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not a Kubernetes API server: GET \/version answered a redirect \(302\) to login\.example,/);
    assert.ok(!r.stderr.includes("s3cr3t"), r.stderr);

    const notFound = await endpoint("notfound", () => ({ status: 404, body: HTML("404 Not Found") }));
    const n = await audit(notFound);
    assert.equal(n.code, 2);
    assert.match(n.stderr, /GET \/version answered 404 text\/html \(a page titled "404 Not Found"\)/);

    const other = await endpoint("json", () => ({ status: 200, type: "application/json", body: JSON.stringify({ ok: true, service: "metrics" }) }));
    const o = await audit(other);
    assert.equal(o.code, 2);
    assert.match(o.stderr, /GET \/version answered 200 application\/json, not the API server's JSON/);
  });

  it("a proxy that passes /version through but answers HTML elsewhere (200 or 404): exit 2 at the first other request", async () => {
    for (const status of [200, 404]) {
      const kc = await endpoint(`partial-${status}`, (req) => (req.url === "/version" ? { status: 200, type: "application/json", body: VERSION } : { status, body: HTML("Portal") }));
      const r = await audit(kc);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`is not a Kubernetes API server: GET /apis/[^ ]+ answered ${status} text/html \\(a page titled "Portal"\\)`));
    }
  });

  it("a 502 without a Kubernetes body is an unreachable API server behind a proxy, not a wrong endpoint (exit 2 all the same)", async () => {
    const kc = await endpoint("badgateway", () => ({ status: 502, type: "text/plain", body: "Bad Gateway" }));
    const r = await audit(kc);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot audit the cluster: GET \/version: 502 from https:\/\/127\.0\.0\.1:\d+ without a Kubernetes answer \(502 text\/plain\): the API server behind it may be down/);
    assert.ok(!/not a Kubernetes API server/.test(r.stderr));
  });

  it("an API server that serves none of the kinds is audited: 0 objects, exit 0 (its plain-text 404 for an unknown group is an API server's)", async () => {
    // As kube-apiserver answers: an unknown group version in plain text, other misses as a JSON Status.
    const kc = await endpoint("empty-api", (req) =>
      req.url === "/version" ? { status: 200, type: "application/json", body: VERSION } : req.url.startsWith("/apis/") ? { status: 404, type: "text/plain; charset=utf-8", body: "404 page not found\n" } : { status: 404, type: "application/json", body: STATUS_404 },
    );
    const r = await audit(kc, { format: "json" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).summary.objects, 0);
    assert.match(r.stderr, /not served by this API server \(its CRD is not installed\): skipped/);
  });

  it("KubeClient.verify checks once, and again after a failure to connect", async () => {
    let versions = 0;
    let up = false;
    const kc = await endpoint("flaky", (req) => {
      if (req.url === "/version") versions++;
      if (!up) return { status: 503, type: "text/plain", body: "starting" };
      return req.url === "/version" ? { status: 200, type: "application/json", body: VERSION } : { status: 404, type: "application/json", body: STATUS_404 };
    });
    const { kc: config, context } = loadKubeConfig({ kubeconfig: kc });
    const client = new KubeClient(config, context, 10_000);
    await assert.rejects(client.verify(), (e: Error) => !(e instanceof NotApiServerError) && /503/.test(e.message));
    up = true;
    await client.verify();
    assert.equal(await client.resource("kuscia.secretflow/v1alpha1", "Domain"), undefined);
    await client.verify();
    assert.equal(versions, 2, "verified once after it passed");
  });

  it("KubeClient.request and .exchange make the same request (one send): the kubeconfig's token, a JSON body with its length, extra headers; each reads the answer its way", async () => {
    const got: { method: string; url: string; auth: unknown; type: unknown; length: unknown; impersonate: unknown; body: string }[] = [];
    const kc = await endpoint("send", (req) => {
      if (req.url === "/version") return { status: 200, type: "application/json", body: VERSION };
      got.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers["content-type"], length: req.headers["content-length"], impersonate: req.headers["impersonate-user"], body: req.body });
      if (req.url.includes("refused")) return { status: 403, type: "application/json", body: JSON.stringify({ kind: "Status", reason: "Forbidden", message: "no" }), headers: { warning: ['299 - "first"', '299 - "second, with a comma"'] } };
      return { status: 201, type: "application/json", body: JSON.stringify({ kind: "ConfigMap" }), headers: { warning: '299 - "made"' } };
    });
    const { kc: config, context } = loadKubeConfig({ kubeconfig: kc });
    const client = new KubeClient(config, context, 10_000);
    const body = { kind: "ConfigMap", data: { "é": "ü" } };
    assert.deepEqual(await client.request("POST", "/api/v1/namespaces/default/configmaps", body), { kind: "ConfigMap" });
    assert.deepEqual(await client.exchange("POST", "/api/v1/namespaces/default/configmaps", body, { "impersonate-user": "alice" }), { status: 201, json: { kind: "ConfigMap" }, warnings: ["made"] });
    const refused = await client.exchange("POST", "/api/v1/refused", body);
    assert.deepEqual(refused, { status: 403, json: { kind: "Status", reason: "Forbidden", message: "no" }, warnings: ["first", "second, with a comma"] });
    await assert.rejects(client.request("POST", "/api/v1/refused", body), (e: Error) => /POST \/api\/v1\/refused: 403 no/.test(e.message));
    const sent = JSON.stringify(body);
    const expected = (url: string, impersonate?: string) => ({ method: "POST", url, auth: "Bearer not-a-real-token", type: "application/json", length: String(Buffer.byteLength(sent)), impersonate, body: sent });
    assert.deepEqual(got, [
      expected("/api/v1/namespaces/default/configmaps"),
      expected("/api/v1/namespaces/default/configmaps", "alice"),
      expected("/api/v1/refused"),
      expected("/api/v1/refused"),
    ]);
  });

  it("webhook --references / --audit-interval refuse to start against it (exit 2)", async () => {
    const kc = await endpoint("webhook", () => ({ status: 200, body: HTML("Sign in") }));
    const cli = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");
    for (const flag of [["--references"], ["--audit-interval", "1m"]]) {
      const child = spawn(process.execPath, [cli, "webhook", "--port", "0", "--state-dir", path.join(dir, "state"), "--kubeconfig", kc, ...flag], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.stdout.resume();
      const code = await new Promise<number | null>((r) => child.on("exit", r));
      assert.equal(code, 2, stderr);
      assert.match(stderr, new RegExp(`^kuscia-iac webhook: ${flag[0]}: https://127\\.0\\.0\\.1:\\d+ is not a Kubernetes API server: GET /version answered 200 text/html`, "m"));
    }
  });
});
