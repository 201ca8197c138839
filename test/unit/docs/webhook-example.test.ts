/**
 * The curl example of docs/webhook.md is true: each AdmissionReview shown there, posted byte for
 * byte to a real webhook over HTTPS on 127.0.0.1, gets exactly the response shown after it.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { startWebhook, type RunningWebhook } from "../../../webhook/server";
import { call, captureLogger, testPki, type Pki } from "../webhook/helpers";

const PAGE = path.resolve(__dirname, "..", "..", "..", "..", "docs", "webhook.md");

interface Example {
  path: string;
  request: string;
  response: unknown;
}

/** The blocks after each `<!-- webhook-example: request <path> -->` and the `<!-- webhook-example: response -->` that follows it. */
export function webhookExamples(markdown: string): Example[] {
  const blocks = [...markdown.matchAll(/<!-- webhook-example: (request (\S+)|response) -->\n```json\n([\s\S]*?)\n```\n/g)];
  const out: Example[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const [, what, urlPath, body] = blocks[i];
    if (!what.startsWith("request")) continue;
    const next = blocks[i + 1];
    assert.ok(next && next[1] === "response", `the request for ${urlPath} in docs/webhook.md is followed by its response`);
    out.push({ path: urlPath, request: body, response: JSON.parse(next[3]) });
  }
  return out;
}

describe("docs/webhook.md: the curl example", () => {
  let pki: Pki;
  let wh: RunningWebhook;
  before(async () => {
    pki = await testPki();
    wh = await startWebhook({ host: "127.0.0.1", port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, logger: captureLogger().logger, defaultMetrics: false });
  });
  after(() => wh.close());

  const examples = webhookExamples(readFileSync(PAGE, "utf8"));

  it("shows a refused review and one answered with a patch, and that patch decoded", () => {
    assert.deepEqual(examples.map((e) => e.path), ["/validate", "/mutate"]);
    assert.equal((examples[0].response as { response: { allowed: boolean } }).response.allowed, false);
    const answer = (examples[1].response as { response: { patchType?: string; patch: string } }).response;
    assert.equal(answer.patchType, "JSONPatch");
    const decoded = /<!-- webhook-example: patch -->\n```json\n([\s\S]*?)\n```\n/.exec(readFileSync(PAGE, "utf8"));
    assert.ok(decoded, "the decoded patch is shown");
    assert.deepEqual(JSON.parse(Buffer.from(answer.patch, "base64").toString("utf8")), JSON.parse(decoded[1]));
  });

  for (const [i, e] of examples.entries()) {
    it(`example ${i + 1}: POST ${e.path} answers what the page shows`, async () => {
      const request = JSON.parse(e.request) as { apiVersion: string; kind: string; request: { object: { kind: string } } };
      assert.equal(`${request.apiVersion} ${request.kind} ${request.request.object.kind}`, "admission.k8s.io/v1 AdmissionReview KusciaDeployment");
      const r = await call(wh.url, e.path, { ca: pki.ca.certPem, body: e.request, headers: { "content-type": "application/json" } });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, e.response);
    });
  }
});
