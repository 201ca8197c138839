/**
 * A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver and the garbage
 * collector of kube-controller-manager, on ports chosen at run time, an admin token,
 * the project's CRDs installed. No kubelet and no workload controllers: objects are
 * stored and admitted, never run.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BACKSTOP_MS, freePort, run, startProcess, waitFor, type Proc, type RunResult } from "./procs";
import { REPO } from "./tools";

export interface WebhookClientAuth {
  /** PEM client certificate and key the API server presents to admission webhooks. */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Or a bearer token it sends. */
  token?: string;
}

export interface Cluster {
  server: string;
  /** The API server's gitVersion, e.g. v1.33.13. */
  version: string;
  kubeconfig: string;
  workDir: string;
  kubectl(args: string[], input?: string): Promise<RunResult>;
  /** kubectl that must succeed; returns stdout. */
  kubectlOk(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

export async function startCluster(binDir: string, opts: { webhookAuth?: WebhookClientAuth; keepWorkDir?: boolean } = {}): Promise<Cluster> {
  const workDir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-"));
  const procs: Proc[] = [];
  const bin = (n: string) => path.join(binDir, n);
  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = startProcess(bin("etcd"), [
      "--name", "e2e",
      "--data-dir", path.join(workDir, "etcd"),
      "--listen-client-urls", `http://127.0.0.1:${etcdClient}`,
      "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
      "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster", `e2e=http://127.0.0.1:${etcdPeer}`,
      // A throwaway store: fsync buys nothing and costs seconds on a busy disk.
      "--unsafe-no-fsync",
      "--log-level", "warn",
    ], path.join(workDir, "etcd.log"));
    procs.push(etcd);
    // kube-apiserver gives up on its storage after about 20 s; on a busy disk etcd has been
    // seen to take 43 s to serve, so start the API server only once etcd answers.
    await waitFor("etcd /health", async () => {
      if (etcd.child.exitCode !== null) throw new Error(`etcd exited ${etcd.child.exitCode}; see ${path.join(workDir, "etcd.log")}`);
      return (await getHttp(`http://127.0.0.1:${etcdClient}/health`)) === 200;
    }, 180_000, 250);

    const token = randomBytes(24).toString("hex");
    writeFileSync(path.join(workDir, "tokens.csv"), `${token},e2e-admin,e2e-admin,"system:masters"\n`, { mode: 0o600 });
    const sa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(path.join(workDir, "sa.key"), sa.privateKey.export({ type: "pkcs1", format: "pem" }) as string, { mode: 0o600 });
    writeFileSync(path.join(workDir, "sa.pub"), sa.publicKey.export({ type: "spki", format: "pem" }) as string);

    const args = [
      "--etcd-servers", `http://127.0.0.1:${etcdClient}`,
      "--bind-address", "127.0.0.1",
      "--advertise-address", "127.0.0.1",
      "--secure-port", String(apiPort),
      "--cert-dir", path.join(workDir, "apiserver-certs"),
      "--token-auth-file", path.join(workDir, "tokens.csv"),
      "--authorization-mode", "RBAC",
      "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
      "--service-account-key-file", path.join(workDir, "sa.pub"),
      "--service-account-signing-key-file", path.join(workDir, "sa.key"),
      "--service-cluster-ip-range", "10.96.0.0/16",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
      "--v", "1",
    ];
    if (opts.webhookAuth) {
      // How a real API server authenticates to admission webhooks: a kubeconfig named by an
      // AdmissionConfiguration, matched to the webhook's host ("*" = any).
      const user: Record<string, string> = {};
      if (opts.webhookAuth.clientCertPem) user["client-certificate-data"] = b64(opts.webhookAuth.clientCertPem);
      if (opts.webhookAuth.clientKeyPem) user["client-key-data"] = b64(opts.webhookAuth.clientKeyPem);
      if (opts.webhookAuth.token) user.token = opts.webhookAuth.token;
      const kc = path.join(workDir, "webhook-kubeconfig.json");
      writeFileSync(kc, JSON.stringify({ apiVersion: "v1", kind: "Config", users: [{ name: "*", user }] }), { mode: 0o600 });
      const plugin = (name: string) => ({
        name,
        configuration: { apiVersion: "apiserver.config.k8s.io/v1", kind: "WebhookAdmissionConfiguration", kubeConfigFile: kc },
      });
      const ac = path.join(workDir, "admission.json");
      writeFileSync(ac, JSON.stringify({ apiVersion: "apiserver.config.k8s.io/v1", kind: "AdmissionConfiguration", plugins: [plugin("ValidatingAdmissionWebhook"), plugin("MutatingAdmissionWebhook")] }));
      args.push("--admission-control-config-file", ac);
    }
    const api = startProcess(bin("kube-apiserver"), args, path.join(workDir, "kube-apiserver.log"));
    procs.push(api);

    const server = `https://127.0.0.1:${apiPort}`;
    const caFile = path.join(workDir, "apiserver-certs", "apiserver.crt");
    await waitFor("kube-apiserver /readyz", async () => {
      if (api.child.exitCode !== null) throw new Error(`kube-apiserver exited ${api.child.exitCode}; see ${path.join(workDir, "kube-apiserver.log")}`);
      return (await get(`${server}/readyz`, token, caFile)) === 200;
    }, 120_000, 500);

    const kubeconfig = path.join(workDir, "kubeconfig.json");
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "e2e", cluster: { server, "certificate-authority-data": b64(readFileSync(caFile)) } }],
      users: [{ name: "e2e-admin", user: { token } }],
      contexts: [{ name: "e2e", context: { cluster: "e2e", user: "e2e-admin" } }],
      "current-context": "e2e",
    }), { mode: 0o600 });

    // Only what the suites need: the garbage collector (the Kubernetes provider deletes with
    // foreground propagation, which only it completes), namespace deletion, and the default
    // ServiceAccount of each namespace (without it the API server refuses every Pod).
    const kcm = startProcess(bin("kube-controller-manager"), [
      "--kubeconfig", kubeconfig,
      "--controllers", "garbage-collector-controller,namespace-controller,serviceaccount-controller",
      "--leader-elect=false",
      "--bind-address", "127.0.0.1",
      "--secure-port", "0",
      "--v", "1",
    ], path.join(workDir, "kube-controller-manager.log"));
    procs.push(kcm);

    const kubectl = (a: string[], input?: string) => run(bin("kubectl"), ["--kubeconfig", kubeconfig, ...a], { input, timeoutMs: BACKSTOP_MS });
    const kubectlOk = async (a: string[], input?: string) => {
      const r = await kubectl(a, input);
      if (r.code !== 0) throw new Error(`kubectl ${a.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    };

    const version = (JSON.parse(await kubectlOk(["version", "-o", "json"])) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion;

    await kubectlOk(["apply", "--server-side", "-f", path.join(REPO, "crds", "kuscia"), "-f", path.join(REPO, "crds", "iflearner")]);
    await kubectlOk(["wait", "--for", "condition=established", `--timeout=${BACKSTOP_MS / 1000}s`, "crd", "--all"]);
    // Wait until discovery serves the new kinds, or the first apply races it.
    await waitFor("CRD discovery", async () => (await kubectl(["get", "domains.kuscia.secretflow,iflearnerjobs.git.iflytek.com"])).code === 0);

    return {
      server,
      version,
      kubeconfig,
      workDir,
      kubectl,
      kubectlOk,
      async stop() {
        for (const p of procs.reverse()) await p.stop();
        if (!opts.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const p of procs.reverse()) await p.stop();
    (e as Error).message += ` (logs in ${workDir})`;
    throw e;
  }
}

function getHttp(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

function get(url: string, token: string, caFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let ca: Buffer;
    try {
      ca = readFileSync(caFile);
    } catch {
      return resolve(0); // the API server has not written its certificate yet
    }
    const req = https.get(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

export function ensureDir(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}
