/** The rule book, as components apply it to the custom resource they build. */
import * as pulumi from "@pulumi/pulumi";
import { admit } from "../policy/expand";
import { componentPolicy } from "./policy";
import { redactSecrets } from "../policy/redact";
import { declared } from "./references";

/**
 * A component's arguments broke a rule of the rule book. A `pulumi.ResourceError` on the
 * component: Pulumi reports it against the component, with the message only (no stack).
 */
export class KusciaValidationError extends pulumi.ResourceError {
  readonly component: string;
  readonly resourceName: string;
  readonly findings: readonly string[];
  /**
   * `secret`: some argument was a secret, so every quoted value in the findings is
   * replaced (a refusal never prints a value marked secret, whatever rule produced it).
   */
  constructor(component: string, resourceName: string, findings: readonly string[], resource?: pulumi.Resource, secret = false) {
    // Redacted here, once, whatever rule produced the finding: a refusal must never print a password or key.
    super(findings.map((f) => `${component} ${JSON.stringify(resourceName)}: ${secret ? hideQuoted(redactSecrets(f)) : redactSecrets(f)}`).join("\n"), resource, true);
    this.component = component;
    this.resourceName = resourceName;
    this.findings = findings;
    this.name = "KusciaValidationError";
  }
}

/** Every JSON-quoted value of a message replaced by `"[secret]"`. */
export function hideQuoted(message: string): string {
  return message.replace(/"(?:[^"\\]|\\.)*"/g, '"[secret]"');
}

/**
 * Reviews `cr` and returns it with the rule book's defaults applied (the object
 * the API server would store behind the webhook). Violations throw, one line
 * each, naming the component, the field and the fix; warnings are logged
 * against `parent`. The object is recorded for the program's reference checks
 * (components/references.ts). `fieldPrefix` places the object inside the component's
 * arguments when it is not the component's own resource (e.g. `appImages["x"].`).
 */
export function admitOrThrow<T>(component: string, name: string, cr: T, parent?: pulumi.Resource, fieldPrefix = "", secret = false): T {
  const { result, object } = admit(cr, { config: componentPolicy() });
  if (!result.allowed) throw new KusciaValidationError(component, name, result.violations.map((v) => fieldPrefix + v.message), parent, secret);
  for (const w of result.warnings) pulumi.log.warn(`${component} ${JSON.stringify(name)}: ${fieldPrefix}${w.message}`, parent);
  for (const a of result.audits) pulumi.log.debug(`${component} ${JSON.stringify(name)}: ${fieldPrefix}${a.message} [${a.rule}] (${a.reason})`, parent);
  // Cross-object references, checked over the whole program once it is declared (references.ts).
  declared(object, { component, name, fieldPrefix, parent });
  return object;
}

/**
 * What the rule book finds in `cr`, without throwing or logging: for judging arguments in part
 * (components/partial.ts). The object is returned with the rule book's defaults, as admitOrThrow's.
 */
export function reviewFindings<T>(cr: T, fieldPrefix = ""): { object: T; findings: { path: string; rule: string; message: string }[] } {
  const { result, object } = admit(cr, { config: componentPolicy() });
  return { object, findings: result.violations.map((v) => ({ path: v.path, rule: v.rule, message: fieldPrefix + v.message })) };
}

/** Logs expansion warnings under the component's resource name (the expansion names the custom resource). */
export function warnAll(component: string, name: string, warnings: readonly string[], parent?: pulumi.Resource): void {
  for (const w of warnings) pulumi.log.warn(`${component} ${JSON.stringify(name)}: ${withoutSubject(component, w)}`, parent);
}

/** Drops a leading `Kind "name": ` that names the custom resource rather than the component. */
export function withoutSubject(component: string, finding: string): string {
  const prefix = `${component} "`;
  if (!finding.startsWith(prefix)) return finding;
  const end = finding.indexOf('": ', prefix.length);
  return end < 0 ? finding : finding.slice(end + 3);
}

/** Drops keys whose value is undefined, so a built custom resource has no `"field": undefined` noise. */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
