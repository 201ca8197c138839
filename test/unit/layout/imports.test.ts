/**
 * The layers of the code (docs/layout.md), checked on the import graph of the sources: an
 * import goes to the same folder or to a lower layer, never up and never sideways to
 * another folder of the same layer, and no chain of imports comes back to where it
 * started. Read from the TypeScript sources (static imports and re-exports, `require()`
 * of a literal path, `import("...")` types), so a type-only import counts as an arrow too.
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

/**
 * Top-level folders, lowest layer first; folders of one layer do not import each other.
 * Keep in step with docs/layout.md.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["policy"], // the rule book: pure, no I/O
  ["platform"], // what the machine gives this process: usable CPUs, the CPU priority of helper threads
  ["pki", "policyfile"], // helpers the front ends share: keys and certificates, the policy configuration file
  ["review"], // reviewing manifests from files: load, run, output formats
  ["audit"], // reviewing a live cluster (builds on review's run and formats)
  ["webhook"], // the admission webhook, its manifests and webhook configurations
  ["components", "vap", "policypack"], // Pulumi components (deploy the webhook too), ValidatingAdmissionPolicies, the CrossGuard pack
  ["provider", "policytest"], // the components for other Pulumi languages; kuscia-iac test (replays cases through the webhook, vap and the pack)
  ["cli"], // the kuscia-iac command: one subcommand per front end
  ["tools"], // generators of checked-in files (the tests check that they are current)
  ["test"], // tests and their helpers
  ["bench"], // benchmarks (reuse the tests' examples)
];

export interface ImportEdge {
  from: string;
  to: string;
}

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(ROOT, dir))) {
      const rel = path.posix.join(dir, name);
      if (statSync(path.join(ROOT, rel)).isDirectory()) {
        if (name !== "node_modules" && !(dir === "test/e2e" && name === "tools")) walk(rel);
      } else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(rel);
    }
  };
  for (const dir of LAYERS.flat()) if (existsSync(path.join(ROOT, dir))) walk(dir);
  return out;
}

/** The repository file a relative specifier names, or undefined for packages and non-TypeScript files. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [`${base}.ts`, `${base}/index.ts`]) if (existsSync(path.join(ROOT, candidate))) return candidate;
  return undefined;
}

/** Every import arrow between the repository's TypeScript files. */
export function importGraph(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles()) {
    const sf = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.ES2022, false);
    const add = (spec: string) => {
      const to = resolve(file, spec);
      if (to) edges.push({ from: file, to });
    };
    const visit = (node: ts.Node) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text);
      else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) add(node.moduleReference.expression.text);
      else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))) add(node.arguments[0].text);
      else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) add(node.argument.literal.text);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return edges;
}

const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
const folderOf = (file: string) => file.split("/")[0];

/** Arrows that go up a layer or sideways to another folder of the same layer, as `from -> to`. */
export function layerViolations(edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((e) => folderOf(e.from) !== folderOf(e.to) && layerOf.get(folderOf(e.to))! >= layerOf.get(folderOf(e.from))!)
    .map((e) => `${e.from} -> ${e.to}`);
}

/** The import cycles (strongly connected components of more than one file, or a file importing itself), each as its sorted files. */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  // Tarjan's algorithm, iterative over an explicit stack so deep chains cannot overflow.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))];
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { v: string; i: number }[] = [{ v: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const succ = next.get(top.v) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) low.set(work[work.length - 1].v, Math.min(low.get(work[work.length - 1].v)!, low.get(top.v)!));
      if (low.get(top.v) === index.get(top.v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.v);
        if (component.length > 1 || succ.includes(top.v)) out.push(component.sort());
      }
    }
  }
  return out;
}

describe("layout: the layers of the code (docs/layout.md)", () => {
  const edges = importGraph();

  it("reads the whole source tree", () => {
    const folders = new Set(edges.map((e) => folderOf(e.from)));
    for (const f of ["policy", "webhook", "review", "components", "cli", "test"]) assert.ok(folders.has(f), f);
    assert.ok(edges.length > 500, `${edges.length} arrows`);
  });

  it("has a layer for every top-level folder of TypeScript sources", () => {
    const listed = new Set(LAYERS.flat());
    const unlisted = readdirSync(ROOT).filter((d) => !d.startsWith(".") && d !== "node_modules" && d !== "dist" && d !== "examples" && !listed.has(d) && statSync(path.join(ROOT, d)).isDirectory() && readdirSync(path.join(ROOT, d)).some((f) => f.endsWith(".ts")));
    assert.deepEqual(unlisted, [], "add the folder to LAYERS and docs/layout.md");
  });

  it("imports only from the same folder or a lower layer", () => {
    assert.deepEqual(layerViolations(edges), []);
  });

  it("has no import cycle", () => {
    assert.deepEqual(importCycles(edges), []);
  });

  it("would catch an arrow up to cli/, a sideways arrow, and a cycle", () => {
    assert.deepEqual(layerViolations([{ from: "webhook/server.ts", to: "cli/cpus.ts" }]), ["webhook/server.ts -> cli/cpus.ts"]);
    assert.deepEqual(layerViolations([{ from: "vap/generate.ts", to: "components/index.ts" }]), ["vap/generate.ts -> components/index.ts"]);
    assert.deepEqual(layerViolations([{ from: "webhook/server.ts", to: "policy/index.ts" }]), []);
    assert.deepEqual(importCycles([{ from: "a.ts", to: "b.ts" }, { from: "b.ts", to: "c.ts" }, { from: "c.ts", to: "a.ts" }, { from: "c.ts", to: "d.ts" }]), [["a.ts", "b.ts", "c.ts"]]);
  });
});
