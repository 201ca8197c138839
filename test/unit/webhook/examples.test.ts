import { strict as assert } from "node:assert";
import { Agent } from "node:https";
import { applyPatch, deepClone, type Operation } from "fast-json-patch";
import { describeDoc, loadExamples } from "../../helpers/examples";
import { startWebhook, type RunningWebhook } from "../../../webhook/server";
import { admissionReview, call, captureLogger, decodePatch, testPki, type Pki } from "./helpers";
import { UNHURRIED } from "../../helpers/webhook";

const accepted = loadExamples("accepted");
const refused = loadExamples("refused");

describe("webhook on the example manifests (real HTTPS)", () => {
  let pki: Pki;
  let wh: RunningWebhook;
  let agent: Agent;

  before(async () => {
    pki = await testPki();
    wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, logger: captureLogger().logger, defaultMetrics: false });
    agent = new Agent({ keepAlive: true, ca: pki.ca.certPem });
  });
  after(async () => {
    agent.destroy();
    await wh.close();
  });

  const post = (path: string, body: unknown) => call(wh.url, path, { ca: pki.ca.certPem, agent, body: JSON.stringify(body) });

  it("has examples to send", () => {
    assert.ok(accepted.length >= 10 && refused.length >= 30, `${accepted.length} accepted, ${refused.length} refused`);
  });

  for (const d of accepted) {
    it(`admits ${describeDoc(d)} after applying its /mutate patch, as the API server would`, async () => {
      const m = await post("/mutate", admissionReview(d.object));
      assert.equal(m.status, 200);
      assert.equal(m.json.response.allowed, true);
      const patch = decodePatch(m.json.response);
      let object = d.object;
      if (patch) {
        assert.equal(m.json.response.patchType, "JSONPatch");
        assert.ok(patch.length > 0, "a patch is sent only when something changes");
        object = applyPatch(deepClone(d.object), patch as Operation[], true, false).newDocument;
      } else {
        assert.equal(m.json.response.patchType, undefined);
      }
      const v = await post("/validate", admissionReview(object));
      assert.equal(v.status, 200);
      assert.equal(v.json.response.allowed, true, v.json.response.status?.message);
      assert.equal(v.json.response.status, undefined);
      const warns = /(?:^|\n)\s*warns:\s*(\S+)/.exec(d.comment ?? "")?.[1];
      if (warns) {
        const ws: string[] = v.json.response.warnings ?? [];
        assert.ok(ws.some((w) => w.endsWith(`[${warns}]`)), `expected a warning tagged [${warns}], got ${JSON.stringify(ws)}`);
      }
    });
  }

  for (const d of refused) {
    it(`refuses ${describeDoc(d)} with 403 naming ${d.expectRule}`, async () => {
      assert.ok(d.expectRule, "every refused example names its rule");
      const ar = admissionReview(d.object);
      const v = await post("/validate", ar);
      assert.equal(v.status, 200);
      const r = v.json.response;
      assert.equal(r.uid, (ar.request as { uid: string }).uid);
      assert.equal(r.allowed, false);
      assert.equal(r.status.code, 403);
      assert.ok(r.status.message.includes(`[${d.expectRule}]`), r.status.message);
      // /mutate refuses with the same message: it runs before the API server's own schema
      // validation, so users see the rule book's message even for schema errors.
      const m = await post("/mutate", ar);
      if (d.repaired) {
        // ...unless the defaults repair it (`# repaired:`): then /mutate patches it, and the repaired object passes /validate.
        assert.equal(m.json.response.allowed, true, JSON.stringify(m.json.response.status));
        const patch = JSON.parse(Buffer.from(m.json.response.patch, "base64").toString()) as Operation[];
        const again = await post("/validate", admissionReview(applyPatch(deepClone(d.object), patch).newDocument));
        assert.equal(again.json.response.allowed, true, JSON.stringify(again.json.response.status));
        return;
      }
      assert.equal(m.json.response.allowed, false);
      assert.equal(m.json.response.status.message, r.status.message);
      assert.equal(m.json.response.patch, undefined);
    });
  }

  it("fills interConnProtocols: [kuscia] on a Domain without it, keeping fields the rule book does not know", async () => {
    const domain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "carol", annotations: { "x/y": "z" } }, spec: { futureField: { a: 1 } } };
    const m = await post("/mutate", admissionReview(domain));
    const patch = decodePatch(m.json.response) as Operation[];
    assert.deepEqual(patch, [{ op: "add", path: "/spec/interConnProtocols", value: ["kuscia"] }]);
    const out = applyPatch(deepClone(domain), patch, true, false).newDocument;
    assert.deepEqual(out, { ...domain, spec: { futureField: { a: 1 }, interConnProtocols: ["kuscia"] } });
  });

  it("sends no patch when the defaults are already there", async () => {
    const domain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "carol" }, spec: { interConnProtocols: ["bfia"] } };
    const m = await post("/mutate", admissionReview(domain));
    assert.equal(m.json.response.allowed, true);
    assert.equal(m.json.response.patch, undefined);
    assert.equal(m.json.response.patchType, undefined);
  });

  it("joins several findings readably, each with its rule id", async () => {
    const domain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "Bad_Name" }, spec: { role: "Partner" } };
    const v = await post("/validate", admissionReview(domain));
    const msg: string = v.json.response.status.message;
    // Messages may hold "; " themselves; each finding ends with its [rule], so split after that.
    const parts = msg.split(/(?<=\]); /);
    assert.ok(parts.length >= 2, msg);
    for (const p of parts) assert.match(p, /^[\w.[\]"]+: .+ \[[a-z0-9.-]+\]$/s, p);
    assert.ok(parts.some((p) => p.startsWith("metadata.name: ") && p.endsWith("[domain.name]")), msg);
    assert.ok(parts.some((p) => p.startsWith("spec.role: ") && p.endsWith("[domain.role]")), msg);
  });
});
