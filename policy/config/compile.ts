/**
 * Turns a policy configuration document into the compiled `PolicyConfig` the
 * rule book applies. Pure: the caller reads the file; errors come back as data,
 * one line each, naming the field and the fix.
 */
import { createHash } from "node:crypto";
import { LineCounter, parseAllDocuments } from "yaml";
import { compile, schemaViolations } from "../schema";
import { anyGlob, globToRegExp, isGlob } from "./glob";
import { DEFAULT_PARAMETERS } from "./parameters";
import { POLICY_CONFIGURATION_SCHEMA } from "./schema";
import { DEFAULT_VERSION, isKnownRelease, parseKusciaVersion, KUSCIA_RELEASES } from "./version";
import { ACTIONS, CONFIG_API_VERSION, CONFIG_KIND, type Action, type PolicyConfig, type PolicyConfigurationDocument, type PolicyException, type Requester, type RuleSetting } from "./types";

export type CompileResult = { config: PolicyConfig; warnings: string[] } | { errors: string[] };

let validator: ReturnType<typeof compile> | undefined;

/** The largest configuration file read (a configuration is hand-written; anything bigger is a mistake). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Parses YAML or JSON text into a configuration. `knownRules` are the rule ids of
 * the rule book (a setting or exception naming no rule is an error: it would silently do nothing).
 */
export function parsePolicyConfiguration(text: string, origin: string, knownRules: readonly string[], now: Date = new Date(), knownKinds: readonly KindName[] = [], ruleKinds: ReadonlyMap<string, string> = new Map()): CompileResult {
  if (text.length > MAX_CONFIG_BYTES) return { errors: [`${origin}: is larger than ${MAX_CONFIG_BYTES} bytes`] };
  let doc: unknown;
  try {
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
    const list = Array.isArray(docs) ? docs : [docs];
    const real = list.filter((d) => d.contents !== null || d.errors.length > 0);
    if (real.length > 1) return { errors: [`${origin}: holds ${real.length} YAML documents; a policy configuration is one document`] };
    const d = real[0];
    if (!d) {
      // An empty file is most often one caught half-written (`>` truncates first): refusing it
      // keeps the configuration in force instead of silently dropping every setting.
      return { errors: [`${origin}: is empty; a policy configuration needs at least "apiVersion: ${CONFIG_API_VERSION}" and "kind: ${CONFIG_KIND}" (an empty configuration means every rule at its default action)`] };
    }
    const err = d.errors[0];
    if (err) return { errors: [`${origin}: line ${lines.linePos(err.pos[0]).line}: not valid YAML: ${err.message.split("\n")[0]}`] };
    doc = d.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { errors: [`${origin}: not valid YAML: ${(e as Error).message.split("\n")[0]}`] };
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return { errors: [`${origin}: is not a YAML mapping of policy settings (found ${Array.isArray(doc) ? "a list" : typeof doc})`] };
  return compilePolicyConfiguration(doc, origin, knownRules, now, knownKinds, ruleKinds);
}

/**
 * Validates and compiles a configuration object (from a file, a Pulumi config value or code).
 * `ruleKinds` maps each rule id to the kind it reviews (`apiVersion/Kind`, `*` for any): with
 * it, an exception whose kinds carry none of its rules is warned about (it excepts nothing).
 */
export function compilePolicyConfiguration(doc: unknown, origin: string, knownRules: readonly string[], now: Date = new Date(), knownKinds: readonly KindName[] = [], ruleKinds: ReadonlyMap<string, string> = new Map()): CompileResult {
  validator ??= compile(POLICY_CONFIGURATION_SCHEMA as unknown as Record<string, unknown>);
  const errors = schemaViolations(validator, doc, "config").map((v) => `${origin}: ${v.message}`);
  if (errors.length > 0) return { errors };
  const d = doc as PolicyConfigurationDocument;
  const warnings: string[] = [];

  let version = DEFAULT_VERSION;
  if (d.kusciaVersion !== undefined) {
    const v = parseKusciaVersion(d.kusciaVersion);
    if (!v) errors.push(`${origin}: kusciaVersion: found ${JSON.stringify(d.kusciaVersion)}, expected a Kuscia release such as v1.1 (known: ${KUSCIA_RELEASES.join(", ")})`);
    else {
      version = v;
      if (!isKnownRelease(v)) warnings.push(`${origin}: kusciaVersion ${v.name} is not a release the rule book was checked against (${KUSCIA_RELEASES.join(", ")}); rules use the nearest facts they know`);
    }
  }

  const known = new Set(knownRules);
  const matchesSome = (pattern: string) => (isGlob(pattern) ? knownRules.some((r) => globToRegExp(pattern).test(r)) : known.has(pattern));
  const exact = new Map<string, { action?: Action; allowExisting?: boolean }>();
  const globbed: { re: RegExp; specificity: number; setting: { action?: Action; allowExisting?: boolean } }[] = [];
  for (const [id, raw] of Object.entries(d.rules ?? {})) {
    if (!matchesSome(id)) {
      errors.push(`${origin}: rules["${id}"]: names no rule of the rule book; \`kuscia-iac rules\` lists the rule ids`);
      continue;
    }
    const shapeError = checkSetting(raw);
    if (shapeError) {
      errors.push(`${origin}: rules["${id}"]: ${shapeError}`);
      continue;
    }
    const s = settingOf(raw as RuleSetting);
    if (FAIL_CLOSED.has(id) && s.action !== undefined && s.action !== "deny") {
      errors.push(`${origin}: rules["${id}"]: cannot be relaxed: it refuses an object a rule could not evaluate (fail closed); report the rule's bug instead`);
      continue;
    }
    if (isGlob(id)) globbed.push({ re: globToRegExp(id), specificity: id.replace(/[*?]/g, "").length, setting: s });
    else exact.set(id, s);
  }
  globbed.sort((a, b) => b.specificity - a.specificity);

  const exceptions: (PolicyException & { until?: number; test: (t: Target, rule: string) => boolean })[] = [];
  const names = new Set<string>();
  for (const [i, e] of (d.exceptions ?? []).entries()) {
    const at = `${origin}: exceptions[${i}]`;
    if (names.has(e.name)) errors.push(`${at}.name: ${JSON.stringify(e.name)} is used by another exception; names must be unique`);
    names.add(e.name);
    let until: number | undefined;
    if (e.expires !== undefined) {
      until = expiryOf(e.expires);
      if (until === undefined) errors.push(`${at}.expires: found ${JSON.stringify(e.expires)}, expected an RFC 3339 date such as 2027-06-30 (the exception applies through that day, UTC) or date-time`);
      else if (until <= now.getTime()) warnings.push(`${at} (${e.name}) expired on ${e.expires} and no longer applies; remove it`);
    }
    for (const k of e.match.kinds ?? []) {
      if (!isGlob(k) && knownKinds.length > 0 && !knownKinds.some((x) => x.kind === k || `${x.apiVersion}/${x.kind}` === k)) {
        errors.push(`${at}.match.kinds: ${JSON.stringify(k)} is no kind the rule book reviews; use a kind such as InteropConfig or kuscia.secretflow/v1alpha1/InteropConfig (case-sensitive)`);
      }
    }
    errors.push(...emptyMatchErrors(at, e.match));
    const everyObject = [e.match.kinds, e.match.namespaces, e.match.names].every((l) => l === undefined || l.includes("*"));
    if (everyObject && e.rules.includes("*")) {
      warnings.push(`${at} (${e.name}) matches every object and every rule: nothing is refused while it applies`);
    }
    for (const r of e.rules) if (!matchesSome(r)) errors.push(`${at}.rules: ${JSON.stringify(r)} names no rule of the rule book; \`kuscia-iac rules\` lists the rule ids`);
    const idle = kindsCarryNoRule(e, knownRules, ruleKinds);
    if (idle) warnings.push(`${at} (${e.name}): ${idle}`);
    const kind = anyGlob(e.match.kinds);
    const ns = anyGlob(e.match.namespaces);
    const name = anyGlob(e.match.names);
    const rule = anyGlob(e.rules);
    exceptions.push({
      ...e,
      until,
      test: (t, r) => rule(r) && (kind(t.kind ?? "") || kind(`${t.apiVersion ?? ""}/${t.kind ?? ""}`)) && ns(t.namespace ?? "") && name(t.name ?? ""),
    });
  }
  if (errors.length > 0) return { errors };

  const ex = d.exemptRequesters ?? {};
  const usernames = new Set(ex.usernames ?? []);
  const groups = new Set(ex.groups ?? []);
  const serviceAccounts = new Set((ex.serviceAccounts ?? []).map((s) => `system:serviceaccount:${s}`));
  for (const s of ex.serviceAccounts ?? []) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(s)) {
      return { errors: [`${origin}: exemptRequesters.serviceAccounts: found ${JSON.stringify(s)}, expected <namespace>:<name>, e.g. kuscia-system:kuscia`] };
    }
  }

  // Globs never reach the fail-closed rule: `"*": off` must not admit what a broken rule could not judge.
  const settingFor = (rule: string) => exact.get(rule) ?? (FAIL_CLOSED.has(rule) ? undefined : globbed.find((g) => g.re.test(rule))?.setting);
  const config: PolicyConfig = {
    kusciaVersion: version,
    params: Object.freeze({ ...DEFAULT_PARAMETERS, ...(d.parameters ?? {}) }),
    origin,
    digest: createHash("sha256").update(JSON.stringify(doc)).digest("hex"),
    document: Object.freeze(structuredClone(d)),
    actionOf(rule, severity) {
      return settingFor(rule)?.action ?? (severity === "error" ? "deny" : "warn");
    },
    allowsExisting(rule) {
      return settingFor(rule)?.allowExisting ?? true;
    },
    exceptionFor(t, rule, at) {
      const when = at.getTime();
      return exceptions.find((e) => (e.until === undefined || when < e.until) && e.test(t, rule));
    },
    exemption(r: Requester) {
      if (r.username !== undefined && usernames.has(r.username)) return `username ${r.username}`;
      if (r.username !== undefined && serviceAccounts.has(r.username)) return `service account ${r.username.slice("system:serviceaccount:".length)}`;
      const g = (r.groups ?? []).find((x) => groups.has(x));
      return g === undefined ? undefined : `group ${g}`;
    },
  };
  return { config, warnings };
}

type Target = { kind?: string; apiVersion?: string; namespace?: string; name?: string };

/**
 * Errors for a match that silently covers every object: `match: {}` and empty lists (an
 * absent or empty list matches anything). Every object has to be asked for with "*".
 */
function emptyMatchErrors(at: string, m: PolicyException["match"]): string[] {
  const errors: string[] = [];
  const what = { kinds: "kind", namespaces: "namespace", names: "name" } as const;
  for (const f of ["kinds", "namespaces", "names"] as const) {
    const l = m[f];
    if (l !== undefined && l.length === 0) {
      errors.push(
        `${at}.match.${f}: is an empty list, which matches every ${what[f]}; list the ${what[f]} globs the exception covers` +
          (f === "namespaces" ? ' ([""] for cluster-scoped objects)' : "") +
          `, ["*"] for every ${what[f]}, or leave match.${f} out`,
      );
    }
  }
  if (m.kinds === undefined && m.namespaces === undefined && m.names === undefined) {
    errors.push(`${at}.match: is empty, which matches every object; name what the exception covers (kinds, namespaces and/or names), or write match: {kinds: ["*"]} to cover every object on purpose`);
  }
  return errors;
}

/**
 * Why an exception excepts nothing because its kinds review none of its rules (kinds
 * [InteropConfig], rules [domain.role]), or undefined. Needs the rules' kinds; rules of any
 * kind ("*") and kind globs count as carried.
 */
function kindsCarryNoRule(e: PolicyException, knownRules: readonly string[], ruleKinds: ReadonlyMap<string, string>): string | undefined {
  const kinds = e.match.kinds;
  if (!kinds || kinds.length === 0 || ruleKinds.size === 0) return undefined;
  const covered = knownRules.filter((r) => e.rules.some((g) => globToRegExp(g).test(r)) && ruleKinds.has(r));
  if (covered.length === 0) return undefined;
  const res = kinds.map(globToRegExp);
  const carried = covered.some((r) => {
    const key = ruleKinds.get(r)!;
    if (key === "*") return true;
    const kind = key.slice(key.lastIndexOf("/") + 1);
    return res.some((re) => re.test(kind) || re.test(key));
  });
  if (carried) return undefined;
  const kindsOf = [...new Set(covered.map((r) => ruleKinds.get(r)!.slice(ruleKinds.get(r)!.lastIndexOf("/") + 1)))];
  return (
    `match.kinds ${JSON.stringify(kinds)} review none of its rules ${JSON.stringify(e.rules)} (they apply to ${kindsOf.join(", ")}), ` +
    `so it excepts nothing; fix match.kinds or rules (\`kuscia-iac rules\` lists each rule's kind)`
  );
}

/** A kind the rule book reviews, for checking exception matches. */
export interface KindName {
  apiVersion: string;
  kind: string;
}

/** Rules no configuration may relax: they are how the rule book fails closed. */
const FAIL_CLOSED = new Set(["internal.rule-error"]);

function checkSetting(raw: unknown): string | undefined {
  const expected = `expected one of ${ACTIONS.join(", ")}, or {action: <one of them>, allowExistingViolations: true|false}`;
  if (typeof raw === "string") return (ACTIONS as readonly string[]).includes(raw) ? undefined : `found ${JSON.stringify(raw)}, ${expected}`;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return `found ${JSON.stringify(raw)}, ${expected}`;
  for (const [k, v] of Object.entries(raw)) {
    if (k === "action") {
      if (typeof v !== "string" || !(ACTIONS as readonly string[]).includes(v)) return `action: found ${JSON.stringify(v)}, expected one of ${ACTIONS.join(", ")}`;
    } else if (k === "allowExistingViolations") {
      if (typeof v !== "boolean") return `allowExistingViolations: found ${JSON.stringify(v)}, expected true or false`;
    } else return `${k}: is not a known field; expected action or allowExistingViolations`;
  }
  return undefined;
}

/**
 * When an exception stops applying, in ms since the epoch: a date means through the end of
 * that day (UTC), a date-time that instant. Undefined when the text is no real date (2027-02-30).
 */
export function expiryOf(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const t = Date.UTC(y, mo - 1, d);
    const back = new Date(t);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
    return t + 24 * 60 * 60 * 1000;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

function settingOf(raw: RuleSetting): { action?: Action; allowExisting?: boolean } {
  return typeof raw === "string" ? { action: raw } : { action: raw.action, allowExisting: raw.allowExistingViolations };
}
