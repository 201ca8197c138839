/**
 * What Prometheus does with a webhook's /metrics, for testing the chart's alerts and dashboard:
 * the text exposition format parsed into families and samples, the target labels a
 * ServiceMonitor scrape attaches (a scraped label that collides with one is kept as
 * `exported_<name>`, Prometheus's honor_labels: false), and promrules (test/e2e/tools/promrules:
 * Prometheus's rule checker and PromQL engine) run over them.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { BACKSTOP_MS, run } from "./procs";

export interface Family {
  name: string;
  type: string;
  help: string;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  families: Map<string, Family>;
  samples: Sample[];
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(\\|n)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
}

/** Parses the Prometheus text format (version 0.0.4). Throws on a line it cannot read. */
export function parseExposition(text: string): Exposition {
  const families = new Map<string, Family>();
  const samples: Sample[] = [];
  const family = (name: string) => families.get(name) ?? families.set(name, { name, type: "untyped", help: "" }).get(name)!;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]);
      if (meta[1] === "HELP") f.help = unescapeHelp(meta[3]);
      else f.type = meta[3];
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/.exec(line);
    if (!m) throw new Error(`unreadable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? "";
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    let end = 0;
    for (let l: RegExpExecArray | null; (l = re.exec(body)); end = re.lastIndex) {
      labels[l[1]] = l[2].replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    if (end !== body.length) throw new Error(`unreadable labels: ${line}`);
    const v = m[4] === "+Inf" ? Infinity : m[4] === "-Inf" ? -Infinity : Number(m[4]);
    samples.push({ name: m[1], labels, value: v });
  }
  return { families, samples };
}

/** The series names a family exposes: a histogram's _bucket, _sum and _count; a summary's _sum and _count too. */
export function seriesNames(f: Family): string[] {
  if (f.type === "histogram") return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`];
  if (f.type === "summary") return [f.name, `${f.name}_sum`, `${f.name}_count`];
  return [f.name];
}

/** A sample as Prometheus stores it after a scrape with these target labels. */
export function asScraped(s: Sample, target: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { __name__: s.name };
  for (const [k, v] of Object.entries(s.labels)) {
    if (v === "") continue; // an empty label is no label
    out[k in target ? `exported_${k}` : k] = v;
  }
  return { ...out, ...target };
}

export interface EvalSeries {
  labels: Record<string, string>;
  samples: [number, number][];
}

export interface EvalResult {
  query: string;
  result: { labels: Record<string, string>; value: number }[];
  error?: string;
}

export interface Promrules {
  /** `promrules check` on a rules file holding `groups`; resolves to its standard output, rejects on errors. */
  check(groups: unknown, name: string): Promise<string>;
  /** Each rule's vector selectors. */
  selectors(groups: unknown, name: string): Promise<{ name: string; expr: string; selectors: { metric: string; matchers: { name: string; type: string; value: string }[] }[] }[]>;
  /** Instant queries at `at` (ms) over the given series. */
  eval(series: EvalSeries[], queries: string[], at: number): Promise<EvalResult[]>;
}

export function promrules(bin: string, dir: string): Promrules {
  const exe = path.join(bin, "promrules");
  const file = (groups: unknown, name: string) => {
    const f = path.join(dir, `${name}.rules.yaml`);
    writeFileSync(f, stringify({ groups }));
    return f;
  };
  const ok = async (args: string[], input?: string) => {
    const r = await run(exe, args, { input, timeoutMs: BACKSTOP_MS });
    if (r.code !== 0) throw new Error(`promrules ${args[0]} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  return {
    check: (groups, name) => ok(["check", file(groups, name)]),
    selectors: async (groups, name) => JSON.parse(await ok(["selectors", file(groups, name)])),
    eval: async (series, queries, at) => JSON.parse(await ok(["eval"], JSON.stringify({ series, queries, at }))),
  };
}
