/**
 * `kuscia-iac review` loads only what the command needs: in CI it is started once per job,
 * and every module it loads is start-up time (cli/main.ts loads one front end; the `yaml`
 * package is loaded on first use, policy/yaml-lib.ts). Runs the real executable with a
 * preload that lists, at exit, the packages it loaded.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXAMPLES_DIR } from "../../helpers/examples";

const MAIN = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");

/** The packages (node_modules/<name>) `kuscia-iac <args>` loaded, and its exit status. */
function loaded(args: string[]): { status: number | null; packages: Set<string> } {
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-lazy-"));
  const preload = path.join(dir, "list.js");
  const out = path.join(dir, "modules.json");
  writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`);
  const r = spawnSync(process.execPath, ["--require", preload, MAIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const files = JSON.parse(readFileSync(out, "utf8")) as string[];
  const packages = new Set<string>();
  for (const f of files) {
    const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(f);
    if (m) packages.add(m[1].replace(/\\/g, "/"));
  }
  return { status: r.status, packages };
}

describe("kuscia-iac review loads only what it needs", function () {
  it("reviews a clean manifest without the yaml package or any other front end's dependencies", () => {
    const r = loaded(["review", path.join(EXAMPLES_DIR, "accepted", "appimages.yaml")]);
    assert.equal(r.status, 0);
    // It did load the rule book's own dependencies: the assertion below is not vacuous.
    assert.ok(r.packages.has("commander") && r.packages.has("js-yaml"), [...r.packages].join(", "));
    for (const p of ["yaml", "express", "pino", "prom-client", "@pulumi/pulumi", "@pulumi/kubernetes", "jose"]) assert.ok(!r.packages.has(p), `loaded ${p}: ${[...r.packages].join(", ")}`);
  });

  it("loads the yaml package when a document needs the exact parser (an anchor)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-lazy-"));
    const f = path.join(dir, "anchor.yaml");
    writeFileSync(f, "apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata:\n  name: &n alice\nspec:\n  role: partner\n");
    const r = loaded(["review", f]);
    assert.ok(r.status === 0 || r.status === 1, `status ${r.status}`);
    assert.ok(r.packages.has("yaml"), [...r.packages].join(", "));
  });
});
