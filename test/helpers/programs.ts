/**
 * The example Pulumi programs (examples/pulumi/<name>/program.ts) live outside the
 * root build: each has its own package.json importing `kuscia-iac`. Tests (under
 * mocks, and end to end through the real engine) transpile a program and answer
 * its `require("kuscia-iac")` with this repository's components.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import * as components from "../../components";

export const PULUMI_EXAMPLES = path.resolve(__dirname, "..", "..", "..", "examples", "pulumi");

export function loadProgram<T>(example: string): T {
  const file = path.join(PULUMI_EXAMPLES, example, "program.ts");
  const js = ts.transpileModule(readFileSync(file, "utf8"), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const module = { exports: {} as T };
  const requireFor = (id: string) => (id === "kuscia-iac" ? components : require(id));
  new Function("exports", "require", "module", "__filename", "__dirname", js)(module.exports, requireFor, module, file, path.dirname(file));
  return module.exports;
}
