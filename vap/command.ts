/**
 * `kuscia-iac vap`: the rule book's CEL-expressible rules as ValidatingAdmissionPolicy and
 * ValidatingAdmissionPolicyBinding objects (vap/generate.ts), for clusters where rules
 * should run inside the API server with no webhook to keep available; `--list` says which
 * rules are expressible and why the others are not.
 */
import { Command, Option } from "commander";
import { stringify } from "yaml";
import { defaultPolicyConfiguration, type PolicyConfig } from "../policy";
import { vapCoverage } from "../policy/vap";
import { readPolicyConfigFile, PolicyConfigError } from "../policyfile/read";
import { generateVap, KubeVersionError } from "./generate";

interface VapCommandOptions {
  config?: string;
  kubeVersion: string;
  output: "yaml" | "json" | "text";
  list?: boolean;
}

const HELP_AFTER = `
One ValidatingAdmissionPolicy and one binding per rule, named kuscia-iac.<rule id>. The
policy configuration maps onto them: deny/warn/audit -> validationActions Deny/Warn/Audit,
off -> no policy; exceptions and exemptRequesters -> matchConditions; allowExistingViolations
-> an UPDATE of an object that already broke a rule passes. Rules a policy cannot express
(certificates, kuscia.yaml inside ConfigMaps, references to other objects, the clock, ...) are
listed on standard error; the webhook still applies them.

Requires Kubernetes 1.30 or later (ValidatingAdmissionPolicy v1). An older --kube-version is
refused: 1.28-1.29 have only v1beta1, off by default.

Exit status:
  0  policies written (or the list printed)
  2  usage error, an invalid --config, or a --kube-version without ValidatingAdmissionPolicy v1

Examples:
  kuscia-iac vap > kuscia-iac-vap.yaml && kubectl apply -f kuscia-iac-vap.yaml
  kuscia-iac vap --config policy.yaml --kube-version 1.33
  kuscia-iac vap --list`;

export function register(program: Command): void {
  program
    .command("vap")
    .description("Write the rule book's CEL-expressible rules as ValidatingAdmissionPolicies and bindings (enforced by the API server, no webhook)")
    .option("--config <file>", "policy configuration (YAML): actions, exceptions, exempt requesters; see the README")
    .option("--kube-version <version>", "the API server's Kubernetes version (1.30 or later)", "1.30")
    .addOption(new Option("-o, --output <format>", "output format: yaml or json (a List) for the policies; text or json with --list").choices(["yaml", "json", "text"]))
    .option("--list", "list every rule: whether a policy enforces it, or why not")
    .addHelpText("after", HELP_AFTER)
    .action((opts: VapCommandOptions) => {
      process.exitCode = runVap(opts);
    });
}

function runVap(opts: VapCommandOptions): number {
  let config: PolicyConfig;
  try {
    const loaded = opts.config ? readPolicyConfigFile(opts.config) : undefined;
    config = loaded?.config ?? defaultPolicyConfiguration();
    for (const w of loaded?.warnings ?? []) process.stderr.write(`kuscia-iac vap: warning: ${w}\n`);
  } catch (e) {
    process.stderr.write(`kuscia-iac vap: ${e instanceof PolicyConfigError ? e.errors.join("\n") : (e as Error).message}\n`);
    return 2;
  }
  if (opts.list) return list(opts.output ?? "text", config);
  if (opts.output === "text") {
    process.stderr.write("kuscia-iac vap: -o text goes with --list; the policies are yaml or json\n");
    return 2;
  }
  let result;
  try {
    result = generateVap({ config, kubeVersion: opts.kubeVersion });
  } catch (e) {
    if (!(e instanceof KubeVersionError)) throw e;
    process.stderr.write(`kuscia-iac vap: ${e.message}\n`);
    return 2;
  }
  if (opts.output === "json") process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", items: result.objects }, null, 2) + "\n");
  else process.stdout.write(result.objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"));
  for (const n of result.notes) process.stderr.write(`kuscia-iac vap: note: ${n}\n`);
  const policies = result.objects.filter((o) => o.kind === "ValidatingAdmissionPolicy").length;
  process.stderr.write(
    `kuscia-iac vap: ${policies} policies with their bindings; ${result.notExpressed.length} rules have no policy and need the webhook: ` +
      `${result.notExpressed.map((r) => r.rule).join(", ")} (kuscia-iac vap --list says why)\n`,
  );
  return 0;
}

function list(format: string, config: PolicyConfig): number {
  const rows = vapCoverage().map((c) => ({ rule: c.rule, kind: c.kind, severity: c.severity, action: config.actionOf(c.rule, c.severity), vap: !!c.cel, ...(c.reason ? { reason: c.reason } : {}) }));
  if (format === "json") process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else if (format === "yaml") process.stdout.write(stringify(rows, { lineWidth: 0 }));
  else {
    process.stdout.write(`${"RULE".padEnd(36)} ${"VAP".padEnd(3)} ${"ACTION".padEnd(6)} WHY NOT\n`);
    for (const r of rows) process.stdout.write(`${r.rule.padEnd(36)} ${(r.vap ? "yes" : "no").padEnd(3)} ${r.action.padEnd(6)} ${r.reason ?? ""}\n`);
  }
  return 0;
}
