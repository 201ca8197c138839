/**
 * Admission webhook throughput and latency: keep-alive HTTPS load on /validate
 * with two realistic objects, against /baseline of the same server (same TLS,
 * express, auth, body limits, envelope parsing, log line and metrics; the rule
 * book replaced by "allowed"). Figures are ratios against that baseline, measured
 * in the same run, so a slow or busy machine shows in both.
 *
 *   npx tsc -p . && node dist/bench/webhook.js [--seconds 1.5] [--rounds 3] [--connections 10] [--review-workers N]
 *
 * --review-workers: the server's (default: its own default; 0 reviews on the main thread).
 */
import { fork, spawnSync } from "node:child_process";
import { join } from "node:path";
import autocannon from "autocannon";
import { loadExamples } from "../test/helpers/examples";

interface Case {
  name: string;
  path: string;
  body: string;
}

interface Figures {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  non2xx: number;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

function review(object: unknown, i = 0): string {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: { uid: `bench-${i}`, operation: "CREATE", userInfo: { username: "kubernetes-admin" }, object, oldObject: null, dryRun: false },
  });
}

function pick(kind: string, pred: (o: Record<string, unknown>) => boolean = () => true): unknown {
  const found = loadExamples("accepted")
    .map((d) => d.object as Record<string, unknown>)
    .find((o) => o.kind === kind && pred(o));
  if (!found) throw new Error(`no accepted ${kind} example`);
  return found;
}

async function run(url: string, ca: string, c: Case, seconds: number, connections: number): Promise<Figures> {
  const r = await autocannon({
    url: url + c.path,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: c.body,
    connections,
    pipelining: 1,
    duration: seconds,
    servername: "localhost",
    tlsOptions: { ca },
  });
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

function pin(pid: number, cpu: string): boolean {
  return spawnSync("taskset", ["-a", "-p", "-c", cpu, String(pid)], { stdio: "ignore" }).status === 0;
}

async function main(): Promise<void> {
  const seconds = arg("seconds", 1.5);
  const rounds = arg("rounds", 3);
  const connections = arg("connections", 10);
  const kd = pick("KusciaDeployment");
  const domain = pick("Domain", (o) => typeof (o.spec as Record<string, unknown> | undefined)?.cert === "string");
  const cases: Case[] = [
    { name: "baseline (no review)", path: "/baseline", body: review(kd) },
    { name: "KusciaDeployment", path: "/validate", body: review(kd) },
    { name: "Domain with certificate", path: "/validate", body: review(domain) },
  ];

  const workers = process.argv.includes("--review-workers") ? ["--review-workers", String(arg("review-workers", 0))] : [];
  const child = fork(join(__dirname, "webhook-server.js"), workers, { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const { url, ca } = await new Promise<{ url: string; ca: string }>((res) => child.once("message", (m) => res(m as { url: string; ca: string })));
  // One core for the server, the other for the load, when the machine lets us choose.
  const pinned = pin(child.pid!, "0") && pin(process.pid, "1");
  console.log(`server ${url} (pid ${child.pid}), ${connections} keep-alive connections, ${rounds} rounds of ${seconds}s per case, review workers ${workers[1] ?? "default"}, ${pinned ? "server pinned to CPU 0, load to CPU 1" : "not pinned"}`);

  // Warm up JIT, TLS sessions and the rule book's lazy schema compilation outside the measurements.
  for (const c of cases) await run(url, ca, c, 1, connections);
  // Rounds of baseline-then-cases: each ratio compares runs a few seconds apart, so a
  // neighbour's build that starts or stops mid-run skews one round, not the result.
  const byCase: Figures[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) for (const [i, c] of cases.entries()) byCase[i].push(await run(url, ca, c, seconds, connections));
  child.disconnect();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = byCase[0];
  const rows = cases.map((c, i) => {
    const rs = byCase[i];
    const p99Ratio = median(rs.map((x, r) => x.p99 / Math.max(base[r].p99, 1)));
    const rpsRatio = median(rs.map((x, r) => x.rps / base[r].rps));
    return {
      case: c.name,
      "p50 ms": median(rs.map((x) => x.p50)),
      "p99 ms": median(rs.map((x) => x.p99)),
      "req/s": Math.round(median(rs.map((x) => x.rps))),
      "p99 / baseline": i === 0 ? "" : p99Ratio.toFixed(2),
      "req/s / baseline": i === 0 ? "" : rpsRatio.toFixed(2),
      "baseline req/s by round": i === 0 ? rs.map((x) => Math.round(x.rps)).join(" ") : "",
      errors: rs.reduce((n, x) => n + x.errors + x.non2xx, 0),
      p99Ratio,
    };
  });
  console.table(rows.map(({ p99Ratio: _, ...r }) => r));

  const reviewed = rows.slice(1);
  const worstP99Ratio = Math.max(...reviewed.map((r) => r.p99Ratio));
  const minRps = Math.min(...reviewed.map((r) => r["req/s"]));
  const errors = rows.reduce((n, r) => n + r.errors, 0);
  console.log(`medians of ${rounds} rounds; latency resolution 1 ms (autocannon); rule book certificate parsing is cached across identical requests`);
  console.log(`target p99 <= 1.5x baseline: worst ${worstP99Ratio.toFixed(2)}x ${worstP99Ratio <= 1.5 ? "OK" : "MISSED"}`);
  console.log(`target >= 2000 reviews/s on one core: lowest ${minRps}/s ${minRps >= 2000 ? "OK" : "MISSED"}`);
  console.log(`errors or non-2xx: ${errors}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
