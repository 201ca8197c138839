/**
 * The pack's policies inside @pulumi/policy's own analyzer server functions (server.js
 * makeAnalyzeRpcFun, makeAnalyzeStackRpcFun), fed AnalyzeRequests built as the engine sends
 * them: each resource is reviewed once by the rule book whatever the number of policies, and
 * with policypack/sdk.ts installed its properties are converted from protobuf once per request
 * instead of once per policy, with the same diagnostics.
 */
import { strict as assert } from "node:assert";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { loadExamples } from "../../helpers/examples";
import { buildPolicies, type Reviewer } from "../../../policypack/policies";
import { shareDeserializedProperties } from "../../../policypack/sdk";
import { review } from "../../../policy";
import { typedToken } from "./engineArgs";

// The SDK's internals this test drives, as the analyzer's gRPC server calls them.
const server = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown[]): (call: { request: unknown }, cb: (err: unknown, resp: any) => void) => void;
  makeAnalyzeStackRpcFun(name: string, version: string, level: string, policies: unknown[]): (call: { request: unknown }, cb: (err: unknown, resp: any) => void) => void;
};
const pb = require("@pulumi/pulumi/proto/analyzer_pb");

type Obj = Record<string, unknown>;

/** Kuscia objects of every accepted example kind, some with findings (an undeclared AppImage), uniquely named. */
function objects(n: number): Obj[] {
  const kuscia = loadExamples("accepted")
    .map((d) => d.object as Obj)
    .filter((o) => String(o.apiVersion).startsWith("kuscia.secretflow/"));
  return Array.from({ length: n }, (_, i) => {
    const o = structuredClone(kuscia[i % kuscia.length]);
    o.metadata = { ...(o.metadata as Obj), name: `analyzer-${i}` };
    return o;
  });
}

function analyzeRequest(o: Obj): unknown {
  const req = new pb.AnalyzeRequest();
  req.setType(typedToken(o));
  req.setProperties(Struct.fromJavaScript(o as never));
  req.setUrn(`urn:pulumi:dev::kuscia::${typedToken(o)}::${String((o.metadata as Obj).name)}`);
  req.setName(String((o.metadata as Obj).name));
  req.setOptions(new pb.AnalyzerResourceOptions());
  return req;
}

function stackRequest(os: Obj[]): unknown {
  const req = new pb.AnalyzeStackRequest();
  req.setResourcesList(
    os.map((o) => {
      const r = new pb.AnalyzerResource();
      r.setType(typedToken(o));
      r.setProperties(Struct.fromJavaScript(o as never));
      r.setUrn(`urn:pulumi:dev::kuscia::${typedToken(o)}::${String((o.metadata as Obj).name)}`);
      r.setName(String((o.metadata as Obj).name));
      r.setOptions(new pb.AnalyzerResourceOptions());
      return r;
    }),
  );
  return req;
}

const call = (fn: ReturnType<typeof server.makeAnalyzeRpcFun>, request: unknown) =>
  new Promise<string[]>((resolve, reject) =>
    fn({ request }, (err, resp) => (err ? reject(err) : resolve((resp.getDiagnosticsList() as any[]).map((d) => `${d.getPolicyname()} ${d.getEnforcementlevel()} ${d.getUrn()} ${d.getMessage()}`).sort()))),
  );

/** Counts Struct conversions (toJavaScript, nested Structs included) while `fn` runs. */
function countingConversions<T>(fn: () => T): { result: T; conversions: number } {
  const proto = Struct.prototype as unknown as { toJavaScript(): unknown };
  const toJavaScript = proto.toJavaScript;
  let conversions = 0;
  proto.toJavaScript = function (this: unknown) {
    conversions++;
    return toJavaScript.call(this);
  };
  try {
    return { result: fn(), conversions };
  } finally {
    proto.toJavaScript = toJavaScript;
  }
}

/** The conversions of converting each object's Struct once (a Struct inside counts too). */
const once = (os: Obj[]) => os.reduce((n, o) => n + countingConversions(() => Struct.fromJavaScript(o as never).toJavaScript()).conversions, 0);

/** Runs the pack's policies over `os` through the analyzer server; counts the rule book's reviews and the protobuf conversions. */
async function analyze(os: Obj[]): Promise<{ diagnostics: string[]; reviews: number; conversions: number; stackConversions: number; policies: number }> {
  let reviews = 0;
  const counting: Reviewer = (obj, opts) => {
    reviews++;
    return review(obj, opts);
  };
  const policies = buildPolicies(undefined, { review: counting });
  const proto = Struct.prototype as unknown as { toJavaScript(): unknown };
  const toJavaScript = proto.toJavaScript;
  let conversions = 0;
  proto.toJavaScript = function (this: unknown) {
    conversions++;
    return toJavaScript.call(this);
  };
  try {
    const diagnostics: string[] = [];
    const resourceFn = server.makeAnalyzeRpcFun("kuscia-iac", "0.1.0", "mandatory", policies);
    for (const o of os) diagnostics.push(...(await call(resourceFn, analyzeRequest(o))));
    const resourceConversions = conversions;
    diagnostics.push(...(await call(server.makeAnalyzeStackRpcFun("kuscia-iac", "0.1.0", "mandatory", policies), stackRequest(os))));
    return { diagnostics, reviews, conversions: resourceConversions, stackConversions: conversions - resourceConversions, policies: policies.length };
  } finally {
    proto.toJavaScript = toJavaScript;
  }
}

describe("policypack inside @pulumi/policy's analyzer server", () => {
  const os = objects(24);
  // A KusciaDeployment naming an AppImage the stack does not declare: a stack policy's finding.
  const kd = os.find((o) => o.kind === "KusciaDeployment")!;
  for (const p of (kd.spec as { parties: Obj[] }).parties) p.appImageRef = "analyzer-undeclared-image";
  let plain: Awaited<ReturnType<typeof analyze>>;

  it("without sharing: the SDK converts the properties once per policy, the rule book reviews each resource once", async () => {
    assert.equal((require("@pulumi/policy/deserialize") as Record<symbol, unknown>)[Symbol.for("kuscia-iac.policypack.sharedDeserialize")], undefined, "this test runs before sdk.ts is installed");
    plain = await analyze(os);
    assert.equal(plain.reviews, os.length);
    // Every enabled resource policy converts anew: many times the resources.
    assert.ok(plain.conversions > once(os) * 100, `${plain.conversions} conversions, ${once(os)} for one each`);
    assert.ok(plain.diagnostics.some((d) => d.startsWith("ref.kd.appimage ")), plain.diagnostics.join("\n"));
  });

  it("with sdk.ts: one conversion per request (and per resource for the whole stack analysis), the same diagnostics", async () => {
    assert.equal(shareDeserializedProperties(), true);
    assert.equal(shareDeserializedProperties(), true, "idempotent");
    const shared = await analyze(os);
    assert.equal(shared.reviews, os.length);
    assert.equal(shared.conversions, once(os));
    assert.equal(shared.stackConversions, once(os));
    assert.deepEqual(shared.diagnostics, plain.diagnostics);
  });
});
