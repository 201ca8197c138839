/**
 * Makes a folder a self-contained policy pack directory for the compiled entry:
 * PulumiPolicy.yaml (copied from policypack/) and a package.json whose `main`
 * points at dist/policypack/index.js. Needed because tsc copies neither file.
 *
 *   node dist/policypack/stage.js            # makes dist/policypack itself a pack
 *   node dist/policypack/stage.js <folder>   # any other folder, e.g. for `pulumi policy publish`
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const SOURCE_DIR = path.resolve(__dirname, "..", "..", "policypack");
const ROOT_PACKAGE = path.resolve(__dirname, "..", "..", "package.json");

export function stagePack(outDir: string = __dirname): void {
  mkdirSync(outDir, { recursive: true });
  copyFileSync(path.join(SOURCE_DIR, "PulumiPolicy.yaml"), path.join(outDir, "PulumiPolicy.yaml"));
  const source = JSON.parse(readFileSync(path.join(SOURCE_DIR, "package.json"), "utf8")) as Record<string, unknown>;
  // @pulumi/policy reads the pack version from the package.json in the pack's folder.
  const { version } = JSON.parse(readFileSync(ROOT_PACKAGE, "utf8")) as { version: string };
  const main = path.relative(outDir, path.join(__dirname, "index.js")).split(path.sep).join("/");
  writeFileSync(path.join(outDir, "package.json"), JSON.stringify({ ...source, version, main }, null, 2) + "\n");
}

if (require.main === module) stagePack(process.argv[2] ? path.resolve(process.argv[2]) : __dirname);
