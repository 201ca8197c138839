/** Rule pieces several kinds share: domain-ID fields and certificate checks. */
import type { RuleContext } from "../engine";
import type { Segment } from "../paths";
import type { RuleInfo } from "../types";
import { domainId, placeholder } from "../checks/names";
import { describeKey, parseCertificate } from "../checks/pem";
import { show } from "../checks/values";

export const KUSCIA = "kuscia.secretflow/v1alpha1";

/** Checks a domain-ID field; true when it is valid. Wrong types are left to the schema. */
export function checkDomainId(ctx: RuleContext, path: readonly Segment[], v: unknown, rule?: string): boolean {
  if (typeof v !== "string") return false;
  const why = placeholder(v) ?? domainId(v);
  if (why) ctx.fail(path, `${show(v)} ${why}`, rule);
  return !why;
}

const DAY = 24 * 60 * 60 * 1000;

/** The ids `checkCertificate` reports under, for a rule's `emits`. */
export function certificateRuleIds(prefix: string, what: string): Omit<RuleInfo, "kind">[] {
  return [
    { id: `${prefix}.validity`, severity: "error", summary: `${what} is inside its validity window (not expired, not yet to start)` },
    { id: `${prefix}.expiring`, severity: "warning", summary: `${what} expires within 30 days` },
    { id: `${prefix}.cn`, severity: "warning", summary: `${what} subject CN equals the domain ID (Kuscia issues CN = domain ID)` },
  ];
}

/**
 * A certificate Kuscia uses for node identity: RSA >= 2048 bits (rule `prefix`),
 * inside its validity window (`prefix.validity`); warnings when it expires
 * within 30 days (`prefix.expiring`) or its CN is not the domain ID (`prefix.cn`).
 */
export function checkCertificate(ctx: RuleContext, path: readonly Segment[], value: string, expectedCn: string | undefined, prefix: string): void {
  const res = parseCertificate(value);
  if ("error" in res) {
    ctx.fail(path, res.error, prefix);
    return;
  }
  const c = res.cert;
  if (c.keyType !== "rsa" || (c.bits ?? 0) < 2048) {
    ctx.fail(path, `certificate public key is ${describeKey(c.keyType, c.bits, c.curve)}; Kuscia domain certificates must be RSA (>= 2048 bits)`, prefix);
  }
  const now = ctx.now.getTime();
  if (c.notAfter.getTime() <= now) {
    ctx.fail(path, `certificate expired on ${c.notAfter.toISOString()}; issue a new one from the node's domain key`, `${prefix}.validity`);
  } else if (c.notBefore.getTime() > now) {
    ctx.fail(path, `certificate is not valid before ${c.notBefore.toISOString()}; check the clock of the machine that issued it`, `${prefix}.validity`);
  } else if (c.notAfter.getTime() - now < 30 * DAY) {
    const days = Math.floor((c.notAfter.getTime() - now) / DAY);
    ctx.warn(path, `certificate expires on ${c.notAfter.toISOString()} (in ${days} days); renew it before then`, `${prefix}.expiring`);
  }
  if (expectedCn !== undefined && c.commonName !== expectedCn) {
    ctx.warn(path, `certificate subject CN is ${show(c.commonName ?? "(none)")}, expected the domain ID ${show(expectedCn)}`, `${prefix}.cn`);
  }
}
