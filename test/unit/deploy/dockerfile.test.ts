/**
 * deploy/Dockerfile installs the packed npm tarball, not the source tree: the image then
 * holds exactly what is published and what test/e2e/package.test.ts installs and runs.
 * No docker engine is available here, so this reads the Dockerfile's instructions.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");
const pkg = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { name: string; version: string; bin: Record<string, string> };

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  const lines = text.split("\n").filter((l) => !/^\s*#/.test(l));
  const joined = lines.join("\n").replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\w+)\s+(.*)$/.exec(l);
      assert.ok(m, `not an instruction: ${l}`);
      return { op: m[1].toUpperCase(), args: m[2] };
    });
}

describe("deploy/Dockerfile", () => {
  const ins = instructions(readFileSync(path.join(REPO, "deploy", "Dockerfile"), "utf8"));
  const of = (op: string) => ins.filter((i) => i.op === op);

  it("is one stage that compiles nothing", () => {
    assert.equal(of("FROM").length, 1, "a build stage would compile the source tree");
    for (const r of of("RUN")) assert.doesNotMatch(r.args, /\btsc\b|npm ci|npm run|prune/, `RUN ${r.args}`);
  });

  it("copies only the tarball `npm pack` writes for this package.json version", () => {
    const arg = of("ARG").map((a) => /^TARBALL=(\S+)$/.exec(a.args)).find(Boolean);
    assert.ok(arg, "ARG TARBALL=<file> names the tarball");
    assert.equal(arg[1], `${pkg.name}-${pkg.version}.tgz`);
    const copies = of("COPY");
    assert.equal(copies.length, 1, `one COPY, of the tarball: ${copies.map((c) => c.args).join(" | ")}`);
    const [src, dest, ...rest] = copies[0].args.split(/\s+/);
    assert.deepEqual(rest, []);
    assert.equal(src, "${TARBALL}");
    assert.match(dest, /\.tgz$/);
    const install = of("RUN").find((r) => /\bnpm install\b/.test(r.args));
    assert.ok(install, "a RUN npm install");
    assert.ok(install.args.split(/\s+/).includes(dest), `npm install ${dest}: ${install.args}`);
  });

  it("runs the installed package's kuscia-iac bin as the entrypoint", () => {
    const workdir = of("WORKDIR").at(-1)?.args;
    assert.equal(workdir, "/app");
    const entry = JSON.parse(of("ENTRYPOINT")[0].args) as string[];
    assert.deepEqual(entry, ["node", path.posix.join(workdir, "node_modules", pkg.name, pkg.bin["kuscia-iac"])]);
    assert.deepEqual(JSON.parse(of("CMD")[0].args), ["webhook", "--host", "0.0.0.0"]);
  });
});
