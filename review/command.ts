/**
 * `kuscia-iac review`: the rule book over manifests in CI. Exit codes are the
 * contract: 0 nothing refused, 1 something refused (or warned, with
 * --fail-on-warning), 2 usage error or a file that cannot be read or parsed.
 */
import { formatReport, streamFormat, REPORT_FORMATS, type ReportFormat } from "./format";
import { Command, InvalidArgumentError, Option } from "commander";
import { readSource, LoadError, NotAManifest } from "./load";
import { countByReason, IGNORE_FILE, selectFiles, type SelectedFile, type SkippedInput } from "./select";
import { streamDocs } from "./stream";
import { ReportBuilder, type Report } from "./run";
import { DEFAULT_YAML_LIMITS, LIMIT_NAMES, type YamlLimits } from "../policy/yaml";
import { defaultPolicyConfiguration, rules, type PolicyConfig } from "../policy";
import { readPolicyConfigFile, PolicyConfigError } from "../policyfile/read";
import { ReviewReferences } from "./references";
import { reviewInWorkers } from "./parallel";
import { usableCpus } from "../platform/cpus";
import { ruleDocPath } from "../policy/ruledocs";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { plural } from "../policy/plural";

export interface ReviewCommandOptions {
  format: ReportFormat;
  failOnWarning?: boolean;
  /** Policy configuration file (actions, parameters, exceptions, kusciaVersion). */
  config?: string;
  /** Exit 0 when the input holds no object at all (default: exit 2). */
  allowEmpty?: boolean;
  /** Parsing limits (`--limit maxKeys=20000`); unset ones take DEFAULT_YAML_LIMITS. */
  limit?: Partial<YamlLimits>;
  /** Cross-object checks over all the documents given, taken as one complete set. */
  references?: boolean;
  /**
   * Worker threads that parse and review (`--jobs`). Unset or 1: the main thread, as before.
   * "auto": min(2, cores) for an input over AUTO_JOBS_BYTES, else 1. --references always
   * reviews on the main thread (it needs every object there). Off by default: on a shared
   * 2-core runner the workers' start-up (each loads and warms the rule book) ate the gain.
   */
  jobs?: number | "auto";
  /** Patterns in .gitignore syntax (relative to the working directory) of files and folders not to review. */
  exclude?: string[];
  /** The ignore file (default `.kuscia-iac-ignore` in the working directory, when present). */
  ignoreFile?: string;
  /** Also walk into hidden folders and read hidden files. */
  includeHidden?: boolean;
  /** Also walk into node_modules. */
  includeNodeModules?: boolean;
  /** Folder that --exclude patterns and the default ignore file are relative to; default the working directory. */
  cwd?: string;
}

/** Input size (bytes) from which `--jobs` auto reviews in worker threads: below it, starting workers costs more than it saves. */
export const AUTO_JOBS_BYTES = 8 * 1024 * 1024;

/** Bytes of the files given, without reading them; standard input counts as large. */
async function inputBytes(files: readonly SelectedFile[]): Promise<number> {
  let total = 0;
  for (const { path: f } of files) {
    if (f === "-") return Infinity;
    total += (await fs.stat(f).catch(() => undefined))?.size ?? 0;
    if (total > AUTO_JOBS_BYTES) break;
  }
  return total;
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

const processIo = (): Io => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stdoutIsTTY: !!process.stdout.isTTY,
  stderrIsTTY: !!process.stderr.isTTY,
});

/** Runs a review and returns the exit code; all output goes through `io`. */
export async function runReview(paths: string[], opts: ReviewCommandOptions, io: Io = processIo()): Promise<number> {
  let config: PolicyConfig | undefined;
  if (opts.config) {
    try {
      const loaded = readPolicyConfigFile(opts.config);
      config = loaded.config;
      for (const w of loaded.warnings) io.stderr(`kuscia-iac review: ${w}\n`);
    } catch (e) {
      io.stderr(`kuscia-iac review: ${e instanceof PolicyConfigError ? e.errors.join("\n") : (e as Error).message}\n`);
      return 2;
    }
  }
  let files: SelectedFile[];
  const skipped: SkippedInput[] = [];
  try {
    const selection = await selectFiles(paths, { exclude: opts.exclude, ignoreFile: opts.ignoreFile, includeHidden: opts.includeHidden, includeNodeModules: opts.includeNodeModules, cwd: opts.cwd });
    files = selection.files;
    skipped.push(...selection.skipped);
  } catch (e) {
    io.stderr(`kuscia-iac review: ${(e as Error).message}\n`);
    return 2;
  }
  let errors: LoadError[] = [];
  const progress = makeProgress(files.length, io);
  const refs = opts.references ? new ReviewReferences() : undefined;
  const jobs = opts.references || opts.jobs === undefined ? 1 : opts.jobs === "auto" ? (usableCpus() > 1 && (await inputBytes(files)) > AUTO_JOBS_BYTES ? Math.min(2, usableCpus()) : 1) : opts.jobs;
  const color = io.stdoutIsTTY && !process.env.NO_COLOR;
  // One file and one document at a time, each file read in chunks (review/stream.ts): each
  // document is reviewed and dropped, so memory follows the largest document, not the tree
  // or the file. Its result is written out at once too (text, json, github), unless
  // --references adds findings to results after the last document, or workers review.
  const stream = refs || jobs > 1 ? undefined : streamFormat(opts.format, color);
  const out = stream ? bufferedOutput(io) : undefined;
  if (stream && out) out.write(stream.head());
  const builder = new ReportBuilder(undefined, config, stream && out ? (r) => out.write(stream.result(r)) : undefined);
  if (jobs > 1) {
    try {
      errors = await reviewInWorkers(files, builder, { jobs, limits: opts.limit, config, read: readSource, progress });
    } catch (e) {
      io.stderr(`kuscia-iac review: ${(e as Error).message}\n`);
      return 2;
    }
  } else for (const [i, { path: f, discovered }] of files.entries()) {
    try {
      for await (const d of streamDocs(f, { limits: opts.limit, discovered })) {
        const n = builder.results.length;
        builder.add(d);
        refs?.add(d, builder.results.length > n ? builder.results[n] : undefined);
      }
    } catch (e) {
      if (e instanceof LoadError) errors.push(e);
      else errors.push(new LoadError(f, undefined, (e as Error).message));
    }
    progress(i + 1);
  }
  // A discovered file that is no manifest is a skip, reported with the others, not an error.
  for (const e of errors) if (e instanceof NotAManifest) skipped.push({ path: e.file, reason: e.reason, detail: e.detail });
  errors = errors.filter((e) => !(e instanceof NotAManifest));
  const report = builder.report(files.length - skipped.filter((s) => s.reason === "not-a-manifest" || s.reason === "template").length);
  completeReport(report, skipped, errors);
  refs?.apply(report, config ?? defaultPolicyConfiguration());
  if (stream && out) {
    out.write(stream.tail(report));
    out.flush();
  } else io.stdout(formatReport(report, opts.format, color, config));
  // On standard error too, for people, whatever the format (the report usually goes to a file).
  for (const e of errors) io.stderr(`kuscia-iac review: ${e.message}\n`);
  if (errors.length > 0) return 2;
  if (report.summary.objects === 0 && !opts.allowEmpty) {
    // `kubectl kustomize broken | kuscia-iac review -` without pipefail: an empty input must not pass.
    io.stderr(`kuscia-iac review: no Kubernetes objects in ${paths.join(", ")}${skipped.length > 0 ? ` (${plural(skipped.length, "file or folder", "files or folders")} skipped: see the output)` : ""}; an empty input often means the command that produced it failed (--allow-empty accepts it)\n`);
    return 2;
  }
  if (report.summary.refused > 0) return 1;
  if (opts.failOnWarning && report.summary.warnings > 0) return 1;
  return 0;
}

/**
 * Adds to `report` (ReportBuilder.report's) what review did not read (`skipped`) and what it
 * could not read or parse (`errors`), as every format prints them. Returns `report`. The
 * slow path the benchmarks and test/unit/review/fast-path.test.ts hold review's output equal
 * to builds its report with this too.
 */
export function completeReport(report: Report, skipped: SkippedInput[], errors: readonly LoadError[]): Report {
  report.skippedFiles = skipped;
  report.summary.skippedFiles = skipped.length;
  report.summary.skippedFilesByReason = countByReason(skipped);
  // Input errors are part of the report, so every format carries them (and SARIF says the run failed).
  report.errors = errors.map((e) => ({ file: e.file, ...(e.line ? { line: e.line } : {}), ...(e.document !== undefined ? { document: e.document } : {}), message: e.detail }));
  report.summary.inputErrors = errors.length;
  return report;
}

/** Bytes of output gathered before one write: few system calls, little held. */
const OUTPUT_CHUNK = 64 * 1024;

/** Output gathered into writes of about OUTPUT_CHUNK characters; `flush` writes the rest. */
function bufferedOutput(io: Io): { write(s: string): void; flush(): void } {
  let pending = "";
  const flush = () => {
    if (pending) io.stdout(pending);
    pending = "";
  };
  return {
    write: (s) => {
      pending += s;
      if (pending.length >= OUTPUT_CHUNK) flush();
    },
    flush,
  };
}

/** Progress on standard error, only where it helps: a terminal, or a tree large enough to take a while. */
function makeProgress(total: number, io: Io): (done: number) => void {
  if (total < 200) return () => undefined;
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (done !== total && now - last < 1000) return;
    last = now;
    io.stderr(io.stderrIsTTY ? `\rreading manifests: ${done}/${total} files` + (done === total ? "\n" : "") : `reading manifests: ${done}/${total} files\n`);
  };
}

function parseJobs(v: string): number | "auto" {
  if (v === "auto") return "auto";
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError("expected auto or a whole number from 1 to 64");
  return n;
}

function collectLimit(v: string, prev: Partial<YamlLimits>): Partial<YamlLimits> {
  const m = /^([A-Za-z]+)=(\d+)$/.exec(v);
  if (!m || !(LIMIT_NAMES as string[]).includes(m[1])) throw new InvalidArgumentError(`expected name=value with name one of ${LIMIT_NAMES.join(", ")}`);
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${m[1]} must be a positive whole number`);
  return { ...prev, [m[1]]: n };
}

export function register(program: Command): void {
  program
    .command("review")
    .description("Review Kubernetes manifests with the rule book the admission webhook enforces")
    .argument("<path...>", "files or directories (recursive: *.yaml, *.yml, *.json); - reads standard input")
    .addOption(new Option("-f, --format <format>", "output format (github: workflow commands GitHub Actions shows as annotations)").choices([...REPORT_FORMATS]).default("text"))
    .option("--fail-on-warning", "exit 1 when any object has warnings, not only when one is refused")
    .option("--exclude <pattern>", "leave out files and folders matching this .gitignore-style pattern, relative to the working directory (repeatable), e.g. --exclude 'test/fixtures/' --exclude '*.generated.yaml'", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("--ignore-file <file>", `patterns in .gitignore syntax, relative to the file's folder (default: ${IGNORE_FILE} in the working directory, when present)`)
    .option("--include-hidden", "also read hidden files and walk into hidden folders (names starting with a dot), which a directory walk skips by default")
    .option("--include-node-modules", "also walk into node_modules folders, which a directory walk skips by default")
    .option("--config <file>", "policy configuration (YAML): per-rule actions, parameters, exceptions, kusciaVersion; see docs/policy-configuration.md")
    .option("--allow-empty", "exit 0 when the input holds no object at all (by default an empty input exits 2: it usually means the command that produced it failed)")
    .option("--references", "also check references across the documents given, taken as one set: a KusciaDeployment's AppImage and Domains, a route's and an InteropConfig's Domains (ref.* rules, warnings by default)")
    .option("--jobs <n>", "worker threads that parse and review, with the same output (default 1: the main thread; auto: 2 for inputs over 8 MB when 2 cores are available; --references always uses 1)", parseJobs)
    .option("--limit <name=value>", `raise or lower a parsing limit (repeatable): ${LIMIT_NAMES.map((n) => `${n} (default ${DEFAULT_YAML_LIMITS[n]})`).join(", ")}`, collectLimit, {} as Partial<YamlLimits>)
    .addHelpText(
      "after",
      `
What a directory walk skips, and reports with the reason (in every format):
  hidden files and folders, node_modules, the templates/ of a Helm chart (a folder with a
  Chart.yaml), what --exclude or the ignore file names, and files that are not Kubernetes
  manifests (no document has apiVersion or kind: package.json, Pulumi.yaml, Chart.yaml, values
  files; an unparseable file holding {{ }}: a template). A file named on the command line is
  always read (exclude patterns still apply), and must be a manifest.

Exit status:
  0  no object refused
  1  at least one object refused (or warned, with --fail-on-warning)
  2  usage error, a file that cannot be read or parsed (a manifest with a syntax error), exceeds a
     parsing limit, or, named on the command line, is not a Kubernetes manifest (binary,
     compressed, plain text, no apiVersion/kind); or an invalid --config. Every --format
     carries each such input error with its file and line (id review.input)

Examples:
  kuscia-iac review manifests/
  kubectl kustomize overlays/prod | kuscia-iac review -
  kuscia-iac review --format sarif . > kuscia-iac.sarif
  kuscia-iac review --format github --exclude 'test/' .
  kuscia-iac review --config kuscia-iac-policy.yaml manifests/
  kuscia-iac review --references domains/ appimages/ deployments/`,
    )
    .action(async (paths: string[], opts: ReviewCommandOptions) => {
      process.exitCode = await runReview(paths, opts);
    });

  program
    .command("rules")
    .description("List every rule the rule book applies: its kind, severity, action under a policy configuration, and upstream source")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--config <file>", "show each rule's action under this policy configuration (default: deny for errors, warn for warnings)")
    .action((opts: { format: string; config?: string }) => {
      let config: PolicyConfig;
      try {
        config = opts.config ? readPolicyConfigFile(opts.config).config : defaultPolicyConfiguration();
      } catch (e) {
        process.stderr.write(`kuscia-iac rules: ${e instanceof PolicyConfigError ? e.errors.join("\n") : (e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const all = rules(config);
      // Each rule's page (docs/rules/<id>.md, generated from the rule), in the repository and in the installed package.
      if (opts.format === "json") process.stdout.write(JSON.stringify(all.map((r) => ({ ...r, page: ruleDocPath(r.id) })), null, 2) + "\n");
      else {
        process.stdout.write(`${"RULE".padEnd(36)} ${"SEVERITY".padEnd(8)} ${"ACTION".padEnd(6)} ${"KIND".padEnd(42)} SUMMARY (SOURCE)\n`);
        for (const r of all) process.stdout.write(`${r.id.padEnd(36)} ${r.severity.padEnd(8)} ${String(r.action).padEnd(6)} ${r.kind.padEnd(42)} ${r.summary}${r.source ? ` (${r.source})` : ""}\n`);
        const page = `${path.posix.dirname(ruleDocPath("x"))}/<rule>.md`;
        process.stdout.write(`\nEach rule has a page: ${page}, in the repository and in the installed package (node_modules/kuscia-iac/${page}).\n`);
      }
    });
}
