/**
 * The Python and Go SDKs of provider/schema.json, generated with Pulumi's own code generators
 * (pulumi-sdkgen: pulumi/pkg/v3's codegen/python and codegen/go, what `pulumi package gen-sdk`
 * runs through language plugins the Go module proxy does not serve), must compile: every
 * Python file byte-compiles, and the Go SDK builds against the pulumi and Kubernetes Go SDKs
 * pinned by test/e2e/tools/go-sdk/go.sum (fetched from the module proxy on first use).
 */
import { strict as assert } from "node:assert";
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { run } from "./harness/procs";
import { builtTool, REPO, toolsDir } from "./harness/tools";

/** Every file under `dir` whose name ends with `ext`, relative to `dir`, sorted. */
function filesUnder(dir: string, ext: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((d) => d.isFile() && d.name.endsWith(ext))
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

describe("the generated Python and Go SDKs of the provider's schema", function () {
  this.timeout(900_000); // a cold `go build` of the pulumi Go SDK takes minutes on 2 cores
  let workDir: string;
  let env: NodeJS.ProcessEnv;
  let sdkgen: string;

  before(function () {
    this.timeout(0);
    // pulumi-resource-kubernetes on PATH: the schema refers to the Kubernetes provider type.
    const pulumiBin = toolsDir("pulumi");
    sdkgen = path.join(builtTool("sdkgen", "pulumi-sdkgen"), "pulumi-sdkgen");
    workDir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-sdks-"));
    env = { ...process.env, PATH: [pulumiBin, process.env.PATH ?? ""].join(path.delimiter), PULUMI_HOME: path.join(workDir, "home"), PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" };
  });

  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const generate = async (language: "python" | "go") => {
    const r = await run(sdkgen, ["--language", language, "--out", path.join(workDir, "sdk"), path.join(REPO, "provider", "schema.json")], { env, cwd: workDir });
    assert.equal(r.code, 0, r.stderr);
    return path.join(workDir, "sdk", language);
  };

  it("Python: every module of pulumi_kuscia_iac byte-compiles; providers are pulumi_kubernetes.Provider", async () => {
    const dir = await generate("python");
    const files = filesUnder(dir, ".py");
    for (const f of ["pulumi_kuscia_iac/__init__.py", "pulumi_kuscia_iac/domain.py", "pulumi_kuscia_iac/node_peering.py", "pulumi_kuscia_iac/kuscia_autonomy_node.py", "pulumi_kuscia_iac/_inputs.py"]) {
      assert.ok(files.includes(f), `${f} in ${files.join(", ")}`);
    }
    const r = await run("python3", ["-m", "py_compile", ...files], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    // The resource reference of NodePeering's peers, typed by the Kubernetes SDK.
    assert.match(readFileSync(path.join(dir, "pulumi_kuscia_iac", "_inputs.py"), "utf8"), /class PeerNodeArgs:[^]*?provider: 'pulumi_kubernetes\.Provider'\):/);
    // Secret outputs are declared as such (the SDK wraps them in secrets on its side too).
    assert.match(readFileSync(path.join(dir, "pulumi_kuscia_iac", "kuscia_autonomy_node.py"), "utf8"), /additional_secret_outputs=\["domainKeyPem", "kusciaYaml"\]/);
  });

  it("Go: the SDK builds (go build ./...) against the pinned pulumi and Kubernetes Go SDKs", async () => {
    const dir = await generate("go");
    const mod = path.join(workDir, "gomod");
    cpSync(dir, mod, { recursive: true });
    for (const f of ["go.mod", "go.sum"]) copyFileSync(path.join(REPO, "test", "e2e", "tools", "go-sdk", f), path.join(mod, f));
    assert.ok(filesUnder(mod, ".go").includes(path.join("kusciaiac", "nodePeering.go")));
    assert.match(readFileSync(path.join(mod, "kusciaiac", "pulumiTypes.go"), "utf8"), /Provider \*kubernetes\.Provider/);
    // The environment of build-tools.sh go-sdk, which compiles the same packages into the Go
    // build cache ahead in .ci/run (GOGC: see build-tools.sh; no part of the cache keys).
    const goEnv = { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly", GONOSUMDB: "github.com/pulumi", GOWORK: "off", CGO_ENABLED: "0", GOGC: process.env.GOGC ?? "off", GOMEMLIMIT: process.env.GOMEMLIMIT ?? "3GiB" };
    const r = await run("go", ["build", "./..."], { env: goEnv, cwd: mod, timeoutMs: 840_000 });
    assert.equal(r.code, 0, `go build ./... of the generated SDK:\n${r.stderr}`);
  });
});
