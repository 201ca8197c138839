/**
 * The policy configuration the pack runs under, read once when the pack starts, before the
 * engine asks it for its policies: each rule's action decides its policy's enforcement level.
 * The same sources, in the same order, as the components (components/policy.ts):
 *
 * 1. stack configuration `kuscia-iac:policyConfig` (a file path) or `kuscia-iac:policy` (the
 *    configuration as an object): the engine hands the pack the stack's configuration in the
 *    `PULUMI_CONFIG` environment variable, as it does to a program;
 * 2. the environment variable `KUSCIA_IAC_POLICY_CONFIG` (a file path);
 * 3. the default: every rule at its severity's action, the newest Kuscia release.
 *
 * A relative file path is taken, as the components take it, from the directory the Pulumi CLI
 * runs in (the project's): the pack itself runs in its own folder, so on Linux it looks that
 * directory up as its parent process's working directory; elsewhere give an absolute path.
 */
import { existsSync, readlinkSync } from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel } from "@pulumi/policy";
import { defaultPolicyConfiguration, type Action, type PolicyConfig } from "../policy";
import { PolicyConfigError, policyConfigFromObject, readPolicyConfigFile } from "../policyfile/read";

export const STACK_FILE_KEY = "kuscia-iac:policyConfig";
export const STACK_OBJECT_KEY = "kuscia-iac:policy";
export const ENV_FILE = "KUSCIA_IAC_POLICY_CONFIG";

/** Where the configuration came from, for the pack's description and tests. */
export interface PackConfiguration {
  config: PolicyConfig;
  /** `default`, `stack configuration kuscia-iac:policy`, or the file read. */
  origin: string;
  warnings: string[];
}

/**
 * Reads the configuration from `env` (default: the process environment) as described above.
 * Throws PolicyConfigError naming the file or key and the field (the pack then fails to start,
 * and the CLI shows the message), or Error for a malformed PULUMI_CONFIG.
 */
export function packConfiguration(env: NodeJS.ProcessEnv = process.env, cliDir: () => string | undefined = pulumiCliDirectory): PackConfiguration {
  let stack: Record<string, string> = {};
  if (env.PULUMI_CONFIG) {
    try {
      stack = JSON.parse(env.PULUMI_CONFIG) as Record<string, string>;
    } catch (e) {
      throw new Error(`PULUMI_CONFIG: is not the JSON object the Pulumi engine passes (${(e as Error).message})`);
    }
  }
  const file = stack[STACK_FILE_KEY];
  const inline = stack[STACK_OBJECT_KEY];
  if (file !== undefined && inline !== undefined) throw new Error(`kuscia-iac policy pack: set either ${STACK_FILE_KEY} (a file) or ${STACK_OBJECT_KEY} (an object) in the stack configuration, not both`);
  if (inline !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(inline);
    } catch {
      throw new Error(`stack configuration ${STACK_OBJECT_KEY}: must be an object (set it with \`pulumi config set --path ${STACK_OBJECT_KEY}.rules.<rule> warn\` or in Pulumi.<stack>.yaml), not a string`);
    }
    const loaded = policyConfigFromObject(doc, `stack configuration ${STACK_OBJECT_KEY}`);
    return { config: loaded.config, origin: `stack configuration ${STACK_OBJECT_KEY}`, warnings: loaded.warnings };
  }
  const given = file ?? env[ENV_FILE];
  if (given !== undefined) {
    const resolved = resolveFile(given, file !== undefined ? cliDir() : undefined);
    if (!path.isAbsolute(given) && !existsSync(resolved)) {
      const where = file !== undefined ? `stack configuration ${STACK_FILE_KEY}` : ENV_FILE;
      throw new PolicyConfigError([`${where}: ${given}: no such file (looked for ${resolved}; the policy pack runs in its own folder and finds the project's directory only on Linux): give an absolute path`]);
    }
    const loaded = readPolicyConfigFile(resolved);
    return { config: loaded.config, origin: resolved, warnings: loaded.warnings };
  }
  return { config: defaultPolicyConfiguration(), origin: "default", warnings: [] };
}

function resolveFile(file: string, base: string | undefined): string {
  if (path.isAbsolute(file)) return file;
  const inBase = base !== undefined ? path.resolve(base, file) : undefined;
  return inBase !== undefined && existsSync(inBase) ? inBase : path.resolve(file);
}

/** The Pulumi CLI's working directory: the pack's parent process's, where Linux shows it. */
function pulumiCliDirectory(): string | undefined {
  try {
    return readlinkSync(`/proc/${process.ppid}/cwd`);
  } catch {
    return undefined;
  }
}

/**
 * A rule's enforcement level from its action: deny → mandatory, warn → advisory, audit →
 * advisory (Pulumi has no silent level that still records; the message is marked `audit`),
 * off → disabled.
 */
export function enforcementLevelOf(action: Action): EnforcementLevel {
  switch (action) {
    case "deny":
      return "mandatory";
    case "warn":
    case "audit":
      return "advisory";
    case "off":
      return "disabled";
  }
}
