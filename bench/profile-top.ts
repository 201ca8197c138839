/**
 * The top frames of V8 CPU profiles (`node --cpu-prof`): self time per function (name, file
 * and line), summed over the given .cpuprofile files, as a share of all samples. What the
 * benches' gap analyses in docs/performance.md quote.
 *
 *   node dist/bench/profile-top.js [--top N] FILE.cpuprofile...
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self microseconds per frame, over every profile. */
export function selfTimes(profiles: Profile[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of profiles) {
    const frame = new Map<number, string>();
    for (const n of p.nodes) {
      const { functionName, url, lineNumber } = n.callFrame;
      frame.set(n.id, `${functionName || "(anonymous)"} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ""}`.trim());
    }
    // timeDeltas[i] is the time before sample i; attribute it to that sample's frame.
    p.samples.forEach((id, i) => {
      const key = frame.get(id) ?? "?";
      out.set(key, (out.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
    });
  }
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const t = args.indexOf("--top");
  const top = t >= 0 ? Number(args.splice(t, 2)[1]) : 25;
  if (args.length === 0) {
    process.stderr.write("usage: node dist/bench/profile-top.js [--top N] FILE.cpuprofile...\n");
    process.exit(2);
  }
  const times = selfTimes(args.map((f) => JSON.parse(readFileSync(f, "utf8")) as Profile));
  const total = [...times.values()].reduce((a, b) => a + b, 0);
  const idle = times.get("(idle)") ?? 0;
  process.stdout.write(`${(total / 1e6).toFixed(2)} s sampled, ${((100 * idle) / total).toFixed(1)}% idle\n`);
  for (const [k, us] of [...times.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}\n`);
}

if (require.main === module) main();
