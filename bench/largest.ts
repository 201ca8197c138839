/**
 * bench/largest: the time to answer the largest objects the API server sends, through the
 * webhook as shipped (a process of its own, default review workers and heaps), as ratios to
 * a small review in the same run: a 3 MiB KusciaDeployment of `{}` parties (the most findings
 * per byte), a 1.4 MB KusciaDeployment UPDATE (each party wrong four ways), that 3 MiB object
 * as an UPDATE (object and oldObject: about 6 MiB, the largest body it takes), and a 3 MiB
 * AppImage of ordinary content. The API server waits timeoutSeconds (5 s in deploy/) for an
 * answer. Run: `npm run bench:largest` (BENCH_ROUNDS, default 3).
 */
import { kdUpdate, largeAppImage, largestCreate, largestUpdate, smallCreate } from "./bodies";
import { pct, send, startBenchWebhook } from "./process";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  const wh = await startBenchWebhook(process.argv.slice(2));
  const bodies: Record<string, string> = { "small Domain": smallCreate(), "3 MiB KusciaDeployment of {} parties": largestCreate(), "1.4 MB KusciaDeployment UPDATE": kdUpdate(), "6 MiB KusciaDeployment UPDATE of {} parties": largestUpdate(), "3 MiB AppImage": largeAppImage() };
  const results: Record<string, unknown> = {};
  let base = NaN;
  for (const [name, body] of Object.entries(bodies)) {
    const times: number[] = [];
    let status = 0;
    let allowed: boolean | undefined;
    for (let i = 0; i < ROUNDS; i++) {
      const a = await send(wh, "/validate", body);
      status = a.status;
      allowed = status === 200 ? (JSON.parse(a.text) as { response: { allowed: boolean } }).response.allowed : undefined;
      times.push(a.ms);
    }
    const median = pct(times, 50);
    if (Number.isNaN(base)) base = median;
    results[name] = { bytes: body.length, status, allowed, medianMs: Math.round(median), maxMs: Math.round(Math.max(...times)), ratioToSmall: Math.round(median / base) };
  }
  const restarts = wh.lines.filter((l) => l.msg === "review worker exited; starting another").length;
  await wh.stop();
  process.stdout.write(`${JSON.stringify({ rounds: ROUNDS, results, workerRestarts: restarts }, null, 2)}\n`);
}

void main();
