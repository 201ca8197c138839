/**
 * Writes docs/rules/<id>.md for every rule of the rule book, and docs/rules/README.md (the
 * index), from the rules themselves, as ESLint writes its rule pages from each rule's `meta`:
 * summary, severity and default action, upstream source, parameters, the Kuscia releases the
 * verdict depends on, its ValidatingAdmissionPolicy form or why it has none, and a reported
 * and an accepted example, found by running the rule book over examples/manifests (the
 * examples the tests use). Run `npm run gen:rule-docs` after changing a rule or an example;
 * test/unit/docs/rules.test.ts fails while a page is stale.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { checkPeering, checkReferences, CONFIG_KEY, CONFIG_LABEL, DEFAULT_KUSCIA_VERSION, DEFAULT_PARAMETERS, defaultPolicyConfiguration, KUSCIA_RELEASES, PREFLIGHT, REFERENCES, refKey, refOf, review, ruleDefinitions, type RuleDefinition } from "../policy";
import { ruleDocPath } from "../policy/ruledocs";
import { loadExamples, type Example } from "./examples";
import { UPDATE_EXAMPLES, type UpdateExample } from "./update-examples";
import { stringify } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
/** Where the pages go, relative to the repository root. */
export const RULE_DOCS_DIR = path.posix.dirname(ruleDocPath("x"));
/** The clock the examples are reviewed at, so that a page does not change with the date (certificates expire): inside the validity window of every certificate of the examples. */
export const PAGES_NOW = new Date("2027-01-01T00:00:00Z");
/** The command that regenerates the pages. */
export const REGENERATE = "npm run gen:rule-docs";

/** One finding of a rule on an example, and how the rule book was run to get it. */
interface Sighting {
  doc: Example;
  /** The messages of the rule on that document. */
  messages: string[];
  /** `review`: the document alone; `set`: with the other documents of its file (references, peering). */
  how: "review" | "set";
  /** Distinct rules reported on the document (fewer: a clearer example). */
  noise: number;
}

/** An UPDATE the rule refuses (tools/update-examples.ts), with the rule book's messages; its accepted form keeps the field. */
interface UpdateSighting {
  example: UpdateExample;
  messages: string[];
}

export interface RuleExamples {
  reported?: Sighting;
  accepted?: Example;
  /** For a rule that reads the stored object: an update it refuses, and (`updateAccepted`) the same update keeping the field, which it accepts. */
  update?: UpdateSighting;
  updateAccepted?: boolean;
  /** No accepted example because the rule reports every object of its kind among the examples. */
  reportsEvery?: boolean;
}

const kindKey = (k: { apiVersion: string; kind: string }) => `${k.apiVersion}/${k.kind}`;
const isAccepted = (d: Example) => d.file.split(path.sep).includes("accepted");
const relFile = (d: Example) => path.relative(ROOT, d.file).split(path.sep).join("/");

/** The text of example `d` (its YAML, without the comment above it), from its first line to the next `---`. */
function docText(d: Example): string[] {
  const lines = readFileSync(d.file, "utf8").split("\n");
  const out: string[] = [];
  for (let i = d.line - 1; i < lines.length && !/^---\s*$/.test(lines[i]); i++) out.push(lines[i]);
  while (out.length > 0 && out[out.length - 1].trim() === "") out.pop();
  return out;
}

/** Whether `obj` has a value at the dotted path `p` (array indexes: any element). */
function hasPath(obj: unknown, p: string): boolean {
  const segs = p.replace(/\[\d+\]/g, ".[]").replace(/\["([^"]*)"\]/g, ".$1").split(".").filter((s) => s !== "");
  const walk = (v: unknown, i: number): boolean => {
    if (i === segs.length) return v !== undefined && v !== null;
    if (segs[i] === "[]") return Array.isArray(v) && v.some((x) => walk(x, i + 1));
    return !!v && typeof v === "object" && !Array.isArray(v) && walk((v as Record<string, unknown>)[segs[i]], i + 1);
  };
  return walk(obj, 0);
}

/**
 * For every rule, the example that shows it best being reported, and one it accepts: runs the
 * rule book over every example (review per document; references and peering per file, the
 * documents of a file taken as one set, as `review --references` does).
 */
export function findExamples(): Map<string, RuleExamples> {
  const config = defaultPolicyConfiguration();
  const docs = [...loadExamples("refused"), ...loadExamples("accepted")];
  const sightings = new Map<string, Sighting[]>();
  const clean = new Map<Example, { kind?: string; rules: Set<string>; allowed: boolean }>();
  const add = (rule: string, s: Omit<Sighting, "noise">) => sightings.set(rule, [...(sightings.get(rule) ?? []), { ...s, noise: clean.get(s.doc)!.rules.size }]);

  for (const d of docs) {
    const r = review(d.object, { now: PAGES_NOW });
    const findings = [...r.violations, ...r.warnings];
    clean.set(d, { kind: r.known ? r.kind : undefined, rules: new Set(findings.map((f) => f.rule)), allowed: r.allowed });
    for (const rule of clean.get(d)!.rules) add(rule, { doc: d, how: "review", messages: findings.filter((f) => f.rule === rule).map((f) => f.message) });
  }
  // Findings across the objects of one file: references and peering.
  const byFile = new Map<string, Example[]>();
  for (const d of docs) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  const setRuleOk = new Map<string, Set<Example>>();
  for (const group of byFile.values()) {
    const objects = group.map((d) => d.object);
    const byRef = new Map(group.flatMap((d) => {
      const ref = refOf(d.object);
      return ref ? [[refKey(ref), d] as const] : [];
    }));
    const found = new Map<Example, Map<string, string[]>>();
    const note = (d: Example | undefined, rule: string, message: string) => {
      if (!d) return;
      const m = found.get(d) ?? new Map<string, string[]>();
      m.set(rule, [...(m.get(rule) ?? []), message]);
      found.set(d, m);
    };
    for (const res of checkReferences(objects, { config, now: PAGES_NOW })) for (const f of [...res.violations, ...res.warnings]) note(byRef.get(refKey(res.object)), f.rule, f.message);
    for (const res of checkPeering(objects, { config, now: PAGES_NOW })) for (const f of [...res.violations, ...res.warnings]) note(group[res.index], f.rule, f.message);
    for (const [d, rules] of found) for (const [rule, messages] of rules) add(rule, { doc: d, how: "set", messages });
    const accept = (id: string, d: Example) => setRuleOk.set(id, new Set([...(setRuleOk.get(id) ?? []), d]));
    const isFrom = (d: Example, k: { apiVersion: string; kind: string }) => {
      const o = d.object as Record<string, unknown>;
      return isAccepted(d) && o?.apiVersion === k.apiVersion && o?.kind === k.kind;
    };
    // A document whose references of a rule all resolve inside its file: an accepted example of that rule.
    for (const ref of REFERENCES) {
      for (const d of group) {
        if (!isFrom(d, ref.from) || ref.refs(d.object as never).length === 0 || found.get(d)?.has(ref.id)) continue;
        accept(ref.id, d);
      }
    }
    // A pre-flight check that had something to check and found nothing: the document has a subject
    // for it, its file holds objects of every kind the check needs, and the names of those kinds
    // resolve (no ref.* finding about them, which would leave the check nothing to read).
    const kinds = new Set(objects.map((o) => refOf(o)).flatMap((r) => (r ? [`${r.apiVersion}/${r.kind}`] : [])));
    for (const rule of PREFLIGHT) {
      const needs = rule.needs.map((k) => `${k.apiVersion}/${k.kind}`);
      if (!needs.every((k) => kinds.has(k))) continue;
      const unresolved = REFERENCES.filter((r) => kindKey(r.from) === kindKey(rule.from) && needs.includes(kindKey(r.to))).map((r) => r.id);
      for (const d of group) {
        if (!isFrom(d, rule.from) || rule.subject(d.object as never) === undefined) continue;
        if (found.get(d)?.has(rule.id) || unresolved.some((id) => found.get(d)?.has(id))) continue;
        accept(rule.id, d);
      }
    }
  }

  // Updates the immutability rules refuse (the inputs test/unit/policy/updates.test.ts runs), and the same update keeping the field.
  const updates = new Map<string, { update?: UpdateSighting; accepted: boolean }>();
  for (const u of UPDATE_EXAMPLES) {
    const changed = review(u.after, { operation: "UPDATE", oldObject: u.before, now: PAGES_NOW }).violations.filter((v) => v.rule === u.rule);
    const kept = review(u.before, { operation: "UPDATE", oldObject: u.before, now: PAGES_NOW });
    updates.set(u.rule, { ...(changed.length > 0 ? { update: { example: u, messages: changed.map((v) => v.message) } } : {}), accepted: kept.allowed && !kept.violations.some((v) => v.rule === u.rule) });
  }

  const size = (d: Example) => docText(d).length;
  const out = new Map<string, RuleExamples>();
  for (const def of ruleDefinitions()) {
    const seen = [...(sightings.get(def.id) ?? [])].sort(
      (a, b) =>
        Number(b.doc.expectRule === def.id) - Number(a.doc.expectRule === def.id) ||
        a.noise - b.noise ||
        Number(isAccepted(b.doc)) - Number(isAccepted(a.doc)) ||
        size(a.doc) - size(b.doc),
    );
    const reported = seen[0];
    // The field the rule reported on, when the reported example was reviewed alone: an accepted example having it shows the rule passing.
    const reportedPath = reported?.how === "review" ? pathOfRule(reported.doc, def.id) : undefined;
    let accepted: Example | undefined;
    if (def.id.startsWith("ref.")) {
      accepted = [...(setRuleOk.get(def.id) ?? [])].sort((a, b) => size(a) - size(b))[0];
    } else if (!def.id.startsWith("peer.") && def.kind !== "*" && !def.id.endsWith(".immutable")) {
      const candidates = docs.filter((d) => {
        const c = clean.get(d)!;
        return isAccepted(d) && c.allowed && c.kind === def.kind && !c.rules.has(def.id);
      });
      candidates.sort(
        (a, b) =>
          Number(!!reportedPath && hasPath(b.object, reportedPath)) - Number(!!reportedPath && hasPath(a.object, reportedPath)) ||
          clean.get(a)!.rules.size - clean.get(b)!.rules.size ||
          size(a) - size(b),
      );
      accepted = candidates[0];
    }
    const upd = updates.get(def.id);
    if (upd) {
      out.set(def.id, { reported, accepted, update: upd.update, updateAccepted: upd.accepted });
      continue;
    }
    const ofKind = docs.filter((d) => clean.get(d)!.kind === def.kind);
    const reportsEvery = !accepted && ofKind.length > 0 && ofKind.every((d) => clean.get(d)!.rules.has(def.id));
    out.set(def.id, { reported, accepted, ...(reportsEvery ? { reportsEvery } : {}) });
  }
  return out;
}

/** The path of the first finding of `rule` on `d` reviewed alone. */
function pathOfRule(d: Example, rule: string): string | undefined {
  const r = review(d.object, { now: PAGES_NOW });
  return [...r.violations, ...r.warnings].find((f) => f.rule === rule)?.path || undefined;
}

/** `s` as Markdown text: brackets, angle brackets, asterisks and pipes shown as written, not read as links, HTML, emphasis or table cells. */
function text(s: string): string {
  // Code spans (`...`) stay as they are: Markdown shows their content literally.
  return s
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[\\[\]<>*|]/g, (c) => `\\${c}`)))
    .join("");
}

/** Markdown inline code of `s`, with a fence long enough for the backticks inside. */
function code(s: string): string {
  const ticks = "`".repeat(Math.max(0, ...(s.match(/`+/g) ?? []).map((t) => t.length)) + 1);
  return s.startsWith("`") || s.endsWith("`") ? `${ticks} ${s} ${ticks}` : `${ticks}${s}${ticks}`;
}

/** A fenced block of `lines`, with a fence longer than any backtick run inside. */
function fenced(lang: string, lines: readonly string[]): string[] {
  const fence = "`".repeat(Math.max(3, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((t) => t.length + 1))));
  return [fence + lang, ...lines, fence];
}

/** Long lines (certificates, keys in base64) shortened, so a page stays readable; the file keeps them whole. */
function shorten(line: string): string {
  const LIMIT = 120;
  if (line.length <= LIMIT) return line;
  return `${line.slice(0, 72)}… # ${line.length - 72} more characters in the file`;
}

function kindText(kind: string): string {
  if (kind === "*") return "any object";
  const parts = kind.split("/");
  const k = parts.pop()!;
  if (kind === "v1/ConfigMap") return `ConfigMap (v1) labelled ${code(`${CONFIG_LABEL}: "true"`)}: the node configuration in its ${code(CONFIG_KEY)}`;
  return `${k} (${code(parts.join("/"))})`;
}

function exampleSection(title: string, d: Example, intro: string, messages?: string[], label?: string): string[] {
  const file = relFile(d);
  const why = (d.comment ?? "")
    .split("\n")
    .filter((l) => !/^\s*rule:/.test(l))
    .join(" ")
    .trim();
  const out = [`## ${title}`, "", `${intro} [${file}](../../${file}#L${d.line}) (document ${d.index + 1}, line ${d.line})${why ? `: ${text(why)}` : "."}`, "", ...fenced("yaml", docText(d).map(shorten))];
  if (messages && messages.length > 0) out.push("", label ?? "The rule book says:", "", ...fenced("", messages.slice(0, 3)));
  return out;
}

/** The page of one rule. */
export function rulePage(def: RuleDefinition, ex: RuleExamples): string {
  const action = defaultPolicyConfiguration().actionOf(def.id, def.severity);
  const params = def.params ?? [];
  const lines: string[] = [
    `# ${code(def.id)}`,
    "",
    `<!-- Generated by tools/gen-rule-docs.ts from the rule's definition in policy/ and from examples/manifests: edit those, then run \`${REGENERATE}\`. -->`,
    "",
    `${text(def.summary)}.`,
    "",
    "| | |",
    "|---|---|",
    `| Kind | ${kindText(def.kind)} |`,
    `| Severity | ${def.severity} |`,
    `| Default action | ${action}${def.id === "internal.rule-error" ? " (cannot be relaxed)" : ""} ([policy configuration](../policy-configuration.md)) |`,
    `| Upstream source | ${text(def.source ?? "not recorded")} |`,
    `| Parameters | ${params.length === 0 ? "none" : params.map((p) => `${code(p)} (default ${DEFAULT_PARAMETERS[p]})`).join(", ")} |`,
    `| Kuscia releases | ${def.releases ? text(def.releases) : `the same verdict for every release the rule book knows (${KUSCIA_RELEASES[0]} to ${KUSCIA_RELEASES[KUSCIA_RELEASES.length - 1]}; default target ${DEFAULT_KUSCIA_VERSION})`} |`,
    `| ValidatingAdmissionPolicy | ${"cel" in def.vap ? `yes: ${def.vap.cel.length} CEL validation${def.vap.cel.length === 1 ? "" : "s"} (below)` : "no (below)"} |`,
    "",
  ];
  if (def.id !== "internal.rule-error") {
    lines.push(
      "To change what it does, set its action in the policy configuration (`deny`, `warn`, `audit` or `off`), or except some objects from it:",
      "",
      ...fenced("yaml", ["rules:", `  ${def.id}: ${action === "deny" ? "warn" : "audit"}`]),
      "",
    );
  }
  const reportedTitle = def.severity === "error" ? "Refused" : "Warned";
  if (ex.reported) {
    const intro = ex.reported.how === "set" ? "Reviewed with the other documents of its file (`kuscia-iac review --references`):" : "From";
    lines.push(...exampleSection(reportedTitle, ex.reported.doc, intro, ex.reported.messages), "");
  } else if (ex.update) lines.push(...updateSection(reportedTitle, ex.update), "");
  else lines.push(`## ${reportedTitle}`, "", "No example yet.", "");
  if (ex.accepted) lines.push(...exampleSection("Accepted", ex.accepted, "From"), "");
  else if (ex.update && ex.updateAccepted) {
    lines.push("## Accepted", "", `An UPDATE that keeps the ${text(ex.update.example.what)}: the stored object above, sent again as it is.`, "");
  }
  else if (ex.reportsEvery) lines.push("## Accepted", "", `None: the rule reports every ${def.kind.split("/").pop()}, whatever it holds (it is about who writes such an object).`, "");
  else lines.push("## Accepted", "", "No example yet.", "");

  lines.push("## ValidatingAdmissionPolicy", "");
  if ("cel" in def.vap) {
    lines.push(
      `\`kuscia-iac vap\` enforces it inside the API server as the policy ${code(`kuscia-iac.${def.id}`)}${def.vap.operations ? ` (on ${def.vap.operations.join(", ")} only)` : ""}, one validation per kind of finding ([vap](../vap.md)). Each expression is true when the object passes; its message expression gives the rule book's message.`,
      "",
    );
    def.vap.cel.forEach((v, i) => lines.push(`${i + 1}. Expression:`, "", ...fenced("cel", [v.expression]).map((l) => `   ${l}`), "", "   Message:", "", ...fenced("cel", [v.message]).map((l) => `   ${l}`), ""));
  } else {
    lines.push(`No policy: it ${text(def.vap.unexpressible)}. The webhook, \`review\` and \`audit\` still apply it ([vap](../vap.md)).`, "");
  }
  return lines.join("\n").replace(/\n+$/, "\n");
}

/** The section of an UPDATE a rule refuses: the stored object, the update, what the rule book says. */
function updateSection(title: string, u: UpdateSighting): string[] {
  const yaml = (o: unknown) => fenced("yaml", stringify(o, { lineWidth: 0 }).replace(/\n$/, "").split("\n").map(shorten));
  return [
    `## ${title}`,
    "",
    `An UPDATE of the ${text(u.example.what)} (from tools/update-examples.ts, which test/unit/policy/updates.test.ts reviews). The stored object (the AdmissionRequest's \`oldObject\`):`,
    "",
    ...yaml(u.example.before),
    "",
    "The update (\`object\`):",
    "",
    ...yaml(u.example.after),
    "",
    "The rule book says:",
    "",
    ...fenced("", u.messages.slice(0, 3)),
  ];
}

/** docs/rules/README.md: every rule, by kind. */
export function rulesIndex(defs: readonly RuleDefinition[], ex: Map<string, RuleExamples>): string {
  const config = defaultPolicyConfiguration();
  const lines = [
    "# Rules",
    "",
    `<!-- Generated by tools/gen-rule-docs.ts: run \`${REGENERATE}\`. -->`,
    "",
    `Every rule of the rule book (${defs.length}), one page each, in the order \`kuscia-iac rules\` lists them. The default action is \`deny\` for errors and \`warn\` for warnings; the [policy configuration](../policy-configuration.md) changes it. "VAP": a ValidatingAdmissionPolicy can enforce it ([vap](../vap.md)).`,
    "",
  ];
  let kind = "";
  for (const d of defs) {
    if (d.kind !== kind) {
      if (kind !== "") lines.push("");
      kind = d.kind;
      lines.push(`## ${kind === "*" ? "Any object" : kind.split("/").pop() === "ConfigMap" ? "Node configuration (ConfigMap)" : kind.split("/").pop()}`, "", "| rule | severity | default | VAP | examples | summary |", "|---|---|---|---|---|---|");
    }
    const e = ex.get(d.id)!;
    const examples = [e.reported || e.update ? (d.severity === "error" ? "refused" : "warned") : "", e.accepted || e.updateAccepted ? "accepted" : ""].filter(Boolean).join(", ") || "none yet";
    lines.push(`| [${code(d.id)}](${path.posix.basename(ruleDocPath(d.id))}) | ${d.severity} | ${config.actionOf(d.id, d.severity)} | ${"cel" in d.vap ? "yes" : "no"} | ${examples} | ${text(d.summary)} |`);
  }
  return lines.join("\n") + "\n";
}

export interface GeneratedPage {
  /** Relative to the repository root. */
  file: string;
  text: string;
}

/** Every page, and the index. */
export function generateRulePages(): GeneratedPage[] {
  const defs = ruleDefinitions();
  const ex = findExamples();
  return [
    ...defs.map((d) => ({ file: ruleDocPath(d.id), text: rulePage(d, ex.get(d.id)!) })),
    { file: `${RULE_DOCS_DIR}/README.md`, text: rulesIndex(defs, ex) },
  ];
}

/** Rules without a reported example, without an accepted one (for the report and the index). */
export function missingExamples(ex: Map<string, RuleExamples>): { reported: string[]; accepted: string[] } {
  return { reported: [...ex].filter(([, e]) => !e.reported && !e.update).map(([id]) => id), accepted: [...ex].filter(([, e]) => !e.accepted && !e.updateAccepted).map(([id]) => id) };
}

if (require.main === module) {
  const pages = generateRulePages();
  const dir = path.join(ROOT, RULE_DOCS_DIR);
  mkdirSync(dir, { recursive: true });
  // Pages of rules that no longer exist go.
  const keep = new Set(pages.map((p) => path.basename(p.file)));
  for (const f of readdirSync(dir)) if (f.endsWith(".md") && !keep.has(f)) rmSync(path.join(dir, f));
  for (const p of pages) writeFileSync(path.join(ROOT, p.file), p.text);
  process.stderr.write(`wrote ${pages.length - 1} rule pages and the index in ${RULE_DOCS_DIR}/\n`);
}
