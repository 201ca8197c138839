/**
 * Reading the policy configuration file for the front ends (policy/ itself does
 * no I/O). `review --config`, `webhook --config`, the components'
 * `kuscia-iac:policyConfig` and the policy pack all come through here, so a file
 * means the same thing everywhere.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
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

/**
 * At most MAX_CONFIG_BYTES of a regular file (symbolic links followed). The size stat reports
 * is not trusted: a FIFO or a device reports 0 and then blocks a reader forever or never ends
 * (/dev/zero), and a file may grow between the stat and the read. So the file is opened
 * without blocking, must be a regular file by its open descriptor, and is read up to the limit
 * and one byte more. Throws Error with the reason.
 */
function readBounded(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error("is not a regular file (a FIFO, device or directory); write the configuration to a file and rename it into place");
    // Sized by stat, grown (up to the limit and a byte) when stat said less than there is.
    let buf = Buffer.alloc(Math.min(fstatSync(fd).size, MAX_CONFIG_BYTES) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > MAX_CONFIG_BYTES) throw new Error(`is larger than ${MAX_CONFIG_BYTES} bytes`);
        const grown = Buffer.alloc(Math.min(buf.length * 2, MAX_CONFIG_BYTES + 1));
        buf.copy(grown);
        buf = grown;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) return buf.subarray(0, n);
      n += got;
    }
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, e: unknown): { errors: string[] } {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined) return { errors: [`${file}: ${(e as Error).message}`] };
  return { errors: [`${file}: cannot read the policy configuration: ${code === "ENOENT" ? "no such file" : (e as Error).message}`] };
}

/** The text of a configuration file, or why it cannot be read (too large, not a regular file, missing, unreadable). Never throws. */
export function readPolicyText(file: string): { text: string } | { errors: string[] } {
  try {
    return { text: readBounded(file).toString("utf8") };
  } catch (e) {
    return unreadable(file, e);
  }
}

/**
 * The bytes of a configuration file, or why they cannot be read (as readPolicyText). For a
 * reader that hashes them first and decodes them only when they changed (the webhook's loader,
 * which reads the file on every poll).
 */
export function readPolicyBytes(file: string): { bytes: Buffer } | { errors: string[] } {
  try {
    return { bytes: readBounded(file) };
  } catch (e) {
    return unreadable(file, e);
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
