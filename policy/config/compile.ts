/**
 * Turns a policy configuration document into the compiled `PolicyConfig` the
 * rule book applies. Pure: the caller reads the file; errors come back as data,
 * one line each, naming the field and the fix.
 */
import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { compile, schemaViolations } from "../schema";
import { anyGlob, globToRegExp, isGlob } from "./glob";
import { DEFAULT_PARAMETERS } from "./parameters";
import { POLICY_CONFIGURATION_SCHEMA } from "./schema";
import { DEFAULT_VERSION, isKnownRelease, parseKusciaVersion, KUSCIA_RELEASES } from "./version";
import type { Action, PolicyConfig, PolicyConfigurationDocument, PolicyException, Requester, RuleSetting } from "./types";

export type CompileResult = { config: PolicyConfig; warnings: string[] } | { errors: string[] };

let validator: ReturnType<typeof compile> | undefined;

/** The largest configuration file read (a configuration is hand-written; anything bigger is a mistake). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Parses YAML or JSON text into a configuration. `knownRules` are the rule ids of
 * the rule book (a setting or exception naming no rule is an error: it would silently do nothing).
 */
export function parsePolicyConfiguration(text: string, origin: string, knownRules: readonly string[], now: Date = new Date()): CompileResult {
  if (text.length > MAX_CONFIG_BYTES) return { errors: [`${origin}: is larger than ${MAX_CONFIG_BYTES} bytes`] };
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 0, uniqueKeys: true }) ?? {};
  } catch (e) {
    return { errors: [`${origin}: not valid YAML: ${(e as Error).message.split("\n")[0]}`] };
  }
  return compilePolicyConfiguration(doc, origin, knownRules, now);
}

/** Validates and compiles a configuration object (from a file, a Pulumi config value or code). */
export function compilePolicyConfiguration(doc: unknown, origin: string, knownRules: readonly string[], now: Date = new Date()): CompileResult {
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
    const s = settingOf(raw);
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
      until = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(e.expires) ? `${e.expires}T00:00:00Z` : e.expires);
      if (Number.isNaN(until)) errors.push(`${at}.expires: found ${JSON.stringify(e.expires)}, expected an RFC 3339 date such as 2027-06-30`);
      else if (until <= now.getTime()) warnings.push(`${at} (${e.name}) expired on ${e.expires} and no longer applies; remove it`);
    }
    for (const r of e.rules) if (!matchesSome(r)) errors.push(`${at}.rules: ${JSON.stringify(r)} names no rule of the rule book; \`kuscia-iac rules\` lists the rule ids`);
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

  const settingFor = (rule: string) => exact.get(rule) ?? globbed.find((g) => g.re.test(rule))?.setting;
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

function settingOf(raw: RuleSetting): { action?: Action; allowExisting?: boolean } {
  return typeof raw === "string" ? { action: raw } : { action: raw.action, allowExisting: raw.allowExistingViolations };
}
