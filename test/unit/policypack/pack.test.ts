import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzerResourceOptions, EnforcementLevel, type AnalyzeDiagnostic } from "@pulumi/pulumi/proto/analyzer_pb";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { loadExamples } from "../../helpers/examples";
import { stagePack } from "../../../policypack/stage";
import { typedToken } from "./engineArgs";
import { startPlugin, type PluginProcess } from "./pluginProcess";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");
const PACK_DIR = path.join(REPO, "policypack");

/** The analyzer server puts the policy description on the first line; our finding follows. */
function finding(d: AnalyzeDiagnostic): string {
  return d.getMessage().split("\n").slice(1).join("\n");
}

function call<T>(fn: (cb: (e: grpc.ServiceError | null, r: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))));
}

describe("policypack as the Pulumi CLI runs it", function () {
  let pack: PluginProcess;
  let client: AnalyzerClient;

  before(async function () {
    // What the CLI's pulumi-analyzer-policy shim does: resolve run-policy-pack from the
    // pack folder and run it there with the engine address and ".".
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] });
    pack = await startPlugin(process.execPath, [runner, "127.0.0.1:1", "."], PACK_DIR);
    client = new AnalyzerClient(pack.address, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await pack?.stop();
  });

  function analyze(type: string, props: Record<string, unknown>): Promise<AnalyzeDiagnostic[]> {
    const req = new AnalyzeRequest()
      .setType(type)
      .setName("res")
      .setUrn(`urn:pulumi:dev::kuscia::${type}::res`)
      .setProperties(Struct.fromJavaScript(props as never))
      .setOptions(new AnalyzerResourceOptions());
    return call<{ getDiagnosticsList(): AnalyzeDiagnostic[] }>((cb) => client.analyze(req, cb)).then((r) => r.getDiagnosticsList());
  }

  it("describes itself as kuscia-iac with a mandatory and an advisory policy", async () => {
    const info = await call<import("@pulumi/pulumi/proto/analyzer_pb").AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
    assert.equal(info.getName(), "kuscia-iac");
    assert.equal(info.getVersion(), (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version);
    const levels = Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]));
    assert.deepEqual(levels, { "kuscia-rules": EnforcementLevel.MANDATORY, "kuscia-advice": EnforcementLevel.ADVISORY });
  });

  it("refuses a refused example of every file with its rule id, as a mandatory diagnostic", async () => {
    const byFile = new Map(loadExamples("refused").map((d) => [d.file, d]));
    for (const d of byFile.values()) {
      const obj = d.object as Record<string, unknown>;
      const diags = await analyze(typedToken(obj), obj);
      const mandatory = diags.filter((x) => x.getEnforcementlevel() === EnforcementLevel.MANDATORY);
      assert.ok(mandatory.some((x) => finding(x).startsWith(`[${d.expectRule}] `)), `${d.file}: ${diags.map(finding).join(" | ")}`);
    }
  });

  it("passes every accepted example, warnings only as advisory", async () => {
    for (const d of loadExamples("accepted")) {
      const obj = d.object as Record<string, unknown>;
      const diags = await analyze(typedToken(obj), obj);
      assert.deepEqual(diags.filter((x) => x.getEnforcementlevel() !== EnforcementLevel.ADVISORY).map(finding), [], d.file);
    }
  });

  it("checks what is known of a resource with a value unknown during preview", async () => {
    const diags = await analyze("kubernetes:apiextensions.k8s.io:CustomResource", {
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "Domain",
      metadata: { name: "Alice_1" },
      spec: { cert: unknownValue },
    });
    assert.deepEqual(diags.map((x) => [x.getPolicyname(), finding(x).split(" ")[0]]), [["kuscia-rules", "[domain.name]"]]);
  });
});

describe("policypack/stage", () => {
  it("writes a pack folder whose main is the compiled entry and whose version is the package's", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kuscia-pack-"));
    try {
      stagePack(dir);
      assert.match(readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { main: string; version: string };
      assert.equal(require.resolve(path.resolve(dir, pkg.main)), path.join(REPO, "dist", "policypack", "index.js"));
      assert.equal(pkg.version, (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps policypack/package.json at the package's version (@pulumi/policy reports it)", () => {
    const pack = JSON.parse(readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { version: string; main: string };
    const root = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string };
    assert.equal(pack.version, root.version);
    assert.equal(path.resolve(PACK_DIR, pack.main), path.join(REPO, "dist", "policypack", "index.js"));
  });
});
