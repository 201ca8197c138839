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
import { checkKubeVersion, generateVap, KubeVersionError } from "./generate";
import { generateMutating } from "./mutating";
import { plural } from "../policy/plural";

interface VapCommandOptions {
  config?: string;
  kubeVersion: string;
  output: "yaml" | "json" | "text";
  list?: boolean;
  /** false with --no-mutating: leave out the MutatingAdmissionPolicies of the defaults. */
  mutating: boolean;
  /** --mutating-beta: emit v1beta1 MutatingAdmissionPolicies for 1.34-1.35. */
  mutatingBeta?: boolean;
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

The rule book's defaults (what the mutating webhook fills: a local Domain's interConnProtocols,
an AppImage's replicas and port protocol and scope, a KusciaJob's scheduling fields, a
KusciaDeployment party template's strategy) come as MutatingAdmissionPolicies and bindings,
one per kind, named kuscia-iac.defaults.<kind>, as JSONPatch: admissionregistration.k8s.io/v1
from Kubernetes 1.36 (--kube-version 1.36). 1.34-1.35 have them only as v1beta1 behind the
MutatingAdmissionPolicy feature gate, off by default: --mutating-beta emits those for an API
server that enables it. Older versions have none: the mutating webhook fills the defaults, as
the note on standard error says. --no-mutating leaves them out.

Every object carries the labels app.kubernetes.io/managed-by=kuscia-iac and
kuscia-iac.secretflow/rule=<rule id>, so a regeneration can prune the policies of rules
that are now off or gone (the kubectl apply --prune example below). When every rule is
off, nothing is written, with a message on standard error: kubectl apply refuses an empty
input, even an empty List, so delete the old policies by label instead (the kubectl delete
example below).

Exit status:
  0  policies written (or the list printed), or none to write (said on standard error)
  2  usage error, an invalid --config, or a --kube-version that is not a version or has no
     ValidatingAdmissionPolicy v1 (with --list too)

Examples:
  kuscia-iac vap > kuscia-iac-vap.yaml && kubectl apply -f kuscia-iac-vap.yaml
  kuscia-iac vap --config policy.yaml --kube-version 1.33
  kuscia-iac vap | kubectl apply --prune -l app.kubernetes.io/managed-by=kuscia-iac \\
    --prune-allowlist=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy \\
    --prune-allowlist=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding -f -
  kuscia-iac vap --kube-version 1.36 | kubectl apply --prune -l app.kubernetes.io/managed-by=kuscia-iac \\
    --prune-allowlist=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy \\
    --prune-allowlist=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding \\
    --prune-allowlist=admissionregistration.k8s.io/v1/MutatingAdmissionPolicy \\
    --prune-allowlist=admissionregistration.k8s.io/v1/MutatingAdmissionPolicyBinding -f -
  kubectl delete validatingadmissionpolicies,validatingadmissionpolicybindings -l app.kubernetes.io/managed-by=kuscia-iac
  kuscia-iac vap --list
  kuscia-iac vap --list -o yaml`;

export function register(program: Command): void {
  program
    .command("vap")
    .description("Write the rule book's CEL-expressible rules as ValidatingAdmissionPolicies and bindings (enforced by the API server, no webhook)")
    .option("--config <file>", "policy configuration (YAML): actions, exceptions, exempt requesters; see docs/policy-configuration.md")
    .option("--kube-version <version>", "the API server's Kubernetes version (1.30 or later)", "1.30")
    .addOption(new Option("-o, --output <format>", "output format: yaml (default) or json (a List) for the policies; text (default), json or yaml with --list").choices(["yaml", "json", "text"]))
    .option("--list", "list every rule: whether a policy enforces it, or why not")
    .option("--no-mutating", "leave out the MutatingAdmissionPolicies of the defaults (Kubernetes 1.36+, or 1.34-1.35 with --mutating-beta)")
    .option("--mutating-beta", "on Kubernetes 1.34-1.35, emit the defaults as v1beta1 MutatingAdmissionPolicies (the API server must enable the MutatingAdmissionPolicy feature gate and admissionregistration.k8s.io/v1beta1)")
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
  try {
    // Checked with --list too: a flag that is wrong must not pass because another one is given.
    checkKubeVersion(opts.kubeVersion);
  } catch (e) {
    if (!(e instanceof KubeVersionError)) throw e;
    process.stderr.write(`kuscia-iac vap: ${e.message}\n`);
    return 2;
  }
  if (opts.list) return list(opts.output ?? "text", config);
  if (opts.output === "text") {
    process.stderr.write("kuscia-iac vap: -o text goes with --list; the policies are yaml or json; see `kuscia-iac vap --help`\n");
    return 2;
  }
  const result = generateVap({ config, kubeVersion: opts.kubeVersion });
  const mutating = opts.mutating === false ? { objects: [], notes: [] } : generateMutating({ config, kube: checkKubeVersion(opts.kubeVersion), beta: opts.mutatingBeta });
  for (const n of [...result.notes, ...mutating.notes]) process.stderr.write(`kuscia-iac vap: note: ${n}\n`);
  const policies = result.objects.filter((o) => o.kind === "ValidatingAdmissionPolicy").length;
  const objects = [...result.objects, ...mutating.objects];
  if (objects.length === 0) {
    // Not an empty List: kubectl apply refuses that as it refuses an empty input ("no objects
    // passed to apply"), --prune included: write nothing and say what to do instead.
    process.stderr.write(
      `kuscia-iac vap: no policy written: every rule with a CEL form is off in the policy configuration (${result.off.length} off). ` +
        `kubectl apply refuses an empty input ("no objects passed to apply"); to remove the policies applied before, run ` +
        `kubectl delete validatingadmissionpolicies,validatingadmissionpolicybindings -l app.kubernetes.io/managed-by=kuscia-iac\n`,
    );
  } else if (opts.output === "json") process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2) + "\n");
  else process.stdout.write(objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"));
  const maps = mutating.objects.filter((o) => o.kind === "MutatingAdmissionPolicy").length;
  process.stderr.write(
    `kuscia-iac vap: ${plural(policies, "policy", "policies")} with their bindings` +
      (maps > 0 ? `, and ${plural(maps, "MutatingAdmissionPolicy", "MutatingAdmissionPolicies")} (the defaults of ${plural(maps, "kind")}) with theirs` : "") +
      (result.off.length > 0 ? `; ${plural(result.off.length, "rule")} with a CEL form ${result.off.length === 1 ? "is" : "are"} off` : "") +
      (result.uncovered.length > 0
        ? `; ${plural(result.uncovered.length, "rule")} that ${result.uncovered.length === 1 ? "is on has" : "are on have"} no policy and ${result.uncovered.length === 1 ? "needs" : "need"} the webhook: ${result.uncovered.join(", ")} (kuscia-iac vap --list says why)`
        : "; no rule that is on needs the webhook") +
      "\n",
  );
  return 0;
}

const OFF_REASON = "off in the policy configuration: no policy emitted (the rule has a CEL form; another action emits one)";

function list(format: string, config: PolicyConfig): number {
  // vap: whether `kuscia-iac vap` emits a policy for the rule under this configuration; a rule
  // with a CEL form that is off has none, and says so, rather than "yes" next to "off".
  const rows = vapCoverage().map((c) => {
    const action = config.actionOf(c.rule, c.severity);
    const reason = c.reason ?? (action === "off" ? OFF_REASON : undefined);
    return { rule: c.rule, kind: c.kind, severity: c.severity, action, vap: !!c.cel && action !== "off", ...(reason ? { reason } : {}) };
  });
  if (format === "json") process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else if (format === "yaml") process.stdout.write(stringify(rows, { lineWidth: 0 }));
  else {
    process.stdout.write(`${"RULE".padEnd(36)} ${"VAP".padEnd(3)} ${"ACTION".padEnd(6)} WHY NOT\n`);
    for (const r of rows) process.stdout.write(`${r.rule.padEnd(36)} ${(r.vap ? "yes" : "no").padEnd(3)} ${r.action.padEnd(6)} ${r.reason ?? ""}\n`);
  }
  return 0;
}
