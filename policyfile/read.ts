/**
 * Reading the policy configuration file for the front ends (policy/ itself does
 * no I/O). `review --config`, `webhook --config`, the components'
 * `kuscia-iac:policyConfig` and the policy pack all come through here, so a file
 * means the same thing everywhere.
 */
import { readFileSync, statSync } from "node:fs";
import { loadPolicyConfiguration, policyConfigurationOf, type PolicyConfig } from "../policy";
import { MAX_CONFIG_BYTES } from "../policy/config/compile";

/** A configuration that cannot be used; `errors` are one line each, naming the file and field. */
export class PolicyConfigError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(errors.join("\n"));
    this.name = "PolicyConfigError";
  }
}

export interface LoadedPolicyConfig {
  config: PolicyConfig;
  /** Things worth saying that do not stop the configuration (an expired exception, an unchecked release). */
  warnings: string[];
}

/** The text of a configuration file, or why it cannot be read (too large, missing, unreadable). Never throws. */
export function readPolicyText(file: string): { text: string } | { errors: string[] } {
  try {
    if (statSync(file).size > MAX_CONFIG_BYTES) return { errors: [`${file}: is larger than ${MAX_CONFIG_BYTES} bytes`] };
    return { text: readFileSync(file, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { errors: [`${file}: cannot read the policy configuration: ${code === "ENOENT" ? "no such file" : (e as Error).message}`] };
  }
}

/**
 * The bytes of a configuration file, or why they cannot be read (as readPolicyText). For a
 * reader that hashes them first and decodes them only when they changed (the webhook's loader,
 * which reads the file on every poll).
 */
export function readPolicyBytes(file: string): { bytes: Buffer } | { errors: string[] } {
  try {
    if (statSync(file).size > MAX_CONFIG_BYTES) return { errors: [`${file}: is larger than ${MAX_CONFIG_BYTES} bytes`] };
    return { bytes: readFileSync(file) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { errors: [`${file}: cannot read the policy configuration: ${code === "ENOENT" ? "no such file" : (e as Error).message}`] };
  }
}

/** Reads and compiles a configuration file. Throws PolicyConfigError (unreadable, too large, invalid). */
export function readPolicyConfigFile(file: string, now?: Date): LoadedPolicyConfig {
  const read = readPolicyText(file);
  if ("errors" in read) throw new PolicyConfigError(read.errors);
  const text = read.text;
  const r = loadPolicyConfiguration(text, file, now);
  if ("errors" in r) throw new PolicyConfigError(r.errors);
  return r;
}

/** Compiles a configuration given as an object (Pulumi config, code). Throws PolicyConfigError. */
export function policyConfigFromObject(doc: unknown, origin: string, now?: Date): LoadedPolicyConfig {
  const r = policyConfigurationOf(doc, origin, now);
  if ("errors" in r) throw new PolicyConfigError(r.errors);
  return r;
}
