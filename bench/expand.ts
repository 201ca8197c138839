/**
 * bench/expand: constructing 1,000 KusciaDeployment components (the two-party
 * secretflow-serving seed, native: 10 Kubernetes children each) under Pulumi
 * mocks, against constructing 1,000 bare ConfigMaps the same way in the same
 * run. Also the pure part alone (review + expansion, no Pulumi) to show where
 * the time goes. Run: `npx tsc -p . && node dist/bench/expand.js`.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { parseSource } from "../review/load";
import { KusciaDeployment } from "../components";
import { admit, expandKusciaDeployment, type AppImageResource, type KusciaDeploymentResource } from "../policy/expand";

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

let registered = 0;
pulumi.runtime.setMocks({ newResource: (a) => (registered++, { id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "bench", "bench", false);

const seedFile = path.resolve(__dirname, "..", "..", "examples", "manifests", "accepted", "secretflow-serving.yaml");
const docs = parseSource(seedFile, readFileSync(seedFile, "utf8")).map((d) => d.object as { kind: string });
const appImage = admit(docs.find((d) => d.kind === "AppImage") as AppImageResource).object;
const kd = admit(docs.find((d) => d.kind === "KusciaDeployment") as KusciaDeploymentResource).object;
// Aim alice's override at the AppImage's container so no warning is logged 1,000 times.
kd.spec.parties[0].template!.spec!.containers![0].name = "secretflow";

async function time(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const settled = <T>(o: pulumi.Output<T>) => (o as unknown as { promise(): Promise<T> }).promise();

async function configMaps(round: number): Promise<void> {
  const ids: pulumi.Output<string>[] = [];
  for (let i = 0; i < COUNT; i++) ids.push(new k8s.core.v1.ConfigMap(`cm-${round}-${i}`, { metadata: { name: `cm-${i}`, namespace: "alice" }, data: { k: "v" } }).id);
  await settled(pulumi.all(ids));
}

async function kusciaDeployments(round: number): Promise<void> {
  const created: pulumi.Output<string[]>[] = [];
  for (let i = 0; i < COUNT; i++) {
    const c = new KusciaDeployment(`kd-${round}-${i}`, {
      name: `serving-${i}`,
      labels: kd.metadata.labels,
      initiator: kd.spec.initiator,
      inputConfig: kd.spec.inputConfig,
      parties: kd.spec.parties,
      appImages: [appImage],
    });
    created.push(c.created);
  }
  await settled(pulumi.all(created));
}

function pureOnly(): void {
  for (let i = 0; i < COUNT; i++) {
    const k = admit({ ...kd, metadata: { ...kd.metadata, name: `serving-${i}` } }).object;
    if (expandKusciaDeployment(k, { appImages: [appImage] }).objects.length !== 10) throw new Error("unexpected expansion");
  }
}

async function main(): Promise<void> {
  // Warm up both paths (JIT, schema compilation, module loading) outside the measurements.
  await configMaps(-1);
  await kusciaDeployments(-1);
  pureOnly();

  const base: number[] = [];
  const full: number[] = [];
  const pure: number[] = [];
  let children = 0;
  for (let r = 0; r < ROUNDS; r++) {
    base.push(await time(() => configMaps(r)));
    const before = registered;
    full.push(await time(() => kusciaDeployments(r)));
    children = (registered - before) / COUNT - 1;
    pure.push(await time(async () => pureOnly()));
  }
  const b = median(base);
  const f = median(full);
  const p = median(pure);
  console.log(
    JSON.stringify(
      {
        count: COUNT,
        rounds: ROUNDS,
        configMaps: { seconds: +b.toFixed(3), perSecond: Math.round(COUNT / b) },
        kusciaDeployments: { seconds: +f.toFixed(3), perSecond: Math.round(COUNT / f), childrenEach: children },
        reviewAndExpandOnly: { seconds: +p.toFixed(3), perSecond: Math.round(COUNT / p) },
        ratio: +(f / b).toFixed(2),
        ratioPerKubernetesObject: +(f / (b * children)).toFixed(2),
        pureShareOfComponentTime: +(p / f).toFixed(2),
      },
      null,
      2,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
