/**
 * bench/hostile: what a hostile input costs `review` (parse, bounds, rule book), as a
 * ratio to a benign input of the same size: accepted example manifests up to the same
 * number of bytes. Target: every ratio <= 3. A hostile input refused by a limit counts
 * as reviewed (that is the outcome wanted). Run: `npm run bench:hostile`.
 */
import { LoadError, readDocs } from "../review/load";
import { ReportBuilder } from "../review/run";
import { benchStream } from "./stream";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const configMap = (kusciaYaml: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n  labels:\n    kuscia.secretflow/config: "true"\ndata:\n  kuscia.yaml: ${JSON.stringify(kusciaYaml)}\n`;
const keys = (n: number, flow: boolean) => (flow ? `{${Array.from({ length: n }, (_, i) => `k${i}: v${i}`).join(", ")}}` : Array.from({ length: n }, (_, i) => `k${i}: v${i}`).join("\n"));

const HOSTILE: Record<string, string> = {
  "kuscia.yaml: 0.9 MiB flow mapping, ~60k keys": configMap(keys(60_000, true).slice(0, 900_000).replace(/,[^,]*$/, "}")),
  "kuscia.yaml: 40k-key block mapping": configMap(keys(40_000, false)),
  "kuscia.yaml: aliases of a large anchor": configMap(`big: &a {${Array.from({ length: 900 }, (_, i) => `k${i}: v`).join(", ")}}\n${Array.from({ length: 90 }, (_, i) => `r${i}: *a`).join("\n")}`),
  "kuscia.yaml: 5,000 levels of nesting": configMap("- ".repeat(5000) + "x"),
  "manifest: 5,000 levels of flow nesting": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
  "manifest: ConfigMap with 9,000 data keys": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n${Array.from({ length: 9000 }, (_, i) => `  k${i}: v${i}`).join("\n")}\n`,
  "manifest: a 2 MB annotation": `apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata:\n  name: alice\n  annotations:\n    blob: "${"x".repeat(2_000_000)}"\nspec: {}\n`,
};

function reviewText(text: string): void {
  const b = new ReportBuilder();
  try {
    for (const d of readDocs("bench.yaml", text)) b.add(d);
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
  }
  b.report(1);
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const corpus = benchStream(4000);
/** Whole accepted documents up to `bytes` (at least one): the benign input of that size. */
function benign(bytes: number): string {
  let end = corpus.indexOf("\n---\n", Math.min(bytes, corpus.length - 1));
  if (end < 0) end = corpus.length;
  let s = corpus.slice(0, end) + "\n";
  while (s.length < bytes) s += "---\n" + s; // tiny corpora only
  return s;
}

const results: Record<string, unknown> = {};
let worst = 0;
for (const [name, text] of Object.entries(HOSTILE)) {
  const base = benign(text.length);
  reviewText(text);
  reviewText(base);
  const h: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    h.push(time(() => reviewText(text)));
    b.push(time(() => reviewText(base)));
  }
  const ratio = median(h) / median(b);
  worst = Math.max(worst, ratio);
  results[name] = { bytes: text.length, hostileSeconds: +median(h).toFixed(4), benignSeconds: +median(b).toFixed(4), ratio: +ratio.toFixed(2) };
}
process.stdout.write(JSON.stringify({ rounds: ROUNDS, results, worstRatio: +worst.toFixed(2), target: "every ratio <= 3" }, null, 2) + "\n");
