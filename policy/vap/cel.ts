/**
 * Building blocks for the CEL forms of rules (each rule's `vap`, policy/kinds/*.ts; shared shapes in forms.ts): each returns CEL
 * source text that reproduces a piece of a rule's check or of its message, written
 * once so every rule quotes values and names domain IDs the way policy/checks does.
 *
 * The CEL dialect is the Kubernetes API server's for ValidatingAdmissionPolicy (1.30+):
 * the standard macros (`has`, `exists`, `all`, `filter`, `map`), RE2 `matches`, the
 * strings extension (`substring`, `join`) and Kubernetes' list library (`indexOf`).
 * Objects arrive as the API server stores them (CRD defaults applied, types already
 * checked by the CRD schema), so only presence needs guarding: a missing field read
 * without `has()` is a runtime error, which `failurePolicy: Fail` turns into a refusal.
 */
import { NAME_MESSAGES, RESERVED_DOMAIN_IDS } from "../checks/names";
import { QUERY_CREDENTIALS, SECRET_KEY_WORDS } from "../redact";

/** A CEL string literal of `s` (single-quoted, backslashes and quotes escaped). */
export function lit(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/** A CEL list literal of strings. */
export function litList(xs: readonly string[]): string {
  return `[${xs.map(lit).join(", ")}]`;
}

/**
 * What may be a credential in a quoted value: the anchors of policy/redact.ts (`@` of a DSN,
 * user information of a URL, `password=` / `dbPassword:` / `token=` style settings, PEM keys,
 * bearer tokens and Authorization headers, JWTs, a signed URL's query credentials).
 * CEL cannot redact in place as redactSecrets does, so such a value is not shown at all.
 */
export const SECRET_HINT =
  `@|(?i:(${SECRET_KEY_WORDS})["\\x27]?\\s*[:=])|PRIVATE KEY|(?i:\\bbearer\\s)|(?i:\\bauthorization\\b)|\\beyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.` +
  `|(?i:[?&;](${QUERY_CREDENTIALS.join("|")})=)`;

/**
 * checks/values.ts `show` of a string value: JSON-quoted, cut to 80 characters. CEL has no
 * JSON encoder, so a value containing `"`, `\` or control characters is quoted without
 * escaping them (the message differs from the webhook's only for such values); a value that
 * may hold a credential (SECRET_HINT) is shown as "***", where the webhook masks only the
 * secret part: messages reach kubectl, audit logs and events.
 */
export function show(value: string): string {
  const v = `(${value})`;
  return `(${v}.matches(r'${SECRET_HINT}') ? '"***"' : size(${v}) > 78 ? '"' + ${v}.substring(0, 76) + '..."' : '"' + ${v} + '"')`;
}

/** RE2 patterns, the same as policy/checks/names.ts and kinds/crossdomain.ts. */
export const RE = {
  label: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
  label1035: "^[a-z]([-a-z0-9]*[a-z0-9])?$",
  subdomain: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
  placeholder: "\\{\\{\\s*\\.?[A-Za-z_][\\w]*\\s*\\}\\}",
  k3s: "^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$",
} as const;

/** `v.matches(<pattern>)` with the pattern as a CEL raw string, so RE2 escapes stay readable. */
export function matches(v: string, pattern: string): string {
  return `${v}.matches(r'${pattern}')`;
}

const isLabel = (v: string) => `(size(${v}) <= 63 && ${matches(v, RE.label)})`;
const isSubdomain = (v: string) => `(size(${v}) <= 253 && ${matches(v, RE.subdomain)})`;
const hasPlaceholder = (v: string) => matches(v, RE.placeholder);

/** checks/names.ts `placeholder(v) ?? domainId(v)` is null: a usable domain ID. */
export function domainIdOk(v: string): string {
  return `(!${hasPlaceholder(v)} && ${isLabel(v)} && !(${v} in ${litList(RESERVED_DOMAIN_IDS)}))`;
}

/** The reason `placeholder(v) ?? domainId(v)` gives for a bad domain ID (only meaningful when domainIdOk is false). */
export function domainIdWhy(v: string): string {
  return (
    `(${hasPlaceholder(v)} ? ${lit(NAME_MESSAGES.placeholder)} : ` +
    `${isLabel(v)} ? ${lit(`is reserved (${RESERVED_DOMAIN_IDS.join(", ")}): choose another domain ID`)} : ` +
    `${isSubdomain(v)} ? ${lit(NAME_MESSAGES.domainSubdomain)} : ` +
    `size(${v}) == 0 ? ${lit(NAME_MESSAGES.empty)} : ` +
    `${lit(NAME_MESSAGES.domainId)})`
  );
}

/** `placeholder(v) ?? dnsSubdomain(v)` is null. */
export function subdomainOk(v: string): string {
  return `(!${hasPlaceholder(v)} && ${isSubdomain(v)})`;
}

/** The reason of checks/names.ts `placeholder(v) ?? dnsSubdomain(v)`. */
export function subdomainWhy(v: string): string {
  return (
    `(${hasPlaceholder(v)} ? ${lit(NAME_MESSAGES.placeholder)} : ` +
    `size(${v}) == 0 ? ${lit(NAME_MESSAGES.empty)} : ` +
    `size(${v}) > 253 ? 'is ' + string(size(${v})) + ' characters; a DNS-1123 subdomain has at most 253' : ` +
    `${lit(NAME_MESSAGES.subdomain)})`
  );
}

/** kinds/crossdomain.ts `checkAppImageRef`'s reason for a bad AppImage reference. */
export function appImageRefWhy(v: string): string {
  return `(${hasPlaceholder(v)} || !(size(${v}) <= 253 && ${matches(v, RE.subdomain)}) && !(size(${v}) > 0 && size(${v}) <= 253) ? ${subdomainWhy(v)} : ${lit("is not a valid AppImage name (DNS-1123 subdomain)")})`;
}

/** `placeholder(v) ?? dnsLabel(v)` is null. */
export function labelOk(v: string): string {
  return `(!${hasPlaceholder(v)} && ${isLabel(v)})`;
}

/** The reason of `placeholder(v) ?? dnsLabel(v)`. */
export function labelWhy(v: string): string {
  return (
    `(${hasPlaceholder(v)} ? ${lit(NAME_MESSAGES.placeholder)} : ` +
    `size(${v}) == 0 ? ${lit(NAME_MESSAGES.empty)} : ` +
    `size(${v}) > 63 ? 'is ' + string(size(${v})) + ' characters; a DNS-1123 label has at most 63' : ` +
    `${lit(NAME_MESSAGES.label)})`
  );
}

/** checks/names.ts `taskServiceDot` of a task name (a CEL string expression whose value has no quote or backslash). */
export function taskServiceDotCel(task: string): string {
  return `${lit(NAME_MESSAGES.taskServiceBefore + '"')} + ${task} + ${lit(NAME_MESSAGES.taskServicePattern + '"' + NAME_MESSAGES.taskServiceAfter)}`;
}

/** The reason of checks/names.ts `taskName(v)` (only meaningful when labelOk is false). */
export function taskNameWhy(v: string): string {
  return `(!${hasPlaceholder(v)} && size(${v}) <= 63 && ${v}.contains('.') && ${matches(v, RE.subdomain)} ? ${taskServiceDotCel(v)} : ${labelWhy(v)} + ${lit(NAME_MESSAGES.taskSuffix)})`;
}

/** `placeholder(v) ?? k3sName(v)` is null (KusciaAPI's K3sRegex). */
export function k3sOk(v: string): string {
  return `(!${hasPlaceholder(v)} && ${matches(v, RE.k3s)})`;
}

/** The reason of `placeholder(v) ?? k3sName(v)`. */
export function k3sWhy(v: string): string {
  return `(${hasPlaceholder(v)} ? ${lit(NAME_MESSAGES.placeholder)} : ${lit("is not a valid Kuscia ID: at most 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (KusciaAPI's K3sRegex)")})`;
}

/** The message of a tightening schema's `enum` (policy/schema.ts): `found "x", expected one of "a", "b"[; hint]`. */
export function enumText(v: string, allowed: readonly string[], hint?: string): string {
  return `'found ' + ${show(v)} + ${lit(`, expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}${hint ? `; ${hint}` : ""}`)}`;
}

/**
 * The first element of `list` (a CEL list expression) for which `bad` (over the variable
 * `x`) holds, and its index as a string. Found by value (Kubernetes' `indexOf`): exact for
 * checks that depend on the value alone.
 */
export function firstBad(list: string, x: string, bad: string): { item: string; index: string } {
  const item = `${list}.filter(${x}, ${bad})[0]`;
  return { item, index: `string(${list}.indexOf(${item}))` };
}

/** `has(a.b.c)` for each prefix of a dotted path below `root`, joined with &&. */
export function present(root: string, path: string): string {
  const parts = path.split(".");
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) out.push(`has(${root}.${parts.slice(0, i).join(".")})`);
  return out.join(" && ");
}
