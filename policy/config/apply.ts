/**
 * Applies a policy configuration to the raw findings of a review: actions,
 * exceptions, and existing violations on UPDATE (Kyverno's
 * `allowExistingViolations`). Pure.
 */
import { parseDotted } from "../paths";
import { jsonEqual, reach } from "../walk";
import type { AuditRecord, Violation, Warning } from "../types";
import { FAIL_CLOSED, type PolicyConfig } from "./types";

export interface RawFindings {
  violations: Violation[];
  warnings: Warning[];
}

export interface Target {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

export interface Applied {
  violations: Violation[];
  warnings: Warning[];
  audits: AuditRecord[];
}

export const EXISTING_NOTE = "(an existing violation: the stored object already has it and this update does not change that field, so the update is allowed)";

/** How an AuditRecord's reason starts when an exception (not the action audit) covers the finding: `exception <name>: <reason>`. */
export const EXCEPTION_PREFIX = "exception ";

/**
 * Sorts raw findings into what refuses, what warns and what is only recorded.
 * `old` gives the old object's raw findings and the two objects, for UPDATE:
 * a denied finding the old object already had, at a path whose value the update
 * leaves unchanged, becomes a warning when the rule allows existing violations (and the
 * rule's findings were all kept: `notExisting` names the rules whose were not).
 */
export function applyConfiguration(
  raw: RawFindings,
  config: PolicyConfig,
  target: Target,
  now: Date,
  old?: { findings: () => RawFindings; object: unknown; oldObject: unknown; notExisting?: ReadonlySet<string> },
): Applied {
  const out: Applied = { violations: [], warnings: [], audits: [] };
  let existing: Set<string> | undefined;
  const sort = (f: Violation, severity: "error" | "warning") => {
    // The fail-closed rule refuses whatever any configuration says (compile.ts refuses to
    // relax it; this holds for a PolicyConfig built any other way too).
    if (FAIL_CLOSED.has(f.rule)) {
      out.violations.push(f);
      return;
    }
    const action = config.actionOf(f.rule, severity);
    if (action === "off") return;
    const exception = config.exceptionFor(target, f.rule, now);
    if (exception) {
      out.audits.push({ ...f, reason: `${EXCEPTION_PREFIX}${exception.name}: ${exception.reason}` });
      return;
    }
    if (action === "audit") out.audits.push({ ...f, reason: "audit" });
    else if (action === "warn") out.warnings.push(f);
    else if (old && config.allowsExisting(f.rule) && !old.notExisting?.has(f.rule) && isExisting(f)) out.warnings.push({ ...f, message: `${f.message} ${EXISTING_NOTE}` });
    else out.violations.push(f);
  };
  const isExisting = (f: Violation): boolean => {
    if (!existing) {
      const o = old!.findings();
      existing = new Set([...o.violations, ...o.warnings].map((x) => `${x.rule}\u0000${x.path}`));
    }
    if (!existing.has(`${f.rule}\u0000${f.path}`)) return false;
    // The deepest value both objects have on the finding's path: for a finding inside an
    // embedded file (data["kuscia.yaml"].x) that is the file's text.
    const segs = parseDotted(f.path);
    return jsonEqual(reach(old!.object, segs).value, reach(old!.oldObject, segs).value);
  };
  for (const v of raw.violations) sort(v, "error");
  for (const w of raw.warnings) sort(w, "warning");
  return out;
}
