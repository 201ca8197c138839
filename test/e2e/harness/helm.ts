/**
 * The real helm CLI (built by test/e2e/build-tools.sh helm) for the chart tests,
 * with its own config/cache/data directories, plus what it takes to run the
 * chart's webhook Deployment as a local process: the e2e API server has no
 * kubelet, so the test plays the kubelet's part for one pod (its args, and the
 * Secret and ConfigMap volumes written to a directory).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { run, type RunResult } from "./procs";
import { REPO } from "./tools";

type Obj = Record<string, any>;

export const CHART = path.join(REPO, "charts", "kuscia-iac");

/**
 * The bin directory holding helm: KUSCIA_IAC_HELM_BIN if set (a directory with a helm
 * of the same version), else what `build-tools.sh helm` builds or finds in its cache.
 */
export function helmToolsDir(): string {
  const given = process.env.KUSCIA_IAC_HELM_BIN;
  if (given) {
    if (!existsSync(path.join(given, "helm"))) throw new Error(`KUSCIA_IAC_HELM_BIN=${given} holds no helm`);
    return given;
  }
  const out = execFileSync("bash", [path.join(REPO, "test", "e2e", "build-tools.sh"), "helm"], { env: { ...process.env, GOTOOLCHAIN: "local" }, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  const dir = out.trim().split("\n").pop()!.trim();
  if (!existsSync(path.join(dir, "helm"))) throw new Error(`build-tools.sh helm printed ${JSON.stringify(dir)}, which holds no helm`);
  return dir;
}

export interface Helm {
  bin: string;
  run(args: string[]): Promise<RunResult>;
  /** helm that must succeed; returns stdout. */
  ok(args: string[]): Promise<string>;
}

/** A helm with private HELM_* homes, talking to the cluster of `kubeconfig` (if given). */
export function helmCli(binDir: string, kubeconfig?: string): Helm {
  const home = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-helm-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HELM_CONFIG_HOME: path.join(home, "config"),
    HELM_CACHE_HOME: path.join(home, "cache"),
    HELM_DATA_HOME: path.join(home, "data"),
    ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
  };
  const bin = path.join(binDir, "helm");
  const h: Helm = {
    bin,
    run: (args) => run(bin, args, { env, timeoutMs: 120_000 }),
    async ok(args) {
      const r = await h.run(args);
      if (r.code !== 0) throw new Error(`helm ${args.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
  };
  return h;
}

/** Every non-empty YAML document of a multi-document text. */
export function docs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => !!o);
}

/** The labels only a Helm release carries (the chart's standard labels minus what deploy/ sets). */
export const HELM_ONLY_LABELS = ["helm.sh/chart", "app.kubernetes.io/instance", "app.kubernetes.io/version", "app.kubernetes.io/managed-by"];

/** A deep copy without HELM_ONLY_LABELS in any `labels` or `matchLabels` map. */
export function withoutHelmLabels<T>(v: T): T {
  if (Array.isArray(v)) return v.map(withoutHelmLabels) as T;
  if (v === null || typeof v !== "object") return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) {
    const stringMap = x && typeof x === "object" && !Array.isArray(x) && Object.values(x).every((l) => typeof l === "string");
    // A Service's spec.selector is a label map too.
    if ((k === "labels" || k === "matchLabels" || k === "selector") && stringMap) {
      out[k] = Object.fromEntries(Object.entries(x).filter(([l]) => !HELM_ONLY_LABELS.includes(l)));
    } else out[k] = withoutHelmLabels(x);
  }
  return out as T;
}

export const keyOf = (o: Obj) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;

export interface LocalPod {
  /** The container's args, with the volume paths moved under `dir`. */
  args: string[];
  dir: string;
  /** Rewrites every mounted file from the current Secrets and ConfigMaps (what the kubelet does). */
  sync(): Promise<void>;
}

/**
 * The first container of the Deployment `name` in `namespace`, prepared to run here:
 * its Secret and ConfigMap volumes are read from the API server with kubectl and
 * written under a directory, and its args point there instead of the mount paths.
 * Throws when a volume is of another type or its source is missing.
 */
export async function localPod(kubectlOk: (args: string[]) => Promise<string>, namespace: string, name: string): Promise<LocalPod> {
  const dep = JSON.parse(await kubectlOk(["get", "deployment", "-n", namespace, name, "-o", "json"])) as Obj;
  const pod = dep.spec.template.spec as Obj;
  const c = pod.containers[0] as Obj;
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-pod-"));
  const mounts = (c.volumeMounts ?? []) as Obj[];
  const volumes = new Map(((pod.volumes ?? []) as Obj[]).map((v) => [v.name as string, v]));
  const local = (mountPath: string) => path.join(dir, mountPath.replace(/^\/+/, ""));
  const sync = async () => {
    for (const m of mounts) {
      const v = volumes.get(m.name);
      if (!v) throw new Error(`volumeMount ${m.name} has no volume`);
      let data: Record<string, string>;
      if (v.secret) {
        const s = JSON.parse(await kubectlOk(["get", "secret", "-n", namespace, v.secret.secretName, "-o", "json"])) as Obj;
        data = Object.fromEntries(Object.entries((s.data ?? {}) as Record<string, string>).map(([k, b]) => [k, Buffer.from(b, "base64").toString("utf8")]));
      } else if (v.configMap) {
        const cm = JSON.parse(await kubectlOk(["get", "configmap", "-n", namespace, v.configMap.name, "-o", "json"])) as Obj;
        data = (cm.data ?? {}) as Record<string, string>;
      } else throw new Error(`volume ${v.name}: only secret and configMap volumes are emulated`);
      const d = local(m.mountPath);
      mkdirSync(d, { recursive: true });
      for (const [k, text] of Object.entries(data)) writeFileSync(path.join(d, k), text, { mode: 0o600 });
    }
  };
  await sync();
  const args = (c.args as string[]).map((a) => {
    const m = mounts.find((x) => a === x.mountPath || a.startsWith(`${x.mountPath}/`));
    return m ? local(m.mountPath) + a.slice(m.mountPath.length) : a;
  });
  return { args, dir, sync };
}
