/**
 * Turns a policy configuration document into the compiled `PolicyConfig` the
 * rule book applies. Pure: the caller reads the file; errors come back as data,
 * one line each, naming the field and the fix.
 */
import { createHash } from "node:crypto";
import { parseYamlValue, type YamlLimits } from "../yaml";
import { compile, schemaViolations } from "../schema";
import { anyGlob, compileGlob, isGlob, type Glob } from "./glob";
import { Suggestions } from "../suggest";
import { DEFAULT_PARAMETERS } from "./parameters";
import { POLICY_CONFIGURATION_SCHEMA } from "./schema";
import { DEFAULT_VERSION, isKnownRelease, parseKusciaVersion, KUSCIA_RELEASES } from "./version";
import { ACTIONS, CONFIG_API_VERSION, CONFIG_KIND, type Action, type PolicyConfig, type PolicyConfigurationDocument, type PolicyException, type Requester, type RuleSetting, FAIL_CLOSED } from "./types";

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
  // The rule book's bounded parser (policy/yaml.ts): linear in the text, duplicate keys
  // refused with one Set per mapping (the \`yaml\` package's own uniqueKeys check is quadratic).
  const r = parseYamlValue(text, CONFIG_YAML_LIMITS);
  if ("error" in r) {
    if (r.error === "holds more than one YAML document") return { errors: [`${origin}: holds more than one YAML document; a policy configuration is one document`] };
    return { errors: [`${origin}: ${/^not valid YAML|^is larger|^duplicate/.test(r.error) ? "" : "not valid YAML: "}${r.error}`] };
  }
  const doc = r.value;
  if (doc === undefined) {
    // An empty file is most often one caught half-written (\`>\` truncates first): refusing it
    // keeps the configuration in force instead of silently dropping every setting.
    return { errors: [`${origin}: is empty; a policy configuration needs at least "apiVersion: ${CONFIG_API_VERSION}" and "kind: ${CONFIG_KIND}" (an empty configuration means every rule at its default action)`] };
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return { errors: [`${origin}: is not a YAML mapping of policy settings (found ${doc === null ? "null" : Array.isArray(doc) ? "a list" : typeof doc})`] };
  return compilePolicyConfiguration(doc, origin, knownRules, now, knownKinds, ruleKinds);
}

/** Parsing limits of a configuration file: its size, and room for a rules mapping of every rule id many times over. */
const CONFIG_YAML_LIMITS: Partial<YamlLimits> = { maxDocumentBytes: MAX_CONFIG_BYTES, maxDepth: 64, maxKeys: 100_000, maxAliases: 100, maxExpandedNodes: 2_000_000 };

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

  if (d.kusciaVersion !== undefined) {
    const v = parseKusciaVersion(d.kusciaVersion);
    if (!v) errors.push(`${origin}: kusciaVersion: found ${JSON.stringify(d.kusciaVersion)}, expected a Kuscia release such as v1.1 (known: ${KUSCIA_RELEASES.join(", ")})`);
    else {
      if (!isKnownRelease(v)) warnings.push(`${origin}: kusciaVersion ${v.name} is not a release the rule book was checked against (${KUSCIA_RELEASES.join(", ")}); rules use the nearest facts they know`);
    }
  }

  const known = new Set(knownRules);
  // One answer per distinct pattern: a file repeats the same rule globs thousands of times.
  const matchedSome = new Map<string, boolean>();
  const matchesSome = (pattern: string): boolean => {
    if (!isGlob(pattern)) return known.has(pattern);
    let m = matchedSome.get(pattern);
    if (m === undefined) {
      const g = compileGlob(pattern);
      m = knownRules.some((r) => g.test(r));
      matchedSome.set(pattern, m);
    }
    return m;
  };
  // The closest rule ids for a misspelt one; none for a glob (it names no one rule).
  const suggestions = new Suggestions(knownRules);
  const nearest = (id: string): string => (isGlob(id) ? "" : suggestions.hint(id));
  for (const [id, raw] of Object.entries(d.rules ?? {})) {
    if (!matchesSome(id)) {
      errors.push(`${origin}: rules["${id}"]: names no rule of the rule book${nearest(id)}; \`kuscia-iac rules\` lists the rule ids`);
      continue;
    }
    const shapeError = checkSetting(raw);
    if (shapeError) {
      errors.push(`${origin}: rules["${id}"]: ${shapeError}`);
      continue;
    }
    const s = settingOf(raw as RuleSetting);
    if (FAIL_CLOSED.has(id) && ((s.action !== undefined && s.action !== "deny") || s.allowExisting === true)) {
      errors.push(`${origin}: rules["${id}"]: cannot be relaxed: it refuses an object a rule could not evaluate (fail closed); report the rule's bug instead`);
      continue;
    }
  }

  const names = new Set<string>();
  const idle = new IdleExceptions(knownRules, ruleKinds);
  for (const [i, e] of (d.exceptions ?? []).entries()) {
    const at = `${origin}: exceptions[${i}]`;
    if (names.has(e.name)) errors.push(`${at}.name: ${JSON.stringify(e.name)} is used by another exception; names must be unique`);
    names.add(e.name);
    if (e.expires !== undefined) {
      const until = expiryOf(e.expires);
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
    for (const r of e.rules) {
      if (FAIL_CLOSED.has(r)) errors.push(`${at}.rules: ${JSON.stringify(r)} cannot be excepted: it refuses an object a rule could not evaluate (fail closed); report the rule's bug instead`);
      else if (!matchesSome(r)) errors.push(`${at}.rules: ${JSON.stringify(r)} names no rule of the rule book${nearest(r)}; \`kuscia-iac rules\` lists the rule ids`);
    }
    const why = idle.why(e);
    if (why) warnings.push(`${at} (${e.name}): ${why}`);
  }
  if (errors.length > 0) return { errors };

  for (const s of d.exemptRequesters?.serviceAccounts ?? []) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(s)) {
      return { errors: [`${origin}: exemptRequesters.serviceAccounts: found ${JSON.stringify(s)}, expected <namespace>:<name>, e.g. kuscia-system:kuscia`] };
    }
  }
  const digest = createHash("sha256").update(JSON.stringify(doc)).digest("hex");
  return { config: buildPolicyConfig(structuredClone(d), origin, digest), warnings };
}

/**
 * The compiled configuration of a document that compilePolicyConfiguration has accepted,
 * with the digest it computed: no check is repeated (a review worker, or the webhook's main
 * thread, takes a document its configuration loader has validated). Linear in the document:
 * globs are compiled once, exceptions indexed by the rule ids they name. `document` is kept
 * (frozen), not copied.
 */
export function buildPolicyConfig(document: PolicyConfigurationDocument, origin: string, digest: string): PolicyConfig {
  const d = document;
  const exact = new Map<string, { action?: Action; allowExisting?: boolean }>();
  const globbed: { glob: Glob; specificity: number; setting: { action?: Action; allowExisting?: boolean } }[] = [];
  for (const [id, raw] of Object.entries(d.rules ?? {})) {
    const s = settingOf(raw as RuleSetting);
    if (isGlob(id)) globbed.push({ glob: compileGlob(id), specificity: id.replace(/[*?]/g, "").length, setting: s });
    else exact.set(id, s);
  }
  globbed.sort((a, b) => b.specificity - a.specificity);

  // Exceptions in file order (the first that applies is the one named); those naming only
  // exact rule ids are indexed by rule, those with a rule glob are tried for every rule.
  const exceptions: CompiledException[] = (d.exceptions ?? []).map((e, index) => {
    const kind = anyGlob(e.match.kinds);
    const ns = anyGlob(e.match.namespaces);
    const name = anyGlob(e.match.names);
    const rule = anyGlob(e.rules);
    return {
      exception: e,
      index,
      until: e.expires === undefined ? undefined : expiryOf(e.expires),
      test: (t: Target, r: string) => rule(r) && (kind(t.kind ?? "") || kind(`${t.apiVersion ?? ""}/${t.kind ?? ""}`)) && ns(t.namespace ?? "") && name(t.name ?? ""),
    };
  });
  const byRule = new Map<string, CompiledException[]>();
  const anyRule: CompiledException[] = [];
  for (const c of exceptions) {
    if (c.exception.rules.some(isGlob)) anyRule.push(c);
    else {
      for (const r of new Set(c.exception.rules)) {
        const list = byRule.get(r);
        if (list) list.push(c);
        else byRule.set(r, [c]);
      }
    }
  }
  const ex = d.exemptRequesters ?? {};
  const usernames = new Set(ex.usernames ?? []);
  const groups = new Set(ex.groups ?? []);
  const serviceAccounts = new Set((ex.serviceAccounts ?? []).map((s) => `system:serviceaccount:${s}`));

  // Globs never reach the fail-closed rule: `"*": off` must not admit what a broken rule could not judge.
  const settingFor = (rule: string) => (FAIL_CLOSED.has(rule) ? undefined : (exact.get(rule) ?? globbed.find((g) => g.glob.test(rule))?.setting));
  const config: PolicyConfig = {
    kusciaVersion: (d.kusciaVersion !== undefined ? parseKusciaVersion(d.kusciaVersion) : undefined) ?? DEFAULT_VERSION,
    params: Object.freeze({ ...DEFAULT_PARAMETERS, ...(d.parameters ?? {}) }),
    origin,
    digest,
    document: Object.freeze(d),
    actionOf(rule, severity) {
      return settingFor(rule)?.action ?? (severity === "error" ? "deny" : "warn");
    },
    allowsExisting(rule) {
      return settingFor(rule)?.allowExisting ?? !FAIL_CLOSED.has(rule);
    },
    exceptionFor(t, rule, at) {
      if (FAIL_CLOSED.has(rule)) return undefined;
      const when = at.getTime();
      const applies = (c: CompiledException) => (c.until === undefined || when < c.until) && c.test(t, rule);
      // The earliest in file order among the exceptions naming this rule and those with a rule glob.
      const named = byRule.get(rule) ?? [];
      let i = 0;
      let j = 0;
      while (i < named.length || j < anyRule.length) {
        const c = j >= anyRule.length || (i < named.length && named[i].index < anyRule[j].index) ? named[i++] : anyRule[j++];
        if (applies(c)) return c.exception;
      }
      return undefined;
    },
    exemption(r: Requester) {
      // Whole names only: a requester whose name extends an exempt one is not exempt.
      if (r.username !== undefined && usernames.has(r.username)) return `username ${r.username}`;
      if (r.username !== undefined && serviceAccounts.has(r.username)) return `service account ${r.username.slice("system:serviceaccount:".length)}`;
      const g = (r.groups ?? []).find((x) => groups.has(x));
      return g === undefined ? undefined : `group ${g}`;
    },
  };
  return config;
}

/**
 * A configuration document compilePolicyConfiguration accepted, as JSON text with its digest
 * and origin: what crosses threads (the webhook's configuration loader, its review workers).
 */
export interface PolicySource {
  digest: string;
  origin: string;
  json: string;
}

/** The source of a compiled configuration. */
export function sourceOf(config: PolicyConfig): PolicySource {
  return { digest: config.digest, origin: config.origin, json: JSON.stringify(config.document) };
}

/** The configuration of a source (trusted: see buildPolicyConfig). Throws only on text that is not JSON. */
export function configOfSource(s: PolicySource): PolicyConfig {
  return buildPolicyConfig(JSON.parse(s.json) as PolicyConfigurationDocument, s.origin, s.digest);
}

interface CompiledException {
  exception: PolicyException;
  index: number;
  until?: number;
  test: (t: Target, rule: string) => boolean;
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
 * kind ("*") and kind globs count as carried. Answers are kept per distinct (kinds, rules):
 * a file of 11,000 exceptions usually repeats a handful of them, and each new one costs one
 * pass over the rule ids, so the whole check stays linear in the file.
 */
class IdleExceptions {
  private readonly covered = new Map<string, string[]>();
  private readonly answers = new Map<string, string | undefined>();
  constructor(
    private readonly knownRules: readonly string[],
    private readonly ruleKinds: ReadonlyMap<string, string>,
  ) {}

  why(e: PolicyException): string | undefined {
    const kinds = e.match.kinds;
    if (!kinds || kinds.length === 0 || this.ruleKinds.size === 0) return undefined;
    const key = JSON.stringify([kinds, e.rules]);
    if (this.answers.has(key)) return this.answers.get(key);
    const answer = this.compute(kinds, e.rules);
    this.answers.set(key, answer);
    return answer;
  }

  private coveredBy(rules: readonly string[]): string[] {
    const key = JSON.stringify(rules);
    let c = this.covered.get(key);
    if (!c) {
      const match = anyGlob(rules);
      c = this.knownRules.filter((r) => match(r) && this.ruleKinds.has(r));
      this.covered.set(key, c);
    }
    return c;
  }

  private compute(kinds: readonly string[], rules: readonly string[]): string | undefined {
    const covered = this.coveredBy(rules);
    if (covered.length === 0) return undefined;
    const match = anyGlob(kinds);
    const carried = covered.some((r) => {
      const key = this.ruleKinds.get(r)!;
      if (key === "*") return true;
      return match(key.slice(key.lastIndexOf("/") + 1)) || match(key);
    });
    if (carried) return undefined;
    const kindsOf = [...new Set(covered.map((r) => this.ruleKinds.get(r)!.slice(this.ruleKinds.get(r)!.lastIndexOf("/") + 1)))];
    return (
      `match.kinds ${JSON.stringify(kinds)} review none of its rules ${JSON.stringify(rules)} (they apply to ${kindsOf.join(", ")}), ` +
      `so it excepts nothing; fix match.kinds or rules (\`kuscia-iac rules\` lists each rule's kind)`
    );
  }
}

/** A kind the rule book reviews, for checking exception matches. */
export interface KindName {
  apiVersion: string;
  kind: string;
}


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
