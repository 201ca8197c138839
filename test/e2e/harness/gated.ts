/**
 * The end-to-end fixture both suites share: a real control plane with the
 * project's CRDs, this project's webhook on 127.0.0.1 with its own CA, and the
 * webhook configurations of deploy/ registered by URL (there is no kube-proxy).
 * The API server authenticates to the webhook with a client certificate.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { caBundleOf, issueCert, selfSignedCert, type CertifiedKey } from "../../../pki";
import { startWebhook, webhookConfigurations, type RunningWebhook, type WebhookOptions } from "../../../webhook";
import type { ExemptRequesters } from "../../../policy";
import { startCluster, type Cluster } from "./cluster";
import { waitFor, type RunResult } from "./procs";
import { kubeLine, toolsDir } from "./tools";

export interface Gated {
  cluster: Cluster;
  webhook: RunningWebhook;
  kubeBin: string;
  /** Applies one object with kubectl (stdin), with extra flags. */
  apply(obj: unknown, extra?: string[]): Promise<RunResult>;
  /** Stops the webhook (as an outage would). */
  stopWebhook(): Promise<void>;
  /** Starts it again on the same address. */
  startWebhook(): Promise<void>;
  /** The webhook's /metrics, fetched with a client certificate. */
  metrics(): Promise<string>;
  /** Sum of kuscia_iac_webhook_requests_total samples matching every given label. */
  requests(labels: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export interface GatedOptions {
  /** Policy configuration file the webhook follows (--config). */
  policyConfigFile?: string;
  /** Also registered as matchConditions, as `--print-configurations --config` would. */
  exemptRequesters?: ExemptRequesters;
  /** Start the webhook with --references, watching the test API server. */
  references?: boolean;
  /** Further webhook options (review workers, queue). */
  webhook?: Partial<WebhookOptions>;
}

/**
 * Starts the fixture on the Kubernetes line kubeLine() selects (KUSCIA_IAC_KUBE_VERSION).
 * The webhook configurations are those `--print-configurations --kube-version <server>`
 * gives for the running API server. Throws if the server is not of that line (binaries
 * from KUSCIA_IAC_KUBE_BIN of another version).
 */
export async function startGatedCluster(namespaces: string[] = [], o: GatedOptions = {}): Promise<Gated> {
  const kubeBin = toolsDir("kube");
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-webhook-"));
  const clientCa = await selfSignedCert({ cn: "e2e-webhook-client-ca", isCA: true, days: 1 });
  const apiClient = await issueCert({ ca: clientCa, cn: "kube-apiserver", client: true, days: 1 });
  const cluster = await startCluster(kubeBin, { webhookAuth: { clientCertPem: apiClient.certPem, clientKeyPem: apiClient.keyPem } });
  let webhook: RunningWebhook | undefined;
  try {
    if (!cluster.version.startsWith(`v${kubeLine()}.`)) throw new Error(`the API server is ${cluster.version}, not Kubernetes ${kubeLine()} (KUSCIA_IAC_KUBE_VERSION); check KUSCIA_IAC_KUBE_BIN`);
    const servingCa = await selfSignedCert({ cn: "e2e-webhook-ca", isCA: true, days: 1 });
    const serving = await issueCert({ ca: servingCa, cn: "127.0.0.1", sans: ["127.0.0.1", "localhost"], days: 1 });
    writeFileSync(path.join(dir, "tls.crt"), serving.certPem);
    writeFileSync(path.join(dir, "tls.key"), serving.keyPem, { mode: 0o600 });
    writeFileSync(path.join(dir, "client-ca.crt"), clientCa.certPem);
    const opts: WebhookOptions = {
      host: "127.0.0.1",
      port: 0,
      tlsCert: path.join(dir, "tls.crt"),
      tlsKey: path.join(dir, "tls.key"),
      clientCa: path.join(dir, "client-ca.crt"),
      logLevel: "warn",
      drainTimeoutMs: 2000,
      ...(o.policyConfigFile ? { policyConfigFile: o.policyConfigFile, policyConfigPollMs: 200 } : {}),
      ...(o.references ? { references: { kubeconfig: cluster.kubeconfig, retryMs: 500 } } : {}),
      ...o.webhook,
    };
    webhook = await startWebhook(opts);
    opts.port = webhook.port; // restarts reuse the registered URL

    const conf = webhookConfigurations({ caBundle: caBundleOf(servingCa.certPem), url: webhook.url, exemptRequesters: o.exemptRequesters, kubeVersion: cluster.version });
    await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [conf.validating, conf.mutating] }));
    for (const ns of namespaces) await cluster.kubectlOk(["create", "namespace", ns]);
    const apply = (obj: unknown, extra: string[] = []) => cluster.kubectl(["apply", ...extra, "-f", "-"], stringify(obj));
    // The API server loads webhook configurations asynchronously: wait until a refusal is real.
    const probe = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "registration-probe" }, spec: { host: "bob", members: ["bob"] } };
    await waitFor("webhook registration", async () => (await apply(probe, ["--dry-run=server"])).code !== 0);

    const metrics = () => fetchMetrics(webhook!.url, clientCa);
    const gated: Gated = {
      cluster,
      get webhook() {
        return webhook!;
      },
      kubeBin,
      apply,
      async stopWebhook() {
        await webhook?.close();
      },
      async startWebhook() {
        webhook = await startWebhook(opts);
      },
      metrics,
      async requests(labels) {
        const text = await metrics();
        let n = 0;
        for (const line of text.split("\n")) {
          if (!line.startsWith("kuscia_iac_webhook_requests_total{")) continue;
          if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) n += Number(line.split(" ").pop());
        }
        return n;
      },
      async stop() {
        await webhook?.close();
        await cluster.stop();
      },
    };
    return gated;
  } catch (e) {
    await webhook?.close();
    await cluster.stop();
    throw e;
  }
}

async function fetchMetrics(url: string, clientCa: CertifiedKey): Promise<string> {
  const c = await issueCert({ ca: clientCa, cn: "e2e-metrics", client: true, days: 1 });
  return new Promise((resolve, reject) => {
    https
      .get(`${url}/metrics`, { rejectUnauthorized: false, cert: c.certPem, key: c.keyPem }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
}
