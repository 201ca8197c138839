/**
 * Earlier published states of the components, built from this repository's history, and one
 * program written against the API every one of them has, for upgrade tests: a stack made by the
 * old package must upgrade to this one with no change to the program, deleting and replacing
 * nothing.
 *
 * The package is not published to a registry, so an earlier state is an earlier commit: its tree
 * (`git archive`) compiled with this checkout's TypeScript and node_modules (`@pulumi/pulumi` and
 * `@pulumi/kubernetes` are pinned to the same versions in every state), only `components/` and what
 * it imports. Needs the repository's history (a shallow clone lacks it: the test says so).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { REPO } from "./tools";

/**
 * The states whose child naming or structure differ (found by registering one program under each
 * commit of `git log -- components/` and comparing what registered: test/e2e/upgrade.test.ts says
 * which names each state gave).
 */
export const RELEASES = {
  /** The first release: children named `<component>/<namespace>/<name>`, custom resources `<component>`, keys `<component>-domain-key`; no data components. */
  first: "a2d0cbd",
  /** Children named by identity, `<id>@<provider>` under an explicit provider; data components, KusciaJob, master and lite nodes, readiness waits. */
  identity: "74f0725",
} as const;

export type Release = keyof typeof RELEASES;

/** What the program needs of a package: the component classes, loosely typed (their arguments changed between states). */
export type Components = Record<string, new (name: string, args: any, opts?: pulumi.ComponentResourceOptions) => any>;

/**
 * Compiles the components of `commit` into a temporary directory and loads them. `cleanup` removes
 * the directory; call it once the stacks made with the package are gone (a state's dynamic
 * providers may load their implementation from it).
 */
export function buildRelease(commit: string): { components: Components; dir: string; cleanup(): void } {
  try {
    execFileSync("git", ["-C", REPO, "cat-file", "-e", `${commit}^{commit}`], { stdio: "ignore" });
  } catch {
    throw new Error(`commit ${commit} is not in this checkout's history (a shallow clone?): the upgrade test builds earlier states of the components from it; fetch the history (git fetch --unshallow)`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), `kuscia-iac-release-${commit}-`));
  execFileSync("sh", ["-c", `git -C "$0" archive "$1" | tar -x -C "$2"`, REPO, commit, dir], { stdio: ["ignore", "ignore", "inherit"] });
  symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  writeFileSync(
    path.join(dir, "tsconfig.release.json"),
    JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { types: ["node"], sourceMap: false, declaration: false }, include: ["components"], exclude: ["node_modules", "dist"] }),
  );
  execFileSync(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(dir, "tsconfig.release.json")], { cwd: dir, stdio: ["ignore", "inherit", "inherit"] });
  const entry = path.join(dir, "dist", "components", "index.js");
  if (!existsSync(entry)) throw new Error(`building ${commit} made no ${entry}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const components = require(entry) as Components;
  return { components, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface UpgradeProgramOptions {
  /** Prefix of every domain ID and namespace, so stacks of several states share one cluster. */
  prefix: string;
  /** base64 PEM certificate of the partner domain `<prefix>bob`. */
  bobCert: string;
  /** The cluster again, through explicit providers (as a user gives each node's Kuscia API server). */
  providers: { cluster: k8s.Provider; aliceKuscia: k8s.Provider; bobKuscia: k8s.Provider };
  /** Add what appeared after the first release: data components, a job, a master and a lite node. */
  later?: boolean;
}

/**
 * One program, written against the API every state has: Domains (native, and a partner's custom
 * resource whose component name differs from the object name), an AppImage and a KusciaDeployment
 * (native and custom resource), a route, an InteropConfig, two autonomy nodes (one through an
 * explicit provider) peered through two more providers, an Iflearner federation and the
 * admission webhook; with `later`, data, a grant, a job, and a master with a lite node.
 */
export function upgradeProgram(m: Components, o: UpgradeProgramOptions): Record<string, pulumi.Output<unknown>> {
  const id = (x: string) => `${o.prefix}${x}`;
  const alice = new m.Domain("dom-alice", { name: id("alice") });
  const bob = new m.Domain("partner-bob", { name: id("bob"), role: "partner", cert: o.bobCert, interConnProtocols: ["kuscia"], emit: "both" });
  const image = new m.AppImage("image", {
    name: id("image"),
    emit: "both",
    image: { name: "secretflow/app", tag: "1.0" },
    deployTemplates: [{ name: "t", replicas: 1, spec: { containers: [{ name: "app", workingDir: "/app", ports: [{ name: "http", port: 8080, protocol: "HTTP", scope: "Cluster" }] }] } }],
  });
  new m.KusciaDeployment("serving", { name: id("kd"), emit: "both", initiator: id("alice"), inputConfig: "{}", appImages: [image.object], parties: [{ domainID: id("alice"), appImageRef: id("image") }] }, { dependsOn: [alice] });
  new m.ClusterDomainRoute(
    "route",
    {
      source: id("alice"),
      destination: id("bob"),
      authenticationType: "Token",
      tokenConfig: { tokenGenMethod: "RSA-GEN", rollingUpdatePeriod: 86400 },
      endpoint: { host: "bob.example", ports: [{ name: "http", port: 1080, protocol: "HTTP", isTLS: false }] },
    },
    { dependsOn: [bob] },
  );
  new m.InteropConfig("interop", { name: id("members"), host: id("bob"), members: [id("alice")], emit: "both" }, { dependsOn: [alice] });

  const nodeA = new m.KusciaAutonomyNode("node-a", { domainId: id("na") }, { provider: o.providers.cluster });
  const nodeB = new m.KusciaAutonomyNode("node-b", { domainId: id("nb") });
  const peering = new m.NodePeering("peer", { a: nodeA.asPeer(o.providers.aliceKuscia), b: nodeB.asPeer(o.providers.bobKuscia) });

  const template = (name: string) => ({ spec: { restartPolicy: "Never", containers: [{ name, image: "ghcr.io/iflytek/iflearner:v0.1.0" }] } });
  new m.IflearnerFederation("fl", { job: id("fl"), server: { namespace: id("fl-server"), template: template("server") }, parties: { a: { namespace: id("fl-a"), template: template("client") } }, ingressAddresses: { server: "10.0.0.1", a: "10.0.0.2" } });
  new m.AdmissionWebhook("hook", { namespace: id("hook"), failurePolicy: "Ignore", configurationName: id("hook") });

  const out: Record<string, pulumi.Output<unknown>> = { routes: peering.routes };
  if (o.later) {
    const source = new m.DomainDataSource("source", { domainId: id("alice"), datasourceId: id("source"), type: "localfs", info: { localfs: { path: "/home/kuscia/var/storage/data" } }, domainCertificate: o.bobCert }, { dependsOn: [alice] });
    const table = new m.DomainData("table", { domainId: id("alice"), domainDataId: id("table"), type: "table", relativeURI: "alice.csv", dataSource: id("source"), columns: [{ name: "id", type: "str" }] }, { dependsOn: [source] });
    new m.DomainDataGrant("grant", { domainId: id("alice"), grantId: id("grant"), domainDataID: id("table"), grantDomain: id("bob") }, { dependsOn: [table, bob] });
    new m.KusciaJob("job", { jobId: id("job"), initiator: id("alice"), tasks: [{ alias: "psi", appImage: id("image"), taskInputConfig: "{}", parties: [{ domainID: id("alice") }, { domainID: id("bob") }] }] }, { dependsOn: [alice, bob, image] });
    const master = new m.KusciaMasterNode("master", { domainId: id("master"), namespace: id("master") });
    new m.KusciaLiteNode("lite", { domainId: id("lite"), master: master.asMaster(o.providers.aliceKuscia) });
  }
  return out;
}

/** A directory for scratch files of one test run. */
export function scratch(name: string): string {
  const d = path.join(tmpdir(), `kuscia-iac-${name}-${process.pid}`);
  mkdirSync(d, { recursive: true });
  return d;
}
