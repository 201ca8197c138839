/**
 * `kuscia-iac test PATH...`: operators test their own policy configuration, as `kyverno test`
 * and `gator verify` users do: declarative cases (policytest/schema.ts) run through the rule
 * book and checked against their expected outcomes; `--frontend` replays them through the
 * webhook, the API server's CEL (`kuscia-iac vap`) or the policy pack and fails on any
 * disagreement. Exit status: 0 every case passed, 1 a case failed, 2 a usage error, a test
 * file that cannot run, or a front end that failed (not a disagreement: a crash, no cluster).
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { findTestFiles, loadTestFile, TestFileError, type TestSuite } from "./load";
import { formatResults, TEST_FORMATS, type TestFormat } from "./report";
import { runSuites } from "./run";
import { updateSuite } from "./update";
import type { Frontend } from "./frontends/types";
import type { Io } from "../review/command";
import type { Observation } from "./observe";
import { plural } from "../policy/plural";

export const FRONTENDS = ["webhook", "vap", "pack"] as const;
export type FrontendName = (typeof FRONTENDS)[number];

export interface TestCommandOptions {
  format: TestFormat;
  frontend?: FrontendName[];
  update?: boolean;
  kubeconfig?: string;
  context?: string;
  mutatingBeta?: boolean;
}

const processIo = (): Io => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stdoutIsTTY: !!process.stdout.isTTY,
  stderrIsTTY: !!process.stderr.isTTY,
});

async function makeFrontend(name: FrontendName, o: TestCommandOptions, io: Io): Promise<Frontend> {
  // Required here, not at the top: the rule book alone must not load the webhook server or Pulumi.
  if (name === "webhook") return new (require("./frontends/webhook") as typeof import("./frontends/webhook")).WebhookFrontend();
  if (name === "pack") return new (require("./frontends/pack") as typeof import("./frontends/pack")).PackFrontend();
  const { VapFrontend } = require("./frontends/vap") as typeof import("./frontends/vap");
  return VapFrontend.connect({ kubeconfig: o.kubeconfig, context: o.context, mutatingBeta: o.mutatingBeta, log: (l) => io.stderr(`kuscia-iac test: ${l}\n`) });
}

/** Runs the test files under `paths`; returns the exit code. All output goes through `io`. */
export async function runTests(paths: string[], o: TestCommandOptions, io: Io = processIo()): Promise<number> {
  const say = (s: string) => io.stderr(`kuscia-iac test: ${s}\n`);
  let suites: TestSuite[];
  try {
    const files = await findTestFiles(paths);
    if (files.length === 0) {
      say(`no test files in ${paths.join(", ")} (a directory is searched for kuscia-iac-test.yaml and *.kuscia-iac-test.yaml)`);
      return 2;
    }
    suites = [];
    const errors: string[] = [];
    for (const f of files) {
      try {
        suites.push(await loadTestFile(f));
      } catch (e) {
        if (!(e instanceof TestFileError)) throw e;
        errors.push(...e.errors);
      }
    }
    if (errors.length > 0) {
      for (const e of errors) say(e);
      return 2;
    }
  } catch (e) {
    say(e instanceof TestFileError ? e.errors.join("\n") : (e as Error).message);
    return 2;
  }
  const frontends: Frontend[] = [];
  try {
    for (const name of [...new Set(o.frontend ?? [])]) frontends.push(await makeFrontend(name, o, io));
    let last = 0;
    const { suites: results, summary } = await runSuites(suites, frontends, (done, total) => {
      if (frontends.length === 0 || (done !== total && Date.now() - last < 2000)) return;
      last = Date.now();
      say(`${done}/${total} cases replayed`);
    });
    if (o.update) {
      for (const [i, s] of suites.entries()) {
        const observed = new Map<number, Observation>(results[i].cases.map((r, k) => [s.cases[k].index, r.observed]));
        const n = updateSuite(s, observed);
        say(`${s.file}: ${n ? `recorded the observed outcome of ${plural(n, "case")}` : "every expectation already matched"}`);
        // The file now says what was observed: only front-end disagreements still fail.
        for (const r of results[i].cases) {
          if (r.failures.length === 0) continue;
          r.failures = [];
          r.passed = r.frontends.every((f) => f.disagreements.length === 0);
        }
      }
      summary.passed = results.reduce((n, s) => n + s.cases.filter((c) => c.passed).length, 0);
      summary.failed = summary.cases - summary.passed;
    }
    io.stdout(formatResults(results, summary, o.format, io.stdoutIsTTY && !process.env.NO_COLOR));
    return summary.failed > 0 ? 1 : 0;
  } catch (e) {
    say(`a front end failed: ${(e as Error).message}`);
    return 2;
  } finally {
    for (const f of frontends) await f.close().catch((e: Error) => say(`${f.name}: cleaning up failed: ${e.message}`));
  }
}

/**
 * Collects repeated --frontend values. Commander's `.choices()` checks a value through its own
 * argument parser, which a custom one replaces: the check is made again here (exit 2 on a typo).
 */
function collectFrontend(v: string, prev: FrontendName[] | undefined): FrontendName[] {
  if (!(FRONTENDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`Allowed choices are ${FRONTENDS.join(", ")}.`);
  return [...(prev ?? []), v as FrontendName];
}

export function register(program: Command): void {
  program
    .command("test")
    .description("Run declarative test cases through the rule book (and, with --frontend, the webhook, the API server's CEL or the policy pack) and check each case's expected outcome")
    .argument("<path...>", "test files, or directories searched for kuscia-iac-test.yaml and *.kuscia-iac-test.yaml")
    .addOption(new Option("-f, --format <format>", "output format").choices([...TEST_FORMATS]).default("text"))
    .addOption(new Option("--frontend <name>", "also replay every case through this front end and fail on any disagreement with the rule book (repeatable): webhook (in-process, over HTTPS), vap (the API server of --kubeconfig, with kuscia-iac vap's policies), pack (the CrossGuard policy pack)").choices([...FRONTENDS]).argParser(collectFrontend))
    .option("--update", "write the rule book's observed outcomes into the test files as the new expectations (atomically; comments kept); front-end disagreements still fail")
    .option("--kubeconfig <file>", "with --frontend vap: the cluster (default: KUBECONFIG, then ~/.kube/config); use a throwaway one: policies, namespaces and the old objects of UPDATE cases are created there for the run, and removed")
    .option("--context <name>", "with --frontend vap: the kubeconfig context")
    .option("--mutating-beta", "with --frontend vap on Kubernetes 1.34-1.35: install the defaults as v1beta1 MutatingAdmissionPolicies (the API server enables the feature gate)")
    .addHelpText(
      "after",
      `
A test file (YAML, kind PolicyTest; docs/testing.md):
  apiVersion: kuscia-iac.secretflow/v1alpha1
  kind: PolicyTest
  configuration: policy.yaml          # or inline; default every rule at its severity's action
  now: "2026-01-01T00:00:00Z"         # the clock for exception and certificate expiry
  kubernetesVersion: "1.36"           # kusciaVersion, userInfo, references: also here or per case
  cases:
    - name: Domain IDs are RFC 1123 labels
      file: manifests/domains.yaml    # or object: {...}; document: N picks one of several
      expect:
        outcome: refused              # allowed | refused | warned | audited
        violations: [domain.name]     # warnings, audits, exceptions, patch: compared when given

Exit status:
  0  every case passed (and every front end agreed)
  1  a case failed: its outcome differs from the expectation, or a front end disagrees
  2  usage error, a test file that cannot run (the message names file, line, case and field),
     or a front end that failed (no cluster, a crash)

Examples:
  kuscia-iac test policy-tests/
  kuscia-iac test --frontend webhook --frontend pack -f junit policy-tests/ > kuscia-iac-test.xml
  kuscia-iac test --frontend vap --kubeconfig kind.kubeconfig policy-tests/
  kuscia-iac test --update policy-tests/domains.kuscia-iac-test.yaml`,
    )
    .action(async (paths: string[], opts: TestCommandOptions) => {
      process.exitCode = await runTests(paths, opts);
    });
}
