/** Real HTTPS calls against a real webhook server, with certificates made for the run. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request, Agent, type RequestOptions } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { Logger } from "pino";
import { createLogger } from "../../../webhook/server";
import { issueCert, selfSignedCert, type CertifiedKey } from "../../../pki";

export interface Pki {
  dir: string;
  ca: CertifiedKey;
  server: CertifiedKey;
  caFile: string;
  certFile: string;
  keyFile: string;
}

const made: string[] = [];
process.once("exit", () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

let shared: Promise<Pki> | undefined;

// The run's certificates are made once, before the first test, with no time limit: making RSA
// keys is CPU work that a busy machine slows down, not an event that may fail to come.
before(async function () {
  this.timeout(0);
  await testPki();
});

/** A CA and a serving certificate for localhost/127.0.0.1, written to a fresh temp dir (made once per run). */
export function testPki(): Promise<Pki> {
  shared ??= (async () => {
    const dir = tempDir("kuscia-iac-webhook-test-");
    const ca = await selfSignedCert({ cn: "webhook test CA", isCA: true, days: 2 });
    const server = await issueCert({ ca, cn: "localhost", sans: ["localhost", "127.0.0.1"], days: 1 });
    const caFile = join(dir, "ca.crt");
    const certFile = join(dir, "tls.crt");
    const keyFile = join(dir, "tls.key");
    writeFileSync(caFile, ca.certPem);
    writeFileSync(certFile, server.certPem);
    writeFileSync(keyFile, server.keyPem, { mode: 0o600 });
    return { dir, ca, server, caFile, certFile, keyFile };
  })();
  return shared;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // Parsed JSON body; tests read AdmissionReview fields from it freely.
  json: any;
  /** Serial number of the certificate the server presented. */
  serverSerial?: string;
}

export interface CallOptions {
  ca: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  cert?: string;
  key?: string;
  agent?: Agent | false;
  minVersion?: RequestOptions["minVersion"];
  maxVersion?: RequestOptions["maxVersion"];
}

export function call(url: string, path: string, o: CallOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = request(
      u,
      {
        method: o.method ?? (o.body !== undefined ? "POST" : "GET"),
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        agent: o.agent ?? false,
        minVersion: o.minVersion,
        maxVersion: o.maxVersion,
        headers: { ...(o.body !== undefined ? { "content-type": "application/json" } : {}), ...o.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        const serverSerial = (res.socket as import("node:tls").TLSSocket).getPeerCertificate?.()?.serialNumber;
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, serverSerial });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(o.body);
  });
}

let uidCounter = 0;

export function admissionReview(object: unknown, o: { operation?: string; oldObject?: unknown; dryRun?: boolean; uid?: string } = {}): Record<string, unknown> {
  const obj = (object ?? o.oldObject) as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } | null;
  const [group, version] = (obj?.apiVersion ?? "v1").includes("/") ? obj!.apiVersion!.split("/") : ["", obj?.apiVersion ?? "v1"];
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: o.uid ?? `test-${++uidCounter}`,
      kind: { group, version, kind: obj?.kind },
      resource: { group, version, resource: `${(obj?.kind ?? "").toLowerCase()}s` },
      name: obj?.metadata?.name,
      namespace: obj?.metadata?.namespace,
      operation: o.operation ?? "CREATE",
      userInfo: { username: "kubernetes-admin", groups: ["system:masters"] },
      object: object ?? null,
      oldObject: o.oldObject ?? null,
      dryRun: o.dryRun ?? false,
      options: {},
    },
  };
}

export function decodePatch(response: { patch?: string; patchType?: string }): unknown[] | undefined {
  if (response.patch === undefined) return undefined;
  return JSON.parse(Buffer.from(response.patch, "base64").toString("utf8"));
}

/** A pino logger whose lines the test can read. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString("utf8"));
      cb();
    },
  });
  // The webhook's own logger (its masking included), writing here.
  const logger = createLogger("debug", stream);
  return {
    logger,
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The waits of the test running now: what each waits for, and how to stop polling. */
const waiting = new Set<{ what: string; stop: () => void }>();

// A root hook (this file is loaded with the specs): once a test has ended, its waits stop
// polling; when it failed (mocha's timeout), its error says what never happened.
afterEach(function () {
  if (waiting.size === 0) return;
  const whats = [...waiting].map((w) => w.what);
  for (const w of waiting) w.stop();
  waiting.clear();
  const t = this.currentTest;
  if (t?.state !== "failed") return;
  const note = `still waiting for: ${whats.join("; ")}`;
  if (t.err) t.err.message += ` (${note})`;
  process.stderr.write(`  "${t.fullTitle()}" ${note}\n`);
});

/**
 * Polls `cond` until it holds: an event, never a time, so a busy machine only makes the wait
 * longer. No deadline unless `ms` is given (a test that wants one decides it); the test's
 * timeout is the liveness guard, and a test that fails on it names what it was waiting for.
 */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms?: number, what = "condition"): Promise<void> {
  const end = ms === undefined ? Infinity : Date.now() + ms;
  let stopped = false;
  const entry = { what, stop: () => void (stopped = true) };
  waiting.add(entry);
  try {
    while (Date.now() < end) {
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 50));
      // The test has ended (its timeout): stay pending, so nothing runs on after it.
      if (stopped) return new Promise<void>(() => undefined);
    }
    throw new Error(`timed out waiting for ${what}`);
  } finally {
    waiting.delete(entry);
  }
}
