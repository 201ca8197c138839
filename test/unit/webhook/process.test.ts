import { strict as assert } from "node:assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { request, Agent } from "node:https";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { tempDir, admissionReview, call, testPki, type Pki } from "./helpers";

const DIST = resolve(__dirname, "..", "..", "..");

/** `kuscia-iac webhook` through the lead's CLI once it registers the command, else through webhook/main. */
function entry(): string[] {
  const cli = join(DIST, "cli", "main.js");
  if (existsSync(cli)) {
    const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
    if (/^\s+webhook\b/m.test(help.stdout)) return [cli, "webhook"];
  }
  return [join(DIST, "webhook", "main.js")];
}

interface Child {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  exit: Promise<number | null>;
  /** Told of every log line, as it arrives. */
  onLine: Set<(l: Record<string, unknown>) => void>;
}

function start(args: string[], shellScript?: string): Child {
  const proc = shellScript
    ? spawn("sh", ["-c", `${shellScript} "$@"`, "sh", ...args], { cwd: resolve(DIST, ".."), stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, [...entry(), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  const onLine = new Set<(l: Record<string, unknown>) => void>();
  let buf = "";
  let err = "";
  proc.stdout!.on("data", (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split("\n");
    buf = parts.pop()!;
    for (const p of parts) {
      if (!p.trim()) continue;
      const l = JSON.parse(p) as Record<string, unknown>;
      lines.push(l);
      for (const f of onLine) f(l);
    }
  });
  proc.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((res) => proc.on("exit", (code) => res(code)));
  return { proc, lines, stderr: () => err, exit, onLine };
}

/**
 * The first log line `match` accepts (one already logged, or the next): an event, however
 * long a busy machine takes to get there. Rejects if the process exits without logging it.
 */
function line(c: Child, match: (l: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
  const seen = c.lines.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const f = (l: Record<string, unknown>): void => {
      if (!match(l)) return;
      c.onLine.delete(f);
      resolve(l);
    };
    c.onLine.add(f);
    void c.exit.then((code) => {
      if (!c.onLine.has(f)) return;
      c.onLine.delete(f);
      reject(new Error(`exited (${code}) before logging ${what}: ${c.stderr()}`));
    });
  });
}

/** Resolves once the process's standard error holds `text`; rejects if it exits first. */
function stderrHas(c: Child, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => c.stderr().includes(text);
    if (check()) return resolve();
    const onData = (): void => {
      if (!check()) return;
      c.proc.stderr!.off("data", onData);
      resolve();
    };
    // Registered after start()'s own listener, so the text is in c.stderr() when this runs.
    c.proc.stderr!.on("data", onData);
    void c.exit.then((code) => {
      c.proc.stderr!.off("data", onData);
      if (check()) resolve();
      else reject(new Error(`exited (${code}) before writing ${JSON.stringify(text)} to standard error`));
    });
  });
}

async function listening(c: Child): Promise<string> {
  return String((await line(c, (l) => l.msg === "kuscia-iac webhook listening", "that it listens")).url);
}

describe("webhook process", function () {
  // Each test starts webhook processes (and some make a CA) and waits for what they log or
  // answer: events, which a busy machine delays but does not cancel. No time limit of mocha's.
  this.timeout(0);
  let pki: Pki;
  before(async () => {
    pki = await testPki();
  });

  it("on SIGTERM stops accepting, finishes the reviews in flight and exits 0", async () => {
    // The half-sent requests below wait on this test, not on the request or drain timeout.
    const c = start(["--port", "0", "--tls-cert", pki.certFile, "--tls-key", pki.keyFile, "--request-timeout", "600", "--drain-timeout", "600"]);
    try {
      const url = await listening(c);
      const body = JSON.stringify(admissionReview({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "alice" }, spec: {} }));
      // Requests whose headers and half their body are in; the rest is sent after SIGTERM.
      const inflight = [0, 1, 2].map(() => {
        let req!: import("node:http").ClientRequest;
        const done = new Promise<{ status?: number; connection?: string; json: { response: { allowed: boolean } } }>((res, rej) => {
          req = request(new URL("/validate", url), { method: "POST", ca: pki.ca.certPem, agent: false, headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } }, (r) => {
            let t = "";
            r.on("data", (d: Buffer) => (t += d));
            r.on("end", () => res({ status: r.statusCode, connection: r.headers.connection, json: JSON.parse(t) }));
          });
          req.on("error", rej);
        });
        req.write(body.slice(0, 100));
        return { req, done };
      });
      // An idle kept-alive connection must not hold the shutdown up.
      const idle = new Agent({ keepAlive: true, ca: pki.ca.certPem });
      assert.equal((await call(url, "/validate", { ca: pki.ca.certPem, agent: idle, body })).status, 200);

      c.proc.kill("SIGTERM");
      await line(c, (l) => l.msg === "stopping: no new connections, finishing reviews in flight", "stopping");
      await assert.rejects(call(url, "/healthz", { ca: pki.ca.certPem }), /ECONNREFUSED|ECONNRESET|socket hang up/);

      for (const f of inflight) f.req.end(body.slice(100));
      const answers = await Promise.all(inflight.map((f) => f.done));
      for (const a of answers) {
        assert.equal(a.status, 200);
        assert.equal(a.json.response.allowed, true);
        assert.equal(a.connection, "close");
      }
      assert.equal(await c.exit, 0);
      assert.ok(c.lines.some((l) => l.msg === "stopped"));
      assert.equal(c.lines.filter((l) => l.msg === "review").length, 4);
      idle.destroy();
    } finally {
      c.proc.kill("SIGKILL");
    }
  });

  it("`npm start`'s script execs node, so npm's SIGTERM to its shell reaches the webhook", async () => {
    // npm forwards signals to the `sh -c` running the script; without exec the shell dies and node lives on.
    const script = (JSON.parse(readFileSync(resolve(DIST, "..", "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.start;
    const c = start(["--port", "0", "--tls-cert", pki.certFile, "--tls-key", pki.keyFile], script);
    try {
      await listening(c);
      const node = c.lines.find((l) => l.msg === "kuscia-iac webhook listening")!.pid;
      assert.equal(node, c.proc.pid, "the webhook is not the process npm signals");
      c.proc.kill("SIGTERM");
      assert.equal(await c.exit, 0);
      assert.ok(c.lines.some((l) => l.msg === "stopped"));
    } finally {
      c.proc.kill("SIGKILL");
    }
  });

  it("a SIGTERM that comes while it starts stops it once it is up: exit 0, never the signal's default action", async () => {
    // The policy file's warning is logged while the webhook starts, before it listens: the
    // signal sent on seeing it arrives before startWebhook returns. Without handlers in place
    // by then the process dies of the signal (exit code null) and drains nothing.
    const config = join(tempDir("kuscia-iac-sigterm-"), "policy.yaml");
    writeFileSync(config, "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyConfiguration\nkusciaVersion: v9.9\n");
    const c = start(["--port", "0", "--tls-cert", pki.certFile, "--tls-key", pki.keyFile, "--config", config]);
    try {
      await line(c, (l) => typeof l.msg === "string" && l.msg.includes("is not a release the rule book was checked against"), "the policy file's warning");
      c.proc.kill("SIGTERM");
      assert.equal(await c.exit, 0, c.stderr());
      const msgs = c.lines.map((l) => l.msg);
      assert.ok(msgs.indexOf("stopped") > msgs.indexOf("kuscia-iac webhook listening"), `stopped after it was up: ${msgs.join(" | ")}`);
    } finally {
      c.proc.kill("SIGKILL");
    }
  });

  it("with no certificate given, makes a CA and a serving certificate, prints the caBundle, and reuses them on restart", async () => {
    const state = join(tempDir("kuscia-iac-state-"), "state");
    const first = start(["--port", "0", "--state-dir", state]);
    let caPem: string;
    try {
      const url = await listening(first);
      const caLine = await line(first, (l) => !!l.caBundleFile, "the embedded CA log line");
      assert.equal(caLine.caBundleFile, join(state, "ca.crt"));
      caPem = readFileSync(join(state, "ca.crt"), "utf8");
      const caBundle = Buffer.from(caPem).toString("base64");
      // Printed once, for people, on standard error (written once the server is up, after the
      // log line above); the JSON log names only the file.
      await stderrHas(first, `caBundle: ${caBundle}\n`);
      assert.equal(first.stderr().split(`caBundle: ${caBundle}`).length - 1, 1);
      assert.ok(!first.lines.some((l) => JSON.stringify(l).includes(caBundle.slice(0, 200))), "the caBundle is printed twice (log and stderr)");
      assert.equal(statSync(join(state, "tls.key")).mode & 0o077, 0, "serving key readable by others");
      assert.equal(statSync(join(state, "ca.key")).mode & 0o077, 0, "CA key readable by others");
      assert.equal(statSync(state).mode & 0o077, 0);
      // Trusting only the printed CA is enough to reach it, by IP and by name.
      for (const host of ["127.0.0.1", "localhost"]) {
        const u = url.replace("127.0.0.1", host);
        const r = await call(u, "/validate", { ca: caPem, body: JSON.stringify(admissionReview({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } })) });
        assert.equal(r.status, 200);
      }
      assert.ok(!JSON.stringify(first.lines).includes("PRIVATE KEY"));
      assert.ok(!first.stderr().includes("PRIVATE KEY"));
      first.proc.kill("SIGTERM");
      assert.equal(await first.exit, 0);
    } finally {
      first.proc.kill("SIGKILL");
    }
    const second = start(["--port", "0", "--state-dir", state]);
    try {
      await listening(second);
      // The embedded-CA line may follow the listening line on a loaded machine.
      await line(second, (l) => !!l.caBundleFile, "the embedded CA log line");
      assert.equal(second.lines.find((l) => l.caBundleFile)?.reused, "all");
      assert.equal(readFileSync(join(state, "ca.crt"), "utf8"), caPem, "the caBundle pasted earlier stays valid");
    } finally {
      second.proc.kill("SIGTERM");
      await second.exit;
    }
  });

  it("two webhooks started at once on a fresh --state-dir serve certificates from one CA", async () => {
    const state = join(tempDir("kuscia-iac-state-"), "shared");
    const both = [start(["--port", "0", "--state-dir", state]), start(["--port", "0", "--state-dir", state])];
    try {
      const urls = await Promise.all(both.map(listening));
      const caPem = readFileSync(join(state, "ca.crt"), "utf8");
      // Trusting the one CA file reaches both: neither made a CA of its own.
      for (const url of urls) assert.equal((await call(url, "/healthz", { ca: caPem })).status, 200);
      await Promise.all(both.map((c) => line(c, (l) => !!l.caBundleFile, "the embedded CA log line")));
      assert.deepEqual(both.map((c) => c.lines.find((l) => l.caBundleFile)!.reused === "none").sort(), [false, true]);
    } finally {
      for (const c of both) c.proc.kill("SIGTERM");
      await Promise.all(both.map((c) => c.exit));
    }
  });

  it("--certs-only adds --san names, keeps the CA, and --print-configurations prints both configurations", () => {
    const state = join(tempDir("kuscia-iac-state-"), "s");
    const a = spawnSync(process.execPath, [...entry(), "--certs-only", "--state-dir", state], { encoding: "utf8" });
    assert.equal(a.status, 0, a.stderr);
    const ca1 = readFileSync(join(state, "ca.crt"), "utf8");
    const b = spawnSync(process.execPath, [...entry(), "--certs-only", "--state-dir", state, "--san", "kuscia-iac-webhook.kuscia-iac-system.svc,10.1.2.3"], { encoding: "utf8" });
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /CA reused, certificate issued/);
    assert.equal(readFileSync(join(state, "ca.crt"), "utf8"), ca1);
    const leaf = new X509Certificate(readFileSync(join(state, "tls.crt")));
    assert.ok(leaf.checkHost("kuscia-iac-webhook.kuscia-iac-system.svc") && leaf.checkIP("10.1.2.3") && leaf.checkIP("127.0.0.1"));

    const p = spawnSync(process.execPath, [...entry(), "--print-configurations", "--state-dir", state, "--url", "https://10.1.2.3:8443"], { encoding: "utf8" });
    assert.equal(p.status, 0, p.stderr);
    const docs = parseAllDocuments(p.stdout).map((d) => d.toJS());
    assert.deepEqual(docs.map((d) => d.kind), ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]);
    assert.equal(docs[0].webhooks[0].clientConfig.url, "https://10.1.2.3:8443/validate");
    assert.equal(docs[1].webhooks[0].clientConfig.url, "https://10.1.2.3:8443/mutate");
    assert.equal(docs[0].webhooks[0].clientConfig.caBundle, Buffer.from(ca1).toString("base64"));
  });

  it("--help documents the options and endpoints", () => {
    const h = spawnSync(process.execPath, [...entry(), "--help"], { encoding: "utf8" });
    assert.equal(h.status, 0);
    for (const s of ["--tls-cert", "--client-ca", "--jwks", "--audience", "--issuer", "--state-dir", "POST /validate", "POST /mutate", "/readyz", "SIGTERM"]) assert.ok(h.stdout.includes(s), s);
  });
});
