/**
 * bench/review: objects reviewed per second on 10,000 YAML documents, against a
 * baseline that only parses the same YAML the same way. Target: review costs no
 * more than 2x the parse alone. Run: `npm run bench:review`.
 */
import { benchStream } from "./stream";
import { parseSource } from "../review/load";
import { reviewDocs } from "../review/run";

const DOCS = Number(process.env.BENCH_DOCS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const stream = benchStream(DOCS);

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

let objects = 0;
const parseOnly = () => {
  objects = parseSource("bench.yaml", stream).length;
};
const parseAndReview = () => {
  const docs = parseSource("bench.yaml", stream);
  const report = reviewDocs(docs, 1);
  if (report.summary.refused !== 0) throw new Error("bench input must be accepted");
};

parseOnly(); // warm up both paths so JIT and the schema compilation are not measured
parseAndReview();

const base: number[] = [];
const full: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  base.push(time(parseOnly));
  full.push(time(parseAndReview));
}
const b = median(base);
const f = median(full);
const out = {
  documents: objects,
  rounds: ROUNDS,
  parseOnly: { seconds: +b.toFixed(3), objectsPerSecond: Math.round(objects / b) },
  parseAndReview: { seconds: +f.toFixed(3), objectsPerSecond: Math.round(objects / f) },
  reviewOnlyObjectsPerSecond: Math.round(objects / Math.max(f - b, 1e-9)),
  ratio: +(f / b).toFixed(2),
  target: "ratio <= 2.0",
};
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
