/** Rule pieces several kinds share: domain-ID fields and certificate checks. */
import type { RuleContext } from "../engine";
import type { Segment } from "../paths";
import type { RuleMeta } from "../types";
import { NO_CEL } from "../vap/reasons";
import { domainId, placeholder } from "../checks/names";
import { describeKey, parseCertificate } from "../checks/pem";
import { show } from "../checks/values";
import { plural } from "../plural";

export const KUSCIA = "kuscia.secretflow/v1alpha1";

/** Checks a domain-ID field; true when it is valid. Wrong types are left to the schema. */
export function checkDomainId(ctx: RuleContext, path: readonly Segment[], v: unknown, rule?: string): boolean {
  if (typeof v !== "string") return false;
  const why = placeholder(v) ?? domainId(v);
  if (why) ctx.fail(path, `${show(v)} ${why}`, rule);
  return !why;
}

const DAY = 24 * 60 * 60 * 1000;

/** Where `checkCertificate`'s rule ids come from (shared by Domain certificates and MTLS client certificates). */
export const CERT_SOURCES = {
  keySize: "kuscia-iac policy: Kuscia generates 2048-bit RSA keys (pkg/utils/tls/crypt.go: GenerateKeyData) but reads any size; the minimum is the parameter minRsaKeyBits",
  validity: "kuscia-iac policy: upstream does not check validity when the object is stored (pkg/controllers/domainroute/check.go: DoValidate only base64-decodes), but an expired or not-yet-valid certificate fails the TLS handshake or token exchange later",
  expiring: "kuscia-iac policy: early warning; the threshold is the parameter certificateExpiryWarningDays",
  cn: "pkg/utils/tls/crypt.go: ParseCertWithGenerated (a node's own domain.crt has CN = domain ID); pkg/gateway/controller/register_node.go: verifyCSR (a lite node's CSR CN must be its domain ID)",
};

/** The ids `checkCertificate` reports under, for a rule's `emits`. */
export function certificateRuleIds(prefix: string, what: string, withCn = true): RuleMeta[] {
  const vap = { unexpressible: NO_CEL.certificate };
  const out: RuleMeta[] = [
    { id: `${prefix}.key-size`, severity: "error", summary: `${what} has an RSA key of at least minRsaKeyBits bits (default 2048)`, source: CERT_SOURCES.keySize, vap, params: ["minRsaKeyBits"] },
    { id: `${prefix}.validity`, severity: "error", summary: `${what} is inside its validity window (not expired, not yet to start)`, source: CERT_SOURCES.validity, vap },
    { id: `${prefix}.expiring`, severity: "warning", summary: `${what} expires within certificateExpiryWarningDays days (default 30)`, source: CERT_SOURCES.expiring, vap, params: ["certificateExpiryWarningDays"] },
  ];
  if (withCn) out.push({ id: `${prefix}.cn`, severity: "warning", summary: `${what} subject CN equals the domain ID (Kuscia issues CN = domain ID)`, source: CERT_SOURCES.cn, vap });
  return out;
}

/**
 * A certificate Kuscia uses: base64 of a PEM X.509 certificate (rule `prefix`), with an RSA
 * public key when `requireRsa` (also `prefix`: Kuscia extracts an RSA public key from it);
 * an RSA key of at least `params.minRsaKeyBits` bits (`prefix.key-size`), inside its validity
 * window (`prefix.validity`); warnings when it expires within `params.certificateExpiryWarningDays`
 * days (`prefix.expiring`) or its CN is not the domain ID (`prefix.cn`).
 */
export function checkCertificate(ctx: RuleContext, path: readonly Segment[], value: string, expectedCn: string | undefined, prefix: string, requireRsa = true): void {
  const res = parseCertificate(value);
  if ("error" in res) {
    ctx.fail(path, res.error, prefix);
    return;
  }
  const c = res.cert;
  const isRsa = c.keyType === "rsa";
  if (requireRsa && !isRsa) {
    ctx.fail(path, `certificate public key is ${describeKey(c.keyType, c.bits, c.curve)}; Kuscia domain certificates must be RSA: Kuscia takes the RSA public key from it to exchange route tokens`, prefix);
  }
  const minBits = ctx.params.minRsaKeyBits;
  if (isRsa && (c.bits ?? 0) < minBits) {
    ctx.fail(path, `certificate public key is ${describeKey(c.keyType, c.bits, c.curve)}; the policy asks for at least ${minBits} bits (rule ${prefix}.key-size, parameter minRsaKeyBits)`, `${prefix}.key-size`);
  }
  const now = ctx.now.getTime();
  const warnDays = ctx.params.certificateExpiryWarningDays;
  if (c.notAfter.getTime() <= now) {
    ctx.fail(path, `certificate expired on ${c.notAfter.toISOString()}; issue a new one from the node's domain key`, `${prefix}.validity`);
  } else if (c.notBefore.getTime() > now) {
    ctx.fail(path, `certificate is not valid before ${c.notBefore.toISOString()}; check the clock of the machine that issued it`, `${prefix}.validity`);
  } else if (c.notAfter.getTime() - now < warnDays * DAY) {
    const days = Math.floor((c.notAfter.getTime() - now) / DAY);
    ctx.warn(path, `certificate expires on ${c.notAfter.toISOString()} (in ${plural(days, "day")}); renew it before then`, `${prefix}.expiring`);
  }
  if (expectedCn !== undefined && c.commonName !== expectedCn) {
    ctx.warn(path, `certificate subject CN is ${show(c.commonName ?? "(none)")}, expected the domain ID ${show(expectedCn)}`, `${prefix}.cn`);
  }
}
