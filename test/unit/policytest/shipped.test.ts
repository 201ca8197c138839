/**
 * The shipped `kuscia-iac test` suites (examples/policy-tests): every example manifest is a
 * case, each refused one expects the rule its comment names, and the suites pass through the
 * rule book, the webhook over HTTPS and the policy pack with no disagreement. The e2e suite
 * replays them through the API server's CEL (test/e2e/policytest.test.ts).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { runTests } from "../../../policytest/command";
import { loadTestFile } from "../../../policytest/load";
import { exampleCases, SUITE_FILE } from "../../../tools/gen-example-suite";
import { loadExamples, describeDoc } from "../../helpers/examples";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");
const SUITES = path.join(REPO, "examples", "policy-tests");

describe("kuscia-iac test: the shipped suites", function () {
  this.timeout(300_000);

  it("cover every example manifest, one case each", async () => {
    const suite = await loadTestFile(path.join(REPO, SUITE_FILE));
    const want = exampleCases(REPO).map((c) => `${c.file}#${c.document ?? 1}`).sort();
    const have = (suite.document.toJS().cases as { file: string; document?: number }[]).map((c) => `${c.file}#${c.document ?? 1}`).sort();
    assert.deepEqual(have, want, `examples changed: run npm run gen:example-suite (it writes the cases, then kuscia-iac test --update ${SUITE_FILE} records their findings), and review the diff`);
  });

  it("expect what each example says: accepted ones admitted, refused ones refused by the rule of their comment", async () => {
    const suite = await loadTestFile(path.join(REPO, SUITE_FILE));
    const expectOf = new Map(suite.cases.map((c) => [JSON.stringify(c.object), c.expect]));
    for (const which of ["accepted", "refused"] as const) {
      for (const d of loadExamples(which)) {
        const e = expectOf.get(JSON.stringify(d.object));
        assert.ok(e, `${which}/${describeDoc(d)} has no case`);
        if (which === "accepted") assert.notEqual(e.outcome, "refused", describeDoc(d));
        else {
          assert.equal(e.outcome, "refused", describeDoc(d));
          assert.ok(e.violations?.includes(d.expectRule!), `${describeDoc(d)}: expects ${e.violations}, its comment names ${d.expectRule}`);
        }
      }
    }
  });

  it("pass through the rule book, the webhook (HTTPS) and the policy pack, which agree on every case", async () => {
    let stdout = "";
    let stderr = "";
    const code = await runTests([SUITES], { format: "json", frontend: ["webhook", "pack"] }, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY: false });
    const { summary } = JSON.parse(stdout);
    assert.equal(code, 0, stdout.slice(0, 4000) + stderr);
    assert.ok(summary.cases >= 190, `${summary.cases} cases`);
    assert.equal(summary.failed, 0);
    assert.deepEqual(summary.frontends.webhook, { compared: summary.cases, agreed: summary.cases, disagreed: 0, notApplicable: 0 });
    assert.equal(summary.frontends.pack.disagreed, 0);
    // The pack sees no UPDATE, DELETE or requester: those cases only.
    assert.equal(summary.frontends.pack.notApplicable, 4);
  });
});
