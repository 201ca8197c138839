import { strict as assert } from "node:assert";
import { Agent } from "node:https";
import { review } from "../../../policy";
import type { ReviewResult } from "../../../policy";
import { denialMessage, warningStrings } from "../../../webhook/admission";
import { startWebhook, type RunningWebhook } from "../../../webhook/server";
import { admissionReview, call, captureLogger, decodePatch, testPki, type Pki } from "./helpers";
import { UNHURRIED } from "../../helpers/webhook";

const domain = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name }, spec });

describe("webhook admission semantics (real HTTPS)", () => {
  let pki: Pki;
  let wh: RunningWebhook;
  let logs: ReturnType<typeof captureLogger>;
  let agent: Agent;
  let failNext: Error | undefined;
  let patchNext: ReviewResult["patch"] | undefined;

  before(async () => {
    pki = await testPki();
    logs = captureLogger();
    wh = await startWebhook({
      ...UNHURRIED,
      port: 0,
      tlsCert: pki.certFile,
      tlsKey: pki.keyFile,
      logger: logs.logger,
      defaultMetrics: false,
      // The rule book, with two switches to reach the paths it never takes by itself.
      reviewer: (obj, opts) => {
        if (failNext) {
          const e = failNext;
          failNext = undefined;
          throw e;
        }
        const r = review(obj, opts);
        if (patchNext) {
          const p = patchNext;
          patchNext = undefined;
          return { ...r, patch: p };
        }
        return r;
      },
    });
    agent = new Agent({ keepAlive: true, ca: pki.ca.certPem });
  });
  after(async () => {
    agent.destroy();
    await wh.close();
  });

  const post = (path: string, body: unknown) => call(wh.url, path, { ca: pki.ca.certPem, agent, body: JSON.stringify(body) });

  it("passes oldObject on UPDATE so immutable fields are enforced", async () => {
    const interop = (host: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "alice-2-bob" }, spec: { host, members: ["alice"] } });
    const before = interop("bob");
    const after = interop("carol");
    const v = await post("/validate", admissionReview(after, { operation: "UPDATE", oldObject: before }));
    assert.equal(v.json.response.allowed, false);
    assert.match(v.json.response.status.message, /\[interop\.host\.immutable\]/);
    // The same change as a CREATE has nothing to compare with, so the oldObject really was used.
    const c = await post("/validate", admissionReview(after));
    assert.equal(c.json.response.allowed, true, c.json.response.status?.message);
  });

  it("admits an UPDATE that keeps immutable fields, and patches defaults on it", async () => {
    const before = domain("alice", { interConnProtocols: ["kuscia"] });
    const after = domain("alice", {});
    const v = await post("/validate", admissionReview(after, { operation: "UPDATE", oldObject: before }));
    assert.equal(v.json.response.allowed, true);
    const m = await post("/mutate", admissionReview(after, { operation: "UPDATE", oldObject: before }));
    assert.deepEqual(decodePatch(m.json.response), [{ op: "add", path: "/spec/interConnProtocols", value: ["kuscia"] }]);
  });

  it("allows DELETE, where the API server sends object: null and the stored object as oldObject", async () => {
    const ar = admissionReview(null, { operation: "DELETE", oldObject: domain("Bad_Name", { role: "x" }) });
    for (const path of ["/validate", "/mutate"]) {
      const r = await post(path, ar);
      assert.equal(r.status, 200);
      assert.equal(r.json.response.allowed, true);
      assert.equal(r.json.response.patch, undefined);
    }
    const line = logs.lines().find((l) => l.uid === (ar.request as { uid: string }).uid);
    assert.equal(line?.kind, "kuscia.secretflow/v1alpha1/Domain");
    assert.equal(line?.operation, "DELETE");
  });

  it("answers dryRun requests exactly like real ones and logs that they were dry", async () => {
    const bad = domain("Bad_Name", {});
    const wet = await post("/validate", admissionReview(bad));
    const dryAr = admissionReview(bad, { dryRun: true });
    const dry = await post("/validate", dryAr);
    assert.equal(dry.json.response.allowed, false);
    assert.equal(dry.json.response.status.message, wet.json.response.status.message);
    const line = logs.lines().find((l) => l.uid === (dryAr.request as { uid: string }).uid);
    assert.equal(line?.dryRun, true);
  });

  it("allows kinds it does not know, and ConfigMaps without the node-config label", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [] } };
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: { "kuscia.yaml": "not: [valid" } };
    for (const obj of [pod, cm]) {
      const r = await post("/validate", admissionReview(obj));
      assert.equal(r.json.response.allowed, true);
      assert.equal(r.json.response.warnings, undefined);
    }
  });

  it("fails closed with 500 when reviewing throws, logs it without the error's text, and keeps serving", async () => {
    failNext = new Error("cannot parse mysql://root:hunter2-secret@db/kuscia");
    const ar = admissionReview(domain("alice", {}));
    const r = await post("/validate", ar);
    assert.equal(r.status, 200);
    assert.equal(r.json.response.uid, (ar.request as { uid: string }).uid);
    assert.equal(r.json.response.allowed, false);
    assert.equal(r.json.response.status.code, 500);
    const line = logs.lines().find((l) => l.uid === (ar.request as { uid: string }).uid);
    assert.equal(line?.verdict, "error");
    assert.equal(line?.level, 50);
    assert.match(String(line?.error), /^Error at /);
    assert.ok(!logs.text().includes("hunter2"), "the exception message can quote the object; it must not reach the log");
    const next = await post("/validate", admissionReview(domain("alice", {})));
    assert.equal(next.json.response.allowed, true);
  });

  it("fails closed on /mutate too rather than admit an object whose defaults could not be computed", async () => {
    failNext = new RangeError("Maximum call stack size exceeded");
    const r = await post("/mutate", admissionReview(domain("alice", {})));
    assert.equal(r.json.response.allowed, false);
    assert.equal(r.json.response.status.code, 500);
    assert.equal(r.json.response.patch, undefined);
  });

  it("drops patch operations outside spec/data, and whole patches that do not apply", async () => {
    patchNext = [
      { op: "replace", path: "/metadata/name", value: "hijacked" },
      { op: "add", path: "/spec/interConnProtocols", value: ["kuscia"] },
    ];
    let r = await post("/mutate", admissionReview(domain("alice", {})));
    assert.equal(r.json.response.allowed, true);
    assert.deepEqual(decodePatch(r.json.response), [{ op: "add", path: "/spec/interConnProtocols", value: ["kuscia"] }]);

    patchNext = [{ op: "replace", path: "/spec/missing/deeper", value: 1 }];
    r = await post("/mutate", admissionReview(domain("alice", {})));
    assert.equal(r.json.response.allowed, true);
    assert.equal(r.json.response.patch, undefined);
    assert.ok(logs.lines().some((l) => l.msg === "review patch dropped by the safety net" && JSON.stringify(l.droppedPatch).includes("/spec/missing/deeper")));
  });

  it("logs one structured line per review, with no object content, key or DSN password", async () => {
    const key = Buffer.from("-----BEGIN RSA PRIVATE KEY-----\nMARKER-PRIVATE-KEY-BYTES\n-----END RSA PRIVATE KEY-----\n").toString("base64");
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kuscia-config", namespace: "kuscia", labels: { "kuscia.secretflow/config": "true" } },
      data: {
        "kuscia.yaml": [
          "mode: autonomy",
          "domainID: alice",
          `domainKeyData: ${key}`,
          "datastoreEndpoint: \"root:Sup3r-Secret-Pw@tcp(mysql:3306)/kuscia?charset=utf8mb4\"",
          "",
        ].join("\n"),
      },
    };
    const before = logs.lines().length;
    const ar = admissionReview(cm);
    await post("/validate", ar);
    await post("/mutate", ar);
    const mine = logs.lines().slice(before).filter((l) => l.uid === (ar.request as { uid: string }).uid);
    assert.equal(mine.length, 2);
    for (const l of mine) {
      assert.equal(l.kind, "v1/ConfigMap");
      assert.equal(l.namespace, "kuscia");
      assert.equal(l.name, "kuscia-config");
      assert.equal(l.operation, "CREATE");
      assert.ok(["allowed", "denied"].includes(String(l.verdict)));
      assert.equal(typeof l.durationMs, "number");
    }
    const text = logs.text();
    assert.ok(!text.includes("Sup3r-Secret-Pw"), "DSN password in the log");
    assert.ok(!text.includes(key) && !text.includes("MARKER-PRIVATE-KEY-BYTES"), "private key in the log");
  });

  it("counts requests by kind, operation and verdict, with a latency histogram, in /metrics", async () => {
    await post("/validate", admissionReview(domain("Bad_Name", {})));
    const m = await call(wh.url, "/metrics", { ca: pki.ca.certPem });
    assert.equal(m.status, 200);
    assert.match(String(m.headers["content-type"]), /^text\/plain/);
    const denied = /kuscia_iac_webhook_requests_total\{endpoint="validate",kind="kuscia\.secretflow\/v1alpha1\/Domain",operation="CREATE",verdict="denied"\} (\d+)/.exec(m.text);
    assert.ok(denied && Number(denied[1]) >= 1, m.text);
    assert.match(m.text, /kuscia_iac_webhook_requests_total\{endpoint="validate",kind="unknown",operation="CREATE",verdict="error"\} 1/);
    assert.match(m.text, /kuscia_iac_webhook_request_duration_seconds_bucket\{le="0\.005",endpoint="validate",verdict="allowed"\} \d+/);
    assert.match(m.text, /kuscia_iac_webhook_certificate_expiry_timestamp_seconds \d+/);
  });
});

describe("webhook response formatting", () => {
  const result = (n: number, w = 0): ReviewResult => ({
    allowed: n === 0,
    known: true,
    violations: Array.from({ length: n }, (_, i) => ({ path: `spec.f${i}`, rule: `r.${i}`, message: `spec.f${i}: bad` })),
    warnings: Array.from({ length: w }, (_, i) => ({ path: "spec", rule: `w.${i}`, message: `spec: ${"x".repeat(i === 0 ? 400 : 5)}` })),
    audits: [],
    patch: [],
  });

  it("lists at most 20 findings and says how many more there are", () => {
    const msg = denialMessage(result(25));
    assert.equal(msg.split(/(?<=\]); /).length, 21);
    assert.match(msg, /spec\.f0: bad \[r\.0\]; /);
    assert.match(msg, /; and 5 more$/);
  });

  it("counts the findings the rule book left out of its lists (the largest objects) in \"and N more\"", () => {
    const r = { ...result(25, 20), omitted: { violations: 7000, warnings: 30, audits: 0 } };
    assert.match(denialMessage(r), /; and 7005 more$/);
    assert.equal(warningStrings(r)[16], "and 34 more warnings");
  });

  it("keeps each warning within what kubectl shows and tags it with its rule", () => {
    const ws = warningStrings(result(0, 20));
    assert.equal(ws.length, 17);
    assert.ok(ws.every((w) => w.length <= 256));
    assert.match(ws[1], /^spec: x{5} \[w\.1\]$/);
    assert.equal(ws[16], "and 4 more warnings");
  });
});
