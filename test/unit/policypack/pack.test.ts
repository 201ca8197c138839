import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzerResourceOptions, EnforcementLevel, PolicyType, type AnalyzeDiagnostic, type RemediateResponse } from "@pulumi/pulumi/proto/analyzer_pb";
import { rules } from "../../../policy";
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

  it("describes itself as kuscia-iac with one policy per rule, levels by severity, and the remediation", async () => {
    const info = await call<import("@pulumi/pulumi/proto/analyzer_pb").AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
    assert.equal(info.getName(), "kuscia-iac");
    assert.equal(info.getVersion(), (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version);
    const levels = Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]));
    assert.equal(Object.keys(levels).length, rules().length + 1);
    for (const r of rules()) assert.equal(levels[r.id], r.severity === "error" ? EnforcementLevel.MANDATORY : EnforcementLevel.ADVISORY, r.id);
    assert.equal(levels["kuscia-defaults"], EnforcementLevel.REMEDIATE);
    const types = Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), p.getPolicyType()]));
    assert.equal(types["peer.cert"], PolicyType.POLICY_TYPE_STACK);
    assert.equal(types["ref.kd.appimage"], PolicyType.POLICY_TYPE_STACK);
    assert.equal(types["domain.cert"], PolicyType.POLICY_TYPE_RESOURCE);
  });

  it("takes its levels from the stack's policy configuration, which the engine passes in PULUMI_CONFIG", async () => {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] });
    const stackConfig = { "kuscia-iac:policy": JSON.stringify({ rules: { "interop.members": "warn", "domain.cert.cn": "off", "domain.name": "audit" } }) };
    const other = await startPlugin(process.execPath, [runner, "127.0.0.1:1", "."], PACK_DIR, { ...process.env, PULUMI_CONFIG: JSON.stringify(stackConfig) });
    const c = new AnalyzerClient(other.address, grpc.credentials.createInsecure());
    try {
      const info = await call<import("@pulumi/pulumi/proto/analyzer_pb").AnalyzerInfo>((cb) => c.getAnalyzerInfo(new Empty(), cb));
      const levels = Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]));
      assert.equal(levels["interop.members"], EnforcementLevel.ADVISORY);
      assert.equal(levels["domain.cert.cn"], EnforcementLevel.DISABLED);
      assert.equal(levels["domain.name"], EnforcementLevel.ADVISORY);
      assert.equal(levels["interop.host"], EnforcementLevel.MANDATORY);
    } finally {
      c.close();
      await other.stop();
    }
  });

  it("remediates a Domain without interConnProtocols with the rule book's default", async () => {
    const req = new AnalyzeRequest()
      .setType("kubernetes:kuscia.secretflow/v1alpha1:Domain")
      .setName("alice")
      .setUrn("urn:pulumi:dev::kuscia::kubernetes:kuscia.secretflow/v1alpha1:Domain::alice")
      .setProperties(Struct.fromJavaScript({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "alice" }, spec: {} }))
      .setOptions(new AnalyzerResourceOptions());
    const res = await call<RemediateResponse>((cb) => client.remediate(req, cb));
    const rs = res.getRemediationsList();
    assert.deepEqual(rs.map((r) => r.getPolicyname()), ["kuscia-defaults"]);
    assert.deepEqual((rs[0].getProperties()!.toJavaScript() as any).spec, { interConnProtocols: ["kuscia"] });
  });

  it("refuses a refused example of every file with its rule id, as a mandatory diagnostic", async () => {
    const byFile = new Map(loadExamples("refused").map((d) => [d.file, d]));
    for (const d of byFile.values()) {
      const obj = d.object as Record<string, unknown>;
      const diags = await analyze(typedToken(obj), obj);
      const mandatory = diags.filter((x) => x.getEnforcementlevel() === EnforcementLevel.MANDATORY);
      assert.ok(mandatory.some((x) => x.getPolicyname() === d.expectRule && finding(x).startsWith(`[${d.expectRule}] `)), `${d.file}: ${diags.map(finding).join(" | ")}`);
    }
  });

  it("passes every accepted example, warnings only as advisory", async () => {
    for (const d of loadExamples("accepted")) {
      const obj = d.object as Record<string, unknown>;
      const diags = await analyze(typedToken(obj), obj);
      // The engine remediates before it analyzes: the defaults policy has nothing to say then (its own tests).
      assert.deepEqual(diags.filter((x) => x.getEnforcementlevel() !== EnforcementLevel.ADVISORY && x.getPolicyname() !== "kuscia-defaults").map(finding), [], d.file);
    }
  });

  it("checks what is known of a resource with a value unknown during preview", async () => {
    const diags = await analyze("kubernetes:apiextensions.k8s.io:CustomResource", {
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "Domain",
      metadata: { name: "Alice_1" },
      spec: { cert: unknownValue },
    });
    assert.deepEqual(diags.map((x) => [x.getPolicyname(), finding(x).split(" ")[0]]), [["domain.name", "[domain.name]"]]);
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
