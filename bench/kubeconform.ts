/**
 * bench/kubeconform: `kuscia-iac review` against kubeconform (schema validation only, in
 * Go) on the same 10,000-document stream bench/review builds. Reports wall time and peak
 * RSS of each, measured with /usr/bin/time on the child process, and the ratios.
 * Targets: review's wall time <= kubeconform's; review's peak RSS < 100 MiB. Also review's
 * start-up: one small file, against kubeconform and `node -e 0` (Node.js's own start-up).
 *
 * kubeconform is built once from the Go module proxy into the tool cache outside the repo:
 * ${KUSCIA_IAC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kuscia-iac}/kubeconform-<version>/.
 * Needs `go` on PATH for that first build. Run: `npm run bench:kubeconform`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { EXAMPLES, benchStream, bigStream } from "./stream";
import { readDocs, readSource } from "../review/load";
import { ReportBuilder } from "../review/run";
import { formatReport } from "../review/format";
import { completeReport } from "../review/command";
import { usePrecompiled } from "../policy/schema";

const VERSION = process.env.KUBECONFORM_VERSION ?? "v0.7.0";
const DOCS = Number(process.env.BENCH_DOCS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** `review --jobs` to benchmark (BENCH_JOBS=2); unset: review's default. */
const JOBS = process.env.BENCH_JOBS;
/** The second input: BENCH_BIG_DOCS documents of BENCH_BIG_BYTES each (default 1,000 of 100 KB: 100 MB); 0 skips it. */
const BIG_DOCS = Number(process.env.BENCH_BIG_DOCS ?? 1_000);
const BIG_BYTES = Number(process.env.BENCH_BIG_BYTES ?? 100_000);
const ROOT = path.resolve(__dirname, "..", "..");
/** Runs of the start-up measurement (one small file). */
const STARTUP_ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 9);

function cacheDir(): string {
  return process.env.KUSCIA_IAC_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), ".cache"), "kuscia-iac");
}

/** Path of the kubeconform binary, building it when the cache has none. Throws when `go install` fails. */
function kubeconform(): string {
  const bin = path.join(cacheDir(), `kubeconform-${VERSION}`);
  const exe = path.join(bin, "kubeconform");
  if (existsSync(exe)) return exe;
  mkdirSync(bin, { recursive: true });
  process.stderr.write(`building kubeconform ${VERSION} into ${bin} (once)\n`);
  const r = spawnSync("go", ["install", `github.com/yannh/kubeconform/cmd/kubeconform@${VERSION}`], { env: { ...process.env, GOBIN: bin }, stdio: "inherit", cwd: tmpdir() });
  if (r.status !== 0 || !existsSync(exe)) throw new Error(`go install kubeconform@${VERSION} failed (status ${r.status})`);
  return exe;
}

/**
 * Writes each CRD version's openAPIV3Schema as `<kind>-<group>-<version>.json`, the name
 * the schema-location template below asks for. Returns the template.
 */
function writeSchemas(dir: string): string {
  const crdDir = path.join(ROOT, "crds");
  for (const sub of readdirSync(crdDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(path.join(crdDir, sub.name)).filter((n) => n.endsWith(".yaml"))) {
      const crd = parse(readFileSync(path.join(crdDir, sub.name, f), "utf8")) as { spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: object } }[] } };
      for (const v of crd.spec.versions) {
        writeFileSync(path.join(dir, `${crd.spec.names.kind.toLowerCase()}-${crd.spec.group}-${v.name}.json`), JSON.stringify(v.schema.openAPIV3Schema));
      }
    }
  }
  return path.join(dir, "{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json");
}

interface Run {
  seconds: number;
  maxRssMiB: number;
  status: number | null;
}

/** Runs a command under /usr/bin/time, stdout discarded; wall time and peak RSS of the child. */
function measure(cmd: string, args: string[], timeFile: string): Run {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", timeFile, cmd, ...args], { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  const [e, m] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ");
  return { seconds: Number(e), maxRssMiB: Math.round(Number(m) / 1024), status: r.status };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * The slow path's report on `input`, in this process: every document parsed whole by the
 * `yaml` package (no stream, no fast path) and every schema compiled now by ajv (not ahead
 * of time). Must be called before anything else here reviews (validators are cached per kind).
 */
async function slowPathJson(input: string): Promise<string> {
  usePrecompiled(false);
  const b = new ReportBuilder();
  for (const d of readDocs(input, await readSource(input), { exact: true })) b.add(d);
  // What the command adds to every report (skipped files, input errors: none here).
  return formatReport(completeReport(b.report(1), [], []), "json", false);
}

interface Side {
  seconds: number;
  maxRssMiB: number;
  exitStatus: number | null;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "kuscia-iac-bench-kc-"));
  try {
    const exe = kubeconform();
    const schemaDir = path.join(work, "schemas");
    mkdirSync(schemaDir);
    const template = writeSchemas(schemaDir);
    const timeFile = path.join(work, "time.txt");
    const inputs: { name: string; file: string; documents: number }[] = [{ name: "stream", file: path.join(work, "bench.yaml"), documents: DOCS }];
    writeFileSync(inputs[0].file, benchStream(DOCS));
    if (BIG_DOCS > 0) {
      inputs.push({ name: "big", file: path.join(work, "big.yaml"), documents: BIG_DOCS });
      writeFileSync(inputs[1].file, bigStream(BIG_DOCS, BIG_BYTES));
    }
    const reviewArgs = (input: string) => [path.join(ROOT, "dist", "cli", "main.js"), "review", "-f", "json", ...(JOBS ? ["--jobs", JOBS] : []), input];
    // Nothing is bought with a wrong verdict: review's report equals the slow path's.
    const verdicts: Record<string, string> = {};
    for (const { name, file } of inputs) {
      const expected = await slowPathJson(file);
      const got = spawnSync(process.execPath, reviewArgs(file), { maxBuffer: 1024 * 1024 * 1024, encoding: "utf8" }).stdout;
      verdicts[name] = got === expected ? "equal to the slow path" : "DIFFERENT from the slow path";
      if (got !== expected) process.exitCode = 1;
    }
    const out: Record<string, unknown> = { rounds: ROUNDS, jobs: JOBS ?? "default", kubeconformVersion: VERSION };
    for (const { name, file, documents } of inputs) {
      const review = () => measure(process.execPath, reviewArgs(file), timeFile);
      // Core kinds (ConfigMap) have no local schema; kubeconform skips them as review does.
      const kc = () => measure(exe, ["-schema-location", template, "-ignore-missing-schemas", "-summary", file], timeFile);
      review();
      kc(); // warm the page cache for both
      const runs = { review: [] as Run[], kubeconform: [] as Run[] };
      for (let i = 0; i < ROUNDS; i++) {
        runs.review.push(review());
        runs.kubeconform.push(kc());
      }
      const sum = (rs: Run[]): Side => ({ seconds: median(rs.map((r) => r.seconds)), maxRssMiB: Math.max(...rs.map((r) => r.maxRssMiB)), exitStatus: rs[0].status });
      const r = sum(runs.review);
      const k = sum(runs.kubeconform);
      out[name] = {
        documents,
        bytes: readFileSync(file).length,
        review: r,
        kubeconform: k,
        wallTimeRatio: +(r.seconds / k.seconds).toFixed(2),
        peakRssRatio: +(r.maxRssMiB / k.maxRssMiB).toFixed(2),
        verdicts: verdicts[name],
      };
    }
    // Start-up: one small file (an example), review against kubeconform, and `node -e 0`
    // (what any Node.js command pays before its first line) for scale.
    const small = path.join(EXAMPLES, "domains.yaml");
    const startup = { review: [] as Run[], kubeconform: [] as Run[], node: [] as Run[] };
    for (let i = 0; i < STARTUP_ROUNDS; i++) {
      startup.review.push(measure(process.execPath, reviewArgs(small), timeFile));
      startup.kubeconform.push(measure(exe, ["-schema-location", template, "-ignore-missing-schemas", "-summary", small], timeFile));
      startup.node.push(measure(process.execPath, ["-e", "0"], timeFile));
    }
    const med = (rs: Run[]) => median(rs.map((r) => r.seconds));
    out.startup = {
      file: "examples/manifests/accepted/domains.yaml",
      rounds: STARTUP_ROUNDS,
      reviewSeconds: med(startup.review),
      kubeconformSeconds: med(startup.kubeconform),
      nodeSeconds: med(startup.node),
      wallTimeRatio: +(med(startup.review) / med(startup.kubeconform)).toFixed(2),
      overNodeSeconds: +(med(startup.review) - med(startup.node)).toFixed(3),
      reviewMaxRssMiB: Math.max(...startup.review.map((r) => r.maxRssMiB)),
    };
    out.target = "stream: wallTimeRatio <= 1.0 and review.maxRssMiB < 100; big: review.maxRssMiB near the stream's";
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
