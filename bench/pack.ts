/**
 * bench/pack: `pulumi preview` of a stack of BENCH_RESOURCES (default 1,000) Kuscia custom
 * resources made by this package's components (a quarter each of Domains, ClusterDomainRoutes,
 * AppImages and KusciaDeployments, `emit: "custom-resource"`), with the policy pack
 * (policypack/) and without it, alternating, BENCH_ROUNDS (default 3) of each; the wall time of
 * each preview and the median of the per-round ratios (target <= 1.3). The real Pulumi CLI and
 * Kubernetes provider (test/e2e/build-tools.sh `pulumi`, cached), a local file backend, the
 * program inline in this process as the e2e suites run it (test/e2e/harness/pulumi.ts). The
 * provider renders YAML to a directory (`renderYamlToDirectory`), so no API server is involved
 * and the pack's share is not diluted by round trips to one; BENCH_CLUSTER=1 previews against
 * the e2e kube-apiserver instead (build-tools.sh `kube`), as a user's preview does.
 *
 * Before the figures it checks the pack's verdicts against the slow path: every Kubernetes
 * resource of the preview (its inputs, from the engine's events) reviewed on its own by the rule
 * book, and the checks across resources run over all of them, in this process, must give exactly
 * the rule findings (resource, rule, message) the pack reported; `verdicts` says so, and the bench
 * exits 1 otherwise. That preview also counts what the pack did (KUSCIA_IAC_PACK_STATS,
 * policypack/stats.ts): `pack.reviews` (the rule book's) per Kubernetes resource of the stack,
 * and `pack.policyCalls` per resource the engine analysed: one review per resource, not one per
 * policy; the bench exits 1 if there are more reviews than Kubernetes resources.
 *
 *   npm run bench:pack            (BENCH_RESOURCES, BENCH_ROUNDS, BENCH_CLUSTER)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { AppImage, ClusterDomainRoute, Domain, KusciaDeployment } from "../components";
import { checkPeering, checkReferences, defaultPolicyConfiguration, refKey, refOf, review, rules } from "../policy";
import { parseSource } from "../review/load";
import { kindOfType } from "../policypack/objects";
import { STATS_VARIABLE, type PackStats } from "../policypack/stats";
import { startCluster } from "../test/e2e/harness/cluster";
import { pulumiEnv } from "../test/e2e/harness/pulumi";
import { REPO, toolsDir } from "../test/e2e/harness/tools";

const COUNT = Number(process.env.BENCH_RESOURCES ?? 1000);
const CLUSTER = process.env.BENCH_CLUSTER === "1";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PACK = path.join(REPO, "policypack");

type Obj = Record<string, unknown>;

const seedFile = path.join(REPO, "examples", "manifests", "accepted", "secretflow-serving.yaml");
const seed = parseSource(seedFile, readFileSync(seedFile, "utf8")).map((d) => d.object as any);
const img = seed.find((d) => d.kind === "AppImage");
const kd = seed.find((d) => d.kind === "KusciaDeployment");

/** The stack: COUNT components, each one Kuscia custom resource; `renderDir`: the provider only writes YAML there. */
function program(renderDir?: string): void {
  const opts = renderDir ? { provider: new k8s.Provider("render", { renderYamlToDirectory: renderDir }) } : {};
  const domain = (i: number) => (i === 0 ? "alice" : i === 4 ? "bob" : `d-${i}`);
  for (let i = 0; i < COUNT; i++) {
    switch (i % 4) {
      case 0:
        new Domain(`domain-${i}`, { name: domain(i), emit: "custom-resource" }, opts);
        break;
      case 1:
        new ClusterDomainRoute(`route-${i}`, { source: domain(i - 1), destination: i === 1 ? "bob" : "alice", authenticationType: "Token", tokenConfig: { tokenGenMethod: "RSA-GEN" } }, opts);
        break;
      case 2:
        new AppImage(`image-${i}`, { name: `img-${i}`, image: img.spec.image, configTemplates: img.spec.configTemplates, deployTemplates: img.spec.deployTemplates, emit: "custom-resource" }, opts);
        break;
      default:
        new KusciaDeployment(`serving-${i}`, {
          name: `serving-${i}`,
          namespace: kd.metadata.namespace,
          labels: kd.metadata.labels,
          initiator: kd.spec.initiator,
          inputConfig: kd.spec.inputConfig,
          // One in ten names an AppImage the stack does not declare: a finding of the stack policy ref.kd.appimage.
          parties: kd.spec.parties.map((p: Obj) => ({ ...p, appImageRef: i % 40 === 3 ? `undeclared-${i}` : `img-${i - 1}` })),
          emit: "custom-resource",
        }, opts);
    }
  }
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

/** `urn rule message` of each rule finding the pack reported (not the remediation's). */
function packFindings(events: EngineEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const p = e.policyEvent;
    if (!p || p.policyPackName !== "kuscia-iac" || p.policyName === "kuscia-defaults") continue;
    // One line per finding, "[rule] message" (an exception's comes after the policy's description).
    for (const line of p.message.split("\n").filter((l) => l.startsWith(`[${p.policyName}] `))) out.push(`${p.resourceUrn ?? ""} ${line}`);
  }
  return out.sort();
}

/** The same, from the rule book called on each resource alone and across all of them (the slow path). */
function slowPathFindings(events: EngineEvent[]): string[] {
  const config = defaultPolicyConfiguration();
  const across = new Set(rules().filter((r) => r.id.startsWith("ref.") || r.id.startsWith("peer.")).map((r) => r.id));
  const out: string[] = [];
  const urns: string[] = [];
  const objects: Obj[] = [];
  const line = (urn: string, f: { rule: string; message: string }, reason?: string) => out.push(`${urn} [${f.rule}] ${reason && reason !== "audit" ? `${reason}: ` : reason === "audit" ? "audit: " : ""}${f.message}`);
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    if (!m || !m.new?.inputs || m.type.startsWith("kuscia-iac:")) continue;
    const kind = kindOfType(m.type, m.new.inputs);
    if (!kind) continue;
    const object = { ...m.new.inputs, ...kind };
    urns.push(m.urn);
    objects.push(object);
    const r = review(object, { config });
    if (!r.known) continue;
    for (const f of [...r.violations, ...r.warnings]) if (!across.has(f.rule)) line(m.urn, f);
    for (const a of r.audits) if (!across.has(a.rule)) line(m.urn, a, a.reason);
  }
  const urnsOf = new Map<string, string[]>();
  objects.forEach((o, i) => {
    const ref = refOf(o);
    if (ref) urnsOf.set(refKey(ref), [...(urnsOf.get(refKey(ref)) ?? []), urns[i]]);
  });
  const report = (urn: string, r: { violations: { rule: string; message: string }[]; warnings: { rule: string; message: string }[]; audits: { rule: string; message: string; reason: string }[] }) => {
    for (const f of [...r.violations, ...r.warnings]) line(urn, f);
    for (const a of r.audits) line(urn, a, a.reason);
  };
  for (const r of checkReferences(objects, { config })) for (const urn of urnsOf.get(refKey(r.object)) ?? []) report(urn, r);
  for (const r of checkPeering(objects, { config })) report(urns[r.index], r);
  return out.sort();
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "kuscia-iac-bench-pack-"));
  const cluster = CLUSTER ? await startCluster(toolsDir("kube")) : undefined;
  const env = await pulumiEnv(toolsDir("pulumi"), cluster?.kubeconfig ?? "");
  try {
    await cluster?.kubectlOk(["create", "namespace", String(kd.metadata.namespace)]);
    const stack = await env.stack("bench-pack", "bench", async () => program(cluster ? undefined : path.join(work, "rendered")));
    if (!cluster) {
      // A provider that renders YAML refuses a kubeconfig, and reads KUBECONFIG from its environment.
      delete stack.workspace.envVars.KUBECONFIG;
      delete process.env.KUBECONFIG;
    }
    const preview = async (withPack: boolean) => {
      const events: EngineEvent[] = [];
      const t0 = process.hrtime.bigint();
      const r = await stack.preview({ ...(withPack ? { policyPacks: [PACK] } : {}), onEvent: (e) => void events.push(e) });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      // Where the time went, from the engine's own clock (whole seconds): to the first resource step, to the last, to the end.
      const stamps = events.filter((e) => e.resourcePreEvent).map((e) => e.timestamp);
      const phases = { firstStep: (stamps[0] ?? 0) - events[0].timestamp, steps: (stamps.at(-1) ?? 0) - (stamps[0] ?? 0), afterSteps: events.at(-1)!.timestamp - (stamps.at(-1) ?? 0) };
      return { seconds, events, phases, steps: Object.values(r.changeSummary).reduce((a, b) => a + (b ?? 0), 0) };
    };

    // Verdicts first, from a preview with the pack, which counts its reviews and policy calls
    // (policypack/stats.ts; only in this preview, not in the timed ones).
    const statsFile = path.join(work, "pack-stats.json");
    process.env[STATS_VARIABLE] = statsFile;
    const checked = await preview(true);
    delete process.env[STATS_VARIABLE];
    const stats = JSON.parse(readFileSync(statsFile, "utf8")) as PackStats;
    const got = packFindings(checked.events);
    const want = slowPathFindings(checked.events);
    const missing = want.filter((x) => !got.includes(x));
    const extra = got.filter((x) => !want.includes(x));
    const kubernetes = checked.events.filter((e) => e.resourcePreEvent && !e.resourcePreEvent.metadata.type.startsWith("kuscia-iac:") && kindOfType(e.resourcePreEvent.metadata.type, e.resourcePreEvent.metadata.new?.inputs ?? {})).length;
    const verdicts = missing.length === 0 && extra.length === 0 ? "equal" : "DIFFERENT";

    const without: number[] = [];
    const withPack: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternating order across rounds, so a neighbour's load that grows or fades weighs on both.
      const pair = i % 2 === 0 ? [await preview(false), await preview(true)] : [await preview(true), await preview(false)].reverse();
      without.push(pair[0].seconds);
      withPack.push(pair[1].seconds);
      ratios.push(pair[1].seconds / pair[0].seconds);
      process.stderr.write(`round ${i + 1}: without ${pair[0].seconds.toFixed(1)} s ${JSON.stringify(pair[0].phases)}, with the pack ${pair[1].seconds.toFixed(1)} s ${JSON.stringify(pair[1].phases)}\n`);
    }
    const ratio = median(ratios);
    process.stdout.write(
      `${JSON.stringify(
        {
          components: COUNT,
          provider: CLUSTER ? "e2e kube-apiserver" : "renderYamlToDirectory",
          kubernetesResources: kubernetes,
          steps: checked.steps,
          policies: rules().length + 1,
          rounds: ROUNDS,
          verdicts,
          findings: got.length,
          // stats.resources: every resource the engine analysed (also components, providers, the stack).
          pack: { ...stats, reviewsPerKubernetesResource: +(stats.reviews / kubernetes).toFixed(2), policyCallsPerResource: +(stats.policyCalls / stats.resources).toFixed(1) },
          ...(verdicts === "equal" ? {} : { missing: missing.slice(0, 10), extra: extra.slice(0, 10) }),
          previewSeconds: { withoutPack: +median(without).toFixed(2), withPack: +median(withPack).toFixed(2) },
          ratio: +ratio.toFixed(2),
          ratiosByRound: ratios.map((r) => +r.toFixed(2)),
          target: `<= 1.3: ${ratio <= 1.3 ? "OK" : "MISSED"}`,
        },
        null,
        2,
      )}\n`,
    );
    if (verdicts !== "equal" || stats.reviews > kubernetes) process.exitCode = 1;
  } finally {
    await cluster?.stop();
    env.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
