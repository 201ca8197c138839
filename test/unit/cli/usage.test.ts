/**
 * Usage errors of the real executable: one line on standard error naming the problem and where
 * the help is (`see \`kuscia-iac <cmd> --help\``), not the whole help; exit status 2. And counted
 * nouns agree with their count ("1 file", not "1 files").
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const MAIN = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");

function run(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("kuscia-iac usage errors and messages", function () {
  const cases: [string[], RegExp][] = [
    [["review"], /^kuscia-iac review: missing required argument 'path'; see `kuscia-iac review --help`\n$/],
    [["review", "--fromat", "json", "x.yaml"], /^kuscia-iac review: unknown option '--fromat' \(Did you mean --format\?\); see `kuscia-iac review --help`\n$/],
    [["review", "--format", "xml", "x.yaml"], /^kuscia-iac review: option '-f, --format <format>' argument 'xml' is invalid\. Allowed choices are text, json, junit, sarif, github\.; see `kuscia-iac review --help`\n$/],
    [["review", "--jobs", "0", "x.yaml"], /^kuscia-iac review: option '--jobs <n>' argument '0' is invalid\. expected auto or a whole number from 1 to 64; see `kuscia-iac review --help`\n$/],
    [["reveiw", "x.yaml"], /^kuscia-iac: unknown command 'reveiw' \(Did you mean review\?\); see `kuscia-iac --help`\n$/],
    [["render"], /^kuscia-iac render: missing required argument 'path'; see `kuscia-iac render --help`\n$/],
    [["test", "--frontend", "nope", "x"], /^kuscia-iac test: option .* argument 'nope' is invalid\..*; see `kuscia-iac test --help`\n$/],
    [["vap", "-o", "text"], /^kuscia-iac vap: -o text goes with --list; the policies are yaml or json; see `kuscia-iac vap --help`\n$/],
  ];
  for (const [args, expected] of cases) {
    it(`kuscia-iac ${args.join(" ")}: one line, exit 2`, () => {
      const r = run(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.equal(r.stdout, "");
    });
  }

  it("says 1 file, 1 object, 1 warning: counted nouns agree with their count", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-usage-"));
    const f = path.join(dir, "domain.yaml");
    // Two interConnProtocols: one warning (domain.interconn-protocols.single).
    writeFileSync(f, "apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata: {name: alice}\nspec: {interConnProtocols: [kuscia, bfia]}\n");
    const r = run(["review", f]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^1 file, 1 object: 0 refused, 1 warning, 0 skipped/m);
    const g = run(["review", "--format", "github", f]);
    assert.match(g.stdout, /^kuscia-iac: 1 file, 1 object: 0 refused, 1 warning, 0 audited, 0 objects of kinds not reviewed, 0 files or folders skipped$/m);
  });
});
