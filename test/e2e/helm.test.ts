/**
 * The Helm chart (charts/kuscia-iac) with the real helm and a real kube-apiserver:
 * lint, template (against deploy/, the project's review and the API server's dry
 * run), install, upgrade and uninstall. The API server has no kubelet, so the
 * chart's webhook pod is played by a local `kuscia-iac webhook` process started with
 * the args of the installed Deployment and the files of its Secret and ConfigMap
 * volumes; the chart registers it by URL (webhook.url), its generated certificate
 * names that URL's host, 127.0.0.1, and the chart's caBundle and client CA
 * (auth.clientCA) are what authenticate the two ends to each other.
 */
import { strict as assert } from "node:assert";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as https from "node:https";
import * as tls from "node:tls";
import { parseAllDocuments, stringify } from "yaml";
import { issueCert, selfSignedCert } from "../../pki";
import { webhookConfigurations } from "../../webhook";
import { CA_BUNDLE_PLACEHOLDER } from "../../webhook/manifests";
import { startCluster, type Cluster } from "./harness/cluster";
import { CHART, docs, helmCli, helmToolsDir, keyOf, localPod, withoutHelmLabels, type Helm, type LocalPod } from "./harness/helm";
import { freePort, run, startProcess, waitFor, type Proc } from "./harness/procs";
import { REPO, builtTool, toolsDir } from "./harness/tools";
import { asScraped, parseExposition, promrules, seriesNames, type EvalSeries, type Exposition, type Family } from "./harness/prometheus";
import { DAY, makeCert } from "../helpers/certs";

type Obj = Record<string, any>;

const NS = "kuscia-iac-system";
const RELEASE = "kuscia-iac";
const CLI = path.join(REPO, "dist", "cli", "main.js");

// base64 of a PEM: what tls.caBundle must look like (ci/deploy-values.yaml holds this one, deploy/ the placeholder).
const CA_B64 = Buffer.from("-----BEGIN CERTIFICATE-----\nREPLACE\n-----END CERTIFICATE-----\n").toString("base64");
const refused = docs(readFileSync(path.join(REPO, "examples", "manifests", "refused", "interopconfigs.yaml"), "utf8"))[0];
const accepted = docs(readFileSync(path.join(REPO, "examples", "manifests", "accepted", "interopconfigs.yaml"), "utf8"))[0];

describe("Helm chart charts/kuscia-iac (real helm, real kube-apiserver)", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  let helm: Helm;
  let clientCaPem: string;
  let webhook: Proc | undefined;
  let pod: LocalPod | undefined;
  const podDirs: string[] = [];
  let port: number;

  before(async () => {
    const kubeBin = toolsDir("kube");
    const helmBin = helmToolsDir();
    // The API server presents this client certificate to webhooks; the chart's auth.clientCA makes the webhook demand it.
    const clientCa = await selfSignedCert({ cn: "e2e-helm-client-ca", isCA: true, days: 1 });
    const apiClient = await issueCert({ ca: clientCa, cn: "kube-apiserver", client: true, days: 1 });
    clientCaPem = clientCa.certPem;
    cluster = await startCluster(kubeBin, { webhookAuth: { clientCertPem: apiClient.certPem, clientKeyPem: apiClient.keyPem } });
    // The background audit (--audit-interval) writes PolicyReports.
    await cluster.kubectlOk(["apply", "--server-side", "-f", path.join(REPO, "crds", "wgpolicyk8s")]);
    helm = helmCli(helmBin, cluster.kubeconfig);
    port = await freePort();
  });

  after(async () => {
    await webhook?.stop();
    await cluster?.stop();
    for (const d of podDirs) rmSync(d, { recursive: true, force: true });
  });

  const apply = (obj: unknown, extra: string[] = []) => cluster.kubectl(["apply", ...extra, "-f", "-"], stringify(obj));
  const installValues = () => {
    const f = path.join(cluster.workDir, "install-values.yaml");
    // No tls.generate.extraSANs: the chart puts the host of webhook.url into the certificate itself.
    writeFileSync(f, stringify({ webhook: { url: `https://127.0.0.1:${port}` }, auth: { clientCA: clientCaPem } }));
    return f;
  };

  /** Plays the kubelet for one pod of the installed Deployment: its args and volumes, on 127.0.0.1:port. */
  async function startLocalPod(): Promise<void> {
    pod = await localPod((a) => cluster.kubectlOk(a), NS, `${RELEASE}-webhook`);
    podDirs.push(pod.dir);
    const args = [...pod.args];
    args[args.indexOf("--host") + 1] = "127.0.0.1";
    args[args.indexOf("--port") + 1] = String(port);
    // --references and --audit-interval use the in-cluster account in a pod; here, the test's kubeconfig.
    webhook = startProcess(process.execPath, [CLI, ...args, "--kubeconfig", cluster.kubeconfig, "--log-level", "warn"], path.join(pod.dir, "webhook.log"));
  }

  it("helm lint passes for the defaults, deploy/'s values, the URL mode and cert-manager", async () => {
    await helm.ok(["lint", "--strict", CHART]);
    await helm.ok(["lint", "--strict", CHART, "-f", path.join(CHART, "ci", "deploy-values.yaml")]);
    await helm.ok(["lint", "--strict", CHART, "--set", "webhook.url=https://10.0.0.5:8443", "--set", "tls.generate.extraSANs={10.0.0.5}", "--set", "deployment.enabled=false"]);
    await helm.ok(["lint", "--strict", CHART, "--set", "tls.mode=certManager"]);
    // The schema refuses what the API server or the webhook would refuse later.
    const bad = await helm.run(["lint", CHART, "--set", "webhook.url=http://10.0.0.5:8443"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stdout + bad.stderr, /webhook\/url/);
    const nowhere = await helm.run(["template", RELEASE, CHART, "--set", "deployment.enabled=false"]);
    assert.notEqual(nowhere.code, 0);
    assert.match(nowhere.stderr, /webhook\.url is required with deployment\.enabled=false/);
    const noCa = await helm.run(["template", RELEASE, CHART, "--set", "tls.mode=secret"]);
    assert.notEqual(noCa.code, 0);
    assert.match(noCa.stderr, /caBundle/);
  });

  it("helm template refuses, with the value to fix, what the webhook, the API server or the next upgrade would refuse", async () => {
    const fails = async (set: string[], message: RegExp) => {
      const r = await helm.run(["template", RELEASE, CHART, ...set]);
      assert.notEqual(r.code, 0, set.join(" "));
      assert.match(r.stderr, message, set.join(" "));
    };
    // A policy configuration the webhook would refuse at start (exit 2, a crash loop).
    await fails(["--set", "policy.configuration.rules.nope=deny"], /policy\/configuration\/rules.*'nope'/);
    await fails(["--set", "policy.configuration.rules.interop\\.members=block"], /policy\/configuration\/rules\/interop\.members/);
    await fails(["--set", "deployment.auditInterval=500ms"], /deployment\/auditInterval/);
    await fails(["--set", "webhook.kubeVersion=1.28garbage"], /webhook\/kubeVersion/);
    await fails(["--set", "tls.mode=certManager", "--set", "tls.certManager.issuerRef.kind=ClusterIssuer"], /tls\/certManager\/issuerRef/);
    await fails(["--set", "tls.mode=secret", "--set", `tls.caBundle=${CA_B64}`], /tls\/secret/);
    await fails(["--set", "tls.mode=secret", "--set", "tls.secret.name=mine", "--set", "tls.caBundle=Q0E="], /tls\/caBundle/);
    await fails(["--set", "deployment.replicas=0"], /deployment\/replicas/);
    await fails(["--set", "image.repository=kuscia-iac@sha256:abc"], /image\/repository/);
    await fails(["--set-json", 'auth.jwks={"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y","d":"secret"}],"audience":"a"}'], /auth\/jwks\/keys\/0/);
    await fails(["--set", "commonLabels.app\\.kubernetes\\.io/instance=other"], /commonLabels\/app\.kubernetes\.io~1instance/);
    // Template checks naming the values.
    await fails(["--set", "tls.generate.renewBeforeDays=365"], /tls\.generate\.days \(365\) must be greater than tls\.generate\.renewBeforeDays \(365\)/);
    await fails(["--set", "tls.generate.renewBeforeDays=4000"], /tls\.generate\.days .* must be greater/);
    await fails(["--set", "deployment.extraArgs={--port=9443}"], /deployment\.extraArgs: --port is set by the chart; set deployment\.containerPort/);
    await fails(["--kube-version", "1.30.0", "--set", "webhook.matchConditions[0].name=not-exempt-user", "--set-string", "webhook.matchConditions[0].expression=true"], /webhook\.matchConditions: the name "not-exempt-user" is reserved/);
  });

  it("helm template: merged labels, image digest, quoted extraArgs, containerPort, caBundle as PEM text, the PDB only from 2 replicas", async () => {
    const text = await helm.ok(["template", RELEASE, CHART, "-n", NS, "--set", "commonLabels.app\\.kubernetes\\.io/version=mine", "--set", "commonLabels.team=a", "--set", "deployment.podLabels.helm\\.sh/chart=mine", "--set", "deployment.podLabels.tier=b",
      "--set", `image.digest=sha256:${"a".repeat(64)}`, "--set", "image.tag=ignored", "--set-json", 'deployment.extraArgs=["--log-level","warn","--max-objects",5,"--flag",true]', "--set", "deployment.containerPort=9443", "--set", "deployment.replicas=1"]);
    // No key written twice (YAML with duplicate keys is refused by strict parsers, kubectl included).
    for (const d of parseAllDocuments(text)) assert.deepEqual(d.errors, []);
    const objs = docs(text);
    const dep = objs.find((o) => o.kind === "Deployment")!;
    assert.equal(dep.metadata.labels["app.kubernetes.io/version"], parseAllDocuments(readFileSync(path.join(CHART, "Chart.yaml"), "utf8"))[0].toJS().appVersion);
    assert.equal(dep.metadata.labels.team, "a");
    const podLabels = dep.spec.template.metadata.labels;
    assert.match(podLabels["helm.sh/chart"], /^kuscia-iac-/);
    assert.equal(podLabels.tier, "b");
    const c = dep.spec.template.spec.containers[0];
    assert.equal(c.image, `kuscia-iac@sha256:${"a".repeat(64)}`);
    assert.deepEqual(c.args.slice(-6), ["--log-level", "warn", "--max-objects", "5", "--flag", "true"]);
    assert.equal(c.args[c.args.indexOf("--port") + 1], "9443");
    assert.equal(c.ports[0].containerPort, 9443);
    assert.equal(objs.filter((o) => o.kind === "PodDisruptionBudget").length, 0);
    const pdb = docs(await helm.ok(["template", RELEASE, CHART, "--set", "podDisruptionBudget.maxUnavailable=50%"])).find((o) => o.kind === "PodDisruptionBudget")!;
    assert.deepEqual([pdb.spec.maxUnavailable, pdb.spec.minAvailable], ["50%", undefined]);
    const pem = Buffer.from(CA_B64, "base64").toString("utf8");
    const secretMode = docs(await helm.ok(["template", RELEASE, CHART, "--set", "tls.mode=secret", "--set", "tls.secret.name=my-tls", "--set", `tls.caBundle=${pem}`]));
    assert.equal(secretMode.find((o) => o.kind === "ValidatingWebhookConfiguration")!.webhooks[0].clientConfig.caBundle, CA_B64);
    assert.equal(secretMode.find((o) => o.kind === "Deployment")!.spec.template.spec.volumes[0].secret.secretName, "my-tls");
    assert.equal(secretMode.filter((o) => o.kind === "Secret").length, 0);
  });

  it("renders cert-manager TLS (caBundle injected) and bearer-token authentication", async () => {
    const cm = docs(await helm.ok(["template", RELEASE, CHART, "-n", NS, "--set", "tls.mode=certManager", "--set", "tls.certManager.extraSANs={10.0.0.5,webhook.example}"]));
    const cert = cm.find((o) => o.kind === "Certificate" && o.metadata.name === `${RELEASE}-webhook`)!;
    assert.equal(cert.spec.secretName, `${RELEASE}-webhook-tls`);
    assert.deepEqual(cert.spec.ipAddresses, ["10.0.0.5"]);
    assert.ok(cert.spec.dnsNames.includes(`${RELEASE}-webhook.${NS}.svc`) && cert.spec.dnsNames.includes("webhook.example"));
    assert.deepEqual(cm.filter((o) => o.kind === "Issuer").map((o) => o.metadata.name).sort(), [`${RELEASE}-webhook-ca`, `${RELEASE}-webhook-selfsigned`]);
    for (const w of cm.filter((o) => /WebhookConfiguration$/.test(o.kind))) {
      assert.equal(w.metadata.annotations["cert-manager.io/inject-ca-from"], `${NS}/${RELEASE}-webhook`);
      for (const e of w.webhooks) assert.equal(e.clientConfig.caBundle, undefined);
    }
    assert.equal(cm.filter((o) => o.kind === "Secret").length, 0);
    const issuer = docs(await helm.ok(["template", RELEASE, CHART, "--set", "tls.mode=certManager", "--set", "tls.certManager.issuerRef.name=corp", "--set", "tls.certManager.issuerRef.kind=ClusterIssuer"]));
    assert.equal(issuer.filter((o) => o.kind === "Issuer").length, 0);
    assert.deepEqual(issuer.find((o) => o.kind === "Certificate")!.spec.issuerRef, { name: "corp", kind: "ClusterIssuer" });

    const jwt = docs(await helm.ok(["template", RELEASE, CHART, "-n", NS, "--set-json", 'auth.jwks={"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y"}],"audience":"kuscia-iac"}']));
    const c = jwt.find((o) => o.kind === "Deployment")!.spec.template.spec.containers[0];
    const arg = (f: string) => c.args[c.args.indexOf(f) + 1];
    assert.equal(arg("--jwks"), "/etc/kuscia-iac/auth/jwks.json");
    assert.equal(arg("--audience"), "kuscia-iac");
    assert.ok(c.volumeMounts.some((m: Obj) => m.mountPath === "/etc/kuscia-iac/auth"));
    assert.deepEqual(JSON.parse(jwt.find((o) => o.kind === "ConfigMap" && o.metadata.name === `${RELEASE}-webhook-auth`)!.data["jwks.json"]).keys[0].kty, "EC");
    const noAud = await helm.run(["template", RELEASE, CHART, "--set", "auth.jwks.url=https://issuer.example/jwks"]);
    assert.notEqual(noAud.code, 0);
    assert.match(noAud.stderr, /auth\.jwks\.audience is required/);
  });

  it("monitoring: off by default; a ServiceMonitor over HTTPS, a PrometheusRule and a dashboard ConfigMap when enabled, each on its own", async () => {
    const kinds = (objs: Obj[]) => objs.map((o) => o.kind);
    const none = docs(await helm.ok(["template", RELEASE, CHART, "-n", NS]));
    assert.ok(!kinds(none).some((k) => ["ServiceMonitor", "PrometheusRule"].includes(k)) && !none.some((o) => o.metadata.name.endsWith("-dashboard")));
    const on = ["--set", "monitoring.serviceMonitor.enabled=true", "--set", "monitoring.prometheusRule.enabled=true", "--set", "monitoring.grafanaDashboard.enabled=true", "--set", "monitoring.labels.release=kube-prometheus-stack"];
    const objs = docs(await helm.ok(["template", RELEASE, CHART, "-n", NS, ...on]));
    const sm = objs.find((o) => o.kind === "ServiceMonitor")!;
    assert.equal(sm.apiVersion, "monitoring.coreos.com/v1");
    assert.equal(sm.metadata.labels.release, "kube-prometheus-stack");
    const svc = objs.find((o) => o.kind === "Service")!;
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(svc.metadata.labels[k], v, `the ServiceMonitor selects the chart's Service by ${k}`);
    assert.deepEqual(sm.spec.endpoints, [{ port: "https", scheme: "https", path: "/metrics", interval: "30s", scrapeTimeout: "10s", tlsConfig: { ca: { secret: { name: `${RELEASE}-webhook-tls`, key: "ca.crt" } }, serverName: `${RELEASE}-webhook.${NS}.svc` } }]);
    assert.equal(svc.spec.ports[0].name, "https");
    const rule = objs.find((o) => o.kind === "PrometheusRule")!;
    const alerts = rule.spec.groups.flatMap((g: Obj) => g.rules.map((r: Obj) => r.alert));
    assert.deepEqual(alerts, ["KusciaIacWebhookFailClosed", "KusciaIacWebhookErrors", "KusciaIacPolicyConfigurationRejected", "KusciaIacRefusalRateHigh", "KusciaIacWebhookSlow", "KusciaIacAuditScanFailing", "KusciaIacAuditStale", "KusciaIacWebhookCertificateExpiring", "KusciaIacCertificateExpiring"]);
    const expr = (name: string, o: Obj = rule) => o.spec.groups[0].rules.find((r: Obj) => r.alert === name).expr as string;
    assert.match(expr("KusciaIacWebhookFailClosed"), new RegExp(`kuscia_iac_webhook_requests_total\\{job="${RELEASE}-webhook",namespace="${NS}",verdict=~"error\\|overloaded"\\}`));
    assert.match(expr("KusciaIacWebhookSlow"), /\) > 4$/, "0.8 of the 5 s timeout");
    assert.match(expr("KusciaIacAuditStale"), /> 1800$/, "three 10m intervals");
    const dash = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === `${RELEASE}-webhook-dashboard`)!;
    assert.equal(dash.metadata.labels.grafana_dashboard, "1");
    assert.equal(JSON.parse(dash.data["kuscia-iac.json"]).uid, "kuscia-iac");

    // Values: thresholds, labels, alerts left out, another selector; no audit alerts without the audit.
    const custom = docs(await helm.ok(["template", RELEASE, CHART, "-n", NS, "--set", "monitoring.prometheusRule.enabled=true", "--set", "webhook.timeoutSeconds=10", "--set", "deployment.auditInterval=", "--set", "monitoring.prometheusRule.selector=job=\"kuscia\"",
      "--set", "monitoring.prometheusRule.alertLabels.team=kuscia", "--set", "monitoring.prometheusRule.alertLabels.severity=page", "--set", "monitoring.prometheusRule.disabled={KusciaIacRefusalRateHigh}", "--set", "monitoring.prometheusRule.servingCertificateDays=3"])).find((o) => o.kind === "PrometheusRule")!;
    const customRules: Obj[] = custom.spec.groups[0].rules;
    assert.deepEqual(customRules.map((r) => r.alert), ["KusciaIacWebhookFailClosed", "KusciaIacWebhookErrors", "KusciaIacPolicyConfigurationRejected", "KusciaIacWebhookSlow", "KusciaIacWebhookCertificateExpiring", "KusciaIacCertificateExpiring"]);
    assert.match(expr("KusciaIacWebhookSlow", custom), /\{job="kuscia",endpoint=~"validate\|mutate"\}.* > 4$/, "capped at 4 s: the histogram ends at 5 s");
    assert.match(expr("KusciaIacWebhookCertificateExpiring", custom), / < 259200$/);
    assert.deepEqual(customRules[0].labels, { severity: "page", team: "kuscia" });
    const slowAudit = docs(await helm.ok(["template", RELEASE, CHART, "--set", "monitoring.prometheusRule.enabled=true", "--set", "deployment.auditInterval=2h"])).find((o) => o.kind === "PrometheusRule")!;
    assert.match(expr("KusciaIacAuditScanFailing", slowAudit), /\[21600s\]/);

    // Refused with the value to fix.
    const noDeployment = await helm.run(["template", RELEASE, CHART, "--set", "monitoring.serviceMonitor.enabled=true", "--set", "deployment.enabled=false", "--set", "webhook.url=https://10.0.0.5:8443"]);
    assert.notEqual(noDeployment.code, 0);
    assert.match(noDeployment.stderr, /monitoring\.serviceMonitor\.enabled needs deployment\.enabled/);
    for (const [set, message] of [["monitoring.prometheusRule.disabled={KusciaIacNope}", /monitoring\/prometheusRule\/disabled\/0/], ["monitoring.prometheusRule.refusalRatio=2", /monitoring\/prometheusRule\/refusalRatio/], ["monitoring.serviceMonitor.interval=often", /monitoring\/serviceMonitor\/interval/]] as const) {
      const r = await helm.run(["template", RELEASE, CHART, "--set", set]);
      assert.notEqual(r.code, 0, set);
      assert.match(r.stderr, message, set);
    }
    // The rendered monitoring objects pass helm lint --strict.
    await helm.ok(["lint", "--strict", CHART, ...on]);
  });

  it("helm template with ci/deploy-values.yaml prints deploy/ object for object (Helm's own labels aside)", async () => {
    // The schema refuses deploy/'s caBundle placeholder: ci/deploy-values.yaml gives a stand-in, swapped back here.
    const rendered = docs((await helm.ok(["template", RELEASE, CHART, "-n", NS, "-f", path.join(CHART, "ci", "deploy-values.yaml")])).split(CA_B64).join(CA_BUNDLE_PLACEHOLDER));
    const deploy = ["webhook.yaml", "webhook-configurations.yaml"].flatMap((f) => docs(readFileSync(path.join(REPO, "deploy", f), "utf8")));
    assert.deepEqual(rendered.map(keyOf).sort(), deploy.map(keyOf).sort());
    const want = new Map(deploy.map((o) => [keyOf(o), o]));
    for (const o of rendered) assert.deepEqual(withoutHelmLabels(o), want.get(keyOf(o)), keyOf(o));
  });

  it("writes the webhook configurations webhookConfigurations() writes: URL mode, exempt requesters as matchConditions from Kubernetes 1.28 only", async () => {
    const exemptRequesters = { serviceAccounts: ["kuscia-system:kuscia"], usernames: ["o'neil"], groups: ["ops"] };
    const values = path.join(cluster.workDir, "exempt-values.yaml");
    writeFileSync(values, stringify({ webhook: { url: "https://10.0.0.5:8443/" }, tls: { mode: "secret", caBundle: CA_B64, secret: { name: "webhook-tls" } }, policy: { configuration: { exemptRequesters } } }));
    const confs = async (kubeVersion: string) =>
      docs(await helm.ok(["template", RELEASE, CHART, "-n", NS, "-f", values, "--kube-version", kubeVersion])).filter((o) => /WebhookConfiguration$/.test(o.kind)).sort((a, b) => (a.kind < b.kind ? 1 : -1)); // Validating first
    for (const kubeVersion of ["1.30.0", "1.27.0"]) {
      const want = webhookConfigurations({ caBundle: CA_B64, url: "https://10.0.0.5:8443", exemptRequesters, kubeVersion });
      const got: Obj[] = (await confs(kubeVersion)).map((o) => withoutHelmLabels(o));
      const conditions = got[0].webhooks[0].matchConditions as unknown[] | undefined;
      assert.deepEqual(got, [want.validating, want.mutating], kubeVersion);
      assert.equal(conditions?.length, kubeVersion === "1.30.0" ? 2 : undefined);
    }
    // The chart's policy ConfigMap carries the same exemptions for the webhook itself.
    const cm = docs(await helm.ok(["template", RELEASE, CHART, "-n", NS, "-f", values])).find((o) => o.kind === "ConfigMap")!;
    assert.deepEqual(docs(cm.data["policy.yaml"])[0], { apiVersion: "kuscia-iac.secretflow/v1alpha1", kind: "PolicyConfiguration", exemptRequesters });
    // Extra matchConditions cannot be honoured before 1.28: refused rather than dropped.
    const old = await helm.run(["template", RELEASE, CHART, "--kube-version", "1.27.0", "--set", "webhook.matchConditions[0].name=x", "--set-string", "webhook.matchConditions[0].expression=true"]);
    assert.notEqual(old.code, 0);
    assert.match(old.stderr, /webhook\.matchConditions: .*1\.28/);
  });

  it("helm template output passes kuscia-iac review and the API server's dry run", async () => {
    await cluster.kubectlOk(["create", "namespace", NS]);
    const custom = ["--set", "webhook.url=https://127.0.0.1:8443", "--set", "tls.generate.extraSANs={127.0.0.1}", "--set", "auth.clientCA=" + clientCaPem, "--set", "policy.configuration.rules.domain\\.cert\\.cn=off", "--set", "policy.configuration.parameters.certificateExpiryWarningDays=45"];
    for (const set of [[], custom]) {
      const file = path.join(cluster.workDir, "rendered.yaml");
      writeFileSync(file, await helm.ok(["template", RELEASE, CHART, "-n", NS, ...set]));
      const review = await run(process.execPath, [CLI, "review", file]);
      assert.equal(review.code, 0, review.stdout + review.stderr);
      // The policy configuration the chart ships is one the rule book loads.
      const policy = path.join(cluster.workDir, "policy.yaml");
      writeFileSync(policy, docs(readFileSync(file, "utf8")).find((o) => o.kind === "ConfigMap" && o.metadata.name === `${RELEASE}-policy`)!.data["policy.yaml"]);
      const rules = await run(process.execPath, [CLI, "rules", "--config", policy]);
      assert.equal(rules.code, 0, rules.stderr);
      assert.match(rules.stdout, set === custom ? /^domain\.cert\.cn +warning +off /m : /^domain\.cert\.cn +warning +warn /m);
      const dry = await cluster.kubectl(["apply", "--dry-run=server", "-f", file]);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /validatingwebhookconfiguration\.admissionregistration\.k8s\.io\/kuscia-iac-validate created \(server dry run\)/);
      assert.match(dry.stdout, /deployment\.apps\/kuscia-iac-webhook created \(server dry run\)/);
    }
  });

  it("namespace.create is refused by helm install (helm template only); NOTES without the Deployment do not suggest rollout status", async () => {
    // The namespace exists (created above), as it must for helm install.
    const r = await helm.run(["install", "ns-create", CHART, "-n", NS, "--set", "namespace.create=true"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /namespace\.create=true works with `helm template \| kubectl apply` only: namespace kuscia-iac-system exists/);
    const notes = await helm.ok(["install", "no-deploy", CHART, "-n", NS, "--dry-run=client", "--set", "deployment.enabled=false", "--set", "webhook.url=https://10.0.0.5:8443"]);
    const text = notes.slice(notes.indexOf("NOTES:"));
    assert.ok(notes.includes("NOTES:") && !text.includes("rollout status"), text);
    assert.match(text, /curl -sk https:\/\/10\.0\.0\.5:8443\/readyz/);
    const one = await helm.ok(["install", "one", CHART, "-n", NS, "--dry-run=client", "--set", "deployment.replicas=1"]);
    assert.match(one.slice(one.indexOf("NOTES:")), /No PodDisruptionBudget: with 1 replica/);
  });

  it("helm install gates kubectl apply: a refused example is denied with the rule book's message, an accepted one admitted", async () => {
    const notes = await helm.ok(["install", RELEASE, CHART, "-n", NS, "--create-namespace", "-f", installValues()]);
    assert.ok(notes.includes(`The API server calls the webhook at https://127.0.0.1:${port} (webhook.url)`), notes);
    assert.ok(notes.includes(`TLS: a CA generated by the chart (Secret ${RELEASE}-webhook-ca)`), notes);
    assert.ok(!notes.includes("NOT authenticated"), notes);
    await startLocalPod();
    // The API server loads webhook configurations asynchronously.
    await waitFor("the chart's webhook to gate", async () => /denied the request/.test((await apply(refused, ["--dry-run=server"])).stderr), 60_000, 500);
    const no = await apply(refused);
    assert.notEqual(no.code, 0);
    assert.match(no.stderr, /admission webhook "resources\.(mutate|validate)\.kuscia-iac\.secretflow" denied the request: .*\[interop\.members\]/);
    const yes = await apply(accepted);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /interopconfig\.kuscia\.secretflow\/alice-2-bob created/);
    // The chart's client CA is enforced: a caller without the API server's certificate gets 401.
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request({ host: "127.0.0.1", port, path: "/validate", method: "POST", rejectUnauthorized: false, headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end("{}");
    });
    assert.equal(status, 401);
  });

  it("the PrometheusRule and dashboard against the running webhook: Prometheus's checker accepts them, each selector names what its /metrics exports, the alerts fire on its series", async () => {
    const pr = promrules(builtTool("promrules", "promrules"), cluster.workDir);
    const objs = docs(await helm.ok(["template", RELEASE, CHART, "-n", NS, "-f", installValues(), "--set", "monitoring.prometheusRule.enabled=true", "--set", "monitoring.grafanaDashboard.enabled=true", "--set", "monitoring.prometheusRule.minRequests=1"]));
    const groups = objs.find((o) => o.kind === "PrometheusRule")!.spec.groups;
    assert.match(await pr.check(groups, "chart"), /SUCCESS: 9 rules found/);
    // The dashboard's queries, with Grafana's variables given values, checked as recording rules.
    const dashboard = JSON.parse(objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === `${RELEASE}-webhook-dashboard`)!.data["kuscia-iac.json"]);
    const grafana = (e: string) => e.replaceAll("$job", ".+").replaceAll("$namespace", ".+").replaceAll("$__rate_interval", "5m").replaceAll("$__range", "1h");
    const queries: string[] = dashboard.panels.flatMap((p: Obj) => p.targets.map((t: Obj) => grafana(t.expr)));
    const dashGroups = [{ name: "dashboard", rules: queries.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }];
    assert.match(await pr.check(dashGroups, "dashboard"), new RegExp(`SUCCESS: ${queries.length} rules found`));

    // A Domain whose certificate ends in 10 days: the webhook's reference cache exports its notAfter.
    const notAfter = Math.floor((Date.now() + 10 * DAY) / 1000);
    const cert = await makeCert({ cn: "monitored", notAfter: new Date(notAfter * 1000) });
    const domain = await apply({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "monitored" }, spec: { cert: cert.certB64 } });
    assert.equal(domain.code, 0, domain.stderr);
    // /metrics as the ServiceMonitor scrapes it: HTTPS, verified against ca.crt of the serving Secret.
    const ca = Buffer.from(JSON.parse(await cluster.kubectlOk(["get", "secret", "-n", NS, `${RELEASE}-webhook-tls`, "-o", "json"])).data["ca.crt"], "base64").toString("utf8");
    const scrape = () =>
      new Promise<string>((resolve, reject) => {
        https.get({ host: "127.0.0.1", port, path: "/metrics", ca }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`/metrics: ${res.statusCode}`))));
        }).on("error", reject);
      });
    await waitFor("the Domain's certificate and a background audit in /metrics", async () => {
      const text = await scrape();
      return text.includes('name="monitored"') && /^kuscia_iac_webhook_audit_scans_total\{result="success"\} [1-9]/m.test(text);
    }, 60_000, 500);
    // Server-side dry runs of UPDATEs (the refused example has the accepted one's name, which
    // exists): refused as is, admitted with a new label (an unchanged object is not even sent).
    // Once before the first scrape, so that each series exists there: increase() needs two samples.
    const update = (n: number) => apply({ ...accepted, metadata: { ...accepted.metadata, labels: { scrape: String(n) } } }, ["--dry-run=server"]);
    assert.match((await apply(refused, ["--dry-run=server"])).stderr, /denied the request/);
    assert.equal((await update(0)).code, 0);
    const first = parseExposition(await scrape());
    const t0 = Date.now();
    // Between the two scrapes: three objects refused, one admitted.
    for (let i = 0; i < 3; i++) assert.match((await apply(refused, ["--dry-run=server"])).stderr, /denied the request/);
    const admitted = await update(1);
    assert.equal(admitted.code, 0, admitted.stderr);
    const second = parseExposition(await scrape());
    const t1 = Math.max(Date.now(), t0 + 1000);

    // Every selector names a series of the webhook's /metrics, with label names its samples carry
    // (or, before any sample, its HELP names) and label values it emits (seen, or named in the HELP).
    const families = new Map<string, Family>();
    for (const f of second.families.values()) for (const n of seriesNames(f)) families.set(n, f);
    const TARGET = ["job", "namespace", "pod", "instance"];
    let checked = 0;
    for (const r of [...(await pr.selectors(groups, "chart")), ...(await pr.selectors(dashGroups, "dashboard"))]) {
      for (const sel of r.selectors) {
        const f = families.get(sel.metric);
        assert.ok(f, `${r.name}: ${sel.metric} is not in the webhook's /metrics`);
        const samples = second.samples.filter((x) => x.name === sel.metric);
        for (const m of sel.matchers.filter((m) => !TARGET.includes(m.name))) {
          const values = new Set(samples.map((x) => x.labels[m.name]).filter((v) => v !== undefined));
          assert.ok(values.size > 0 || new RegExp(`\\b${m.name}\\b`).test(f.help), `${r.name}: ${sel.metric} has no label ${m.name}`);
          for (const v of m.type === "=~" ? m.value.split("|") : [m.value]) {
            assert.ok(/^[\w.-]+$/.test(v), `${r.name}: ${m.name}${m.type}"${m.value}" is not a list of literal values`);
            assert.ok(values.has(v) || new RegExp(`(^|[^\\w.-])${v.replace(/\./g, "\\.")}([^\\w.-]|$)`).test(f.help), `${r.name}: ${sel.metric} never has ${m.name}="${v}" (not seen, not in its HELP: ${f.help})`);
          }
          checked++;
        }
      }
    }
    assert.ok(checked > 20, `${checked} matchers checked`);

    // The alerts, evaluated by Prometheus's engine over the two scrapes, labelled as a ServiceMonitor
    // scrape labels them (the object's namespace of the certificate gauge becomes exported_namespace).
    const target = { job: `${RELEASE}-webhook`, namespace: NS, pod: `${RELEASE}-webhook-0`, instance: `127.0.0.1:${port}` };
    const real = new Map<string, EvalSeries>();
    const add = (x: Exposition, t: number) => {
      for (const smp of x.samples) {
        if (!Number.isFinite(smp.value)) continue;
        const labels = asScraped(smp, target);
        const k = JSON.stringify(Object.entries(labels).sort());
        (real.get(k) ?? real.set(k, { labels, samples: [] }).get(k)!).samples.push([t, smp.value]);
      }
    };
    add(first, t0);
    add(second, t1);
    const rules: Obj[] = groups[0].rules;
    const evaluate = async (series: EvalSeries[], at: number) => {
      const rs = await pr.eval(series, rules.map((r) => r.expr), at);
      return Object.fromEntries(rules.map((r, i) => {
        assert.equal(rs[i].error, undefined, `${r.alert}: ${rs[i].error}`);
        return [r.alert, rs[i].result];
      })) as Record<string, { labels: Record<string, string>; value: number }[]>;
    };
    const firing = (a: Record<string, unknown[]>) => Object.keys(a).filter((k) => a[k].length > 0).sort();
    const series = [...real.values()];
    const one = (name: string, labels: Record<string, string>) => series.find((x) => x.labels.__name__ === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))!;
    const like = (base: EvalSeries, labels: Record<string, string>, values: [number, number]): EvalSeries => ({ labels: { ...base.labels, ...labels }, samples: [[t0, values[0]], [t1, values[1]]] });

    // As they are: three of the four objects reviewed were refused; a Kuscia certificate ends in 10 days.
    const now = await evaluate(series, t1);
    const why = async () =>
      JSON.stringify(await pr.eval(series, ['sum by (endpoint, verdict, operation) (increase(kuscia_iac_webhook_requests_total[15m]))', "kuscia_iac_webhook_requests_total"], t1));
    assert.deepEqual(firing(now), ["KusciaIacCertificateExpiring", "KusciaIacRefusalRateHigh"], firing(now).includes("KusciaIacRefusalRateHigh") ? "" : await why());
    // 3 of 4 (increase() extrapolates each counter a little differently, so not exactly 0.75).
    assert.ok(now.KusciaIacRefusalRateHigh[0].value > 0.5 && now.KusciaIacRefusalRateHigh[0].value <= 1, String(now.KusciaIacRefusalRateHigh[0].value));
    const expiring = now.KusciaIacCertificateExpiring[0];
    assert.deepEqual([expiring.labels.kind, expiring.labels.name, expiring.labels.field, expiring.labels.job], ["Domain", "monitored", "spec.cert", `${RELEASE}-webhook`]);
    assert.ok(Math.abs(expiring.value - (notAfter - t1 / 1000)) < 5, String(expiring.value));

    // Conditions the webhook met in other runs, on the same series and labels: answers refused fail-closed
    // (an error verdict, internal.rule-error), a replaced worker, a rejected configuration, failing scans,
    // a serving certificate 13 days from its end, and reviews slower than the histogram's last bucket.
    const request = one("kuscia_iac_webhook_requests_total", { endpoint: "validate", verdict: "allowed" });
    const scans = one("kuscia_iac_webhook_audit_scans_total", { result: "success" });
    const expiry = one("kuscia_iac_webhook_certificate_expiry_timestamp_seconds", {});
    const bare = (name: string, labels: Record<string, string>, values: [number, number]) => like({ labels: { __name__: name, ...target }, samples: [] }, labels, values);
    const cases: [string, EvalSeries[], string][] = [
      ["an error verdict", [like(request, { verdict: "error" }, [0, 2])], "KusciaIacWebhookFailClosed"],
      ["503 overloaded", [like(request, { verdict: "overloaded", endpoint: "mutate" }, [0, 5])], "KusciaIacWebhookFailClosed"],
      ["internal.rule-error", [bare("kuscia_iac_webhook_denied_rules_total", { kind: request.labels.kind, rule: "internal.rule-error" }, [0, 1])], "KusciaIacWebhookFailClosed"],
      ["a worker restart", [bare("kuscia_iac_webhook_review_worker_restarts_total", { reason: "exit" }, [0, 1])], "KusciaIacWebhookErrors"],
      ["a rejected certificate reload", [bare("kuscia_iac_webhook_certificate_reloads_total", { result: "rejected" }, [0, 1])], "KusciaIacWebhookErrors"],
      ["a rejected policy configuration", [bare("kuscia_iac_webhook_policy_config_reloads_total", { result: "rejected" }, [0, 1])], "KusciaIacPolicyConfigurationRejected"],
      ["a failed scan", [like(scans, { result: "error" }, [0, 1])], "KusciaIacAuditScanFailing"],
      ["a certificate 13 days from its end", [like(expiry, { pod: `${RELEASE}-webhook-1` }, [t1 / 1000 + 13 * 86400, t1 / 1000 + 13 * 86400])], "KusciaIacWebhookCertificateExpiring"],
    ];
    for (const [what, extra, alert] of cases) {
      const got = await evaluate([...series, ...extra], t1);
      assert.deepEqual(firing(got), [alert, "KusciaIacCertificateExpiring", "KusciaIacRefusalRateHigh"].sort(), what);
    }
    // Slow: every validate review of the second scrape took longer than 5 s (the +Inf bucket only).
    const slow = series.map((x) =>
      x.labels.__name__ === "kuscia_iac_webhook_request_duration_seconds_bucket" && x.labels.endpoint === "validate" && x.labels.le === "+Inf" ? { ...x, samples: [x.samples[0], [t1, x.samples[1][1] + 1000]] as [number, number][] } : x,
    );
    const slowGot = await evaluate(slow, t1);
    assert.ok(firing(slowGot).includes("KusciaIacWebhookSlow") && slowGot.KusciaIacWebhookSlow[0].value === 5, JSON.stringify(slowGot.KusciaIacWebhookSlow));
    assert.equal(now.KusciaIacWebhookSlow.length, 0, "the real reviews are fast");
    // 31 minutes on with nothing new (the series held, as scrapes would find them): the audit is stale,
    // nothing was reviewed, so no refusal rate.
    const later = t1 + 31 * 60_000;
    const held = series.map((x) => ({ ...x, samples: [...x.samples, ...Array.from({ length: 31 }, (_, i): [number, number] => [t1 + (i + 1) * 60_000, x.samples[x.samples.length - 1][1]])] }));
    const stale = await evaluate(held, later);
    assert.deepEqual(firing(stale), ["KusciaIacAuditStale", "KusciaIacCertificateExpiring"]);
  });

  it("helm upgrade changes the policy configuration and the verdict follows (warn instead of deny)", async () => {
    await cluster.kubectlOk(["delete", "interopconfig", "alice-2-bob"]);
    await helm.ok(["upgrade", RELEASE, CHART, "-n", NS, "--reuse-values", "--set", "policy.configuration.rules.interop\\.members=warn"]);
    await pod!.sync(); // the kubelet refreshes the ConfigMap volume; the webhook reloads it
    await waitFor("the new policy configuration", async () => (await apply(refused, ["--dry-run=server"])).code === 0, 60_000, 500);
    const r = await apply(refused);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: .*\[interop\.members\]/);
    const vwc = JSON.parse(await cluster.kubectlOk(["get", "validatingwebhookconfiguration", `${RELEASE}-validate`, "-o", "json"]));
    assert.equal(vwc.webhooks[0].failurePolicy, "Fail");
  });

  it("helm upgrade with exempt requesters writes matchConditions the API server honours: the webhook is not even called", async () => {
    const badHost = docs(readFileSync(path.join(REPO, "examples", "manifests", "refused", "interopconfigs.yaml"), "utf8")).find((o) => o.spec?.host === "Bob")!;
    assert.match((await apply(badHost, ["--dry-run=server"])).stderr, /denied the request: .*\[interop\.host\]/);
    // The test's kubectl user. The pod's files are not synced: the running webhook still reviews
    // this user, so an admission can only come from the API server skipping the call.
    await helm.ok(["upgrade", RELEASE, CHART, "-n", NS, "--reuse-values", "--set", "policy.configuration.exemptRequesters.usernames={e2e-admin}"]);
    const vwc = JSON.parse(await cluster.kubectlOk(["get", "validatingwebhookconfiguration", `${RELEASE}-validate`, "-o", "json"]));
    assert.deepEqual(vwc.webhooks[0].matchConditions, [{ name: "not-exempt-user", expression: "!(request.userInfo.username in ['e2e-admin'])" }]);
    await waitFor("the API server to skip the exempt user", async () => (await apply(badHost, ["--dry-run=server"])).code === 0, 60_000, 500);
    await helm.ok(["upgrade", RELEASE, CHART, "-n", NS, "--reuse-values", "--set-json", "policy.configuration.exemptRequesters.usernames=[]"]);
    await waitFor("the exemption to go", async () => /denied the request: .*\[interop\.host\]/.test((await apply(badHost, ["--dry-run=server"])).stderr), 60_000, 500);
    const after = JSON.parse(await cluster.kubectlOk(["get", "validatingwebhookconfiguration", `${RELEASE}-validate`, "-o", "json"]));
    assert.equal(after.webhooks[0].matchConditions, undefined);
  });

  it("helm upgrade to failurePolicy Ignore admits unreviewed while the webhook is down; back to Fail refuses", async () => {
    const probe = { ...accepted, metadata: { name: "while-down" } };
    await helm.ok(["upgrade", RELEASE, CHART, "-n", NS, "--reuse-values", "--set", "webhook.failurePolicy=Ignore"]);
    await webhook!.stop();
    await waitFor("Ignore in force", async () => (await apply(probe, ["--dry-run=server"])).code === 0, 60_000, 500);
    await helm.ok(["upgrade", RELEASE, CHART, "-n", NS, "--reuse-values", "--set", "webhook.failurePolicy=Fail"]);
    await waitFor("Fail in force", async () => /failed calling webhook/.test((await apply(probe, ["--dry-run=server"])).stderr), 60_000, 500);
    await startLocalPod();
    await waitFor("the webhook back", async () => (await apply(probe, ["--dry-run=server"])).code === 0, 60_000, 500);
  });

  it("helm upgrade renews the serving certificate from the same CA without a new caBundle, then the CA with the old one kept in the bundle", async () => {
    const secret = async (name: string) => JSON.parse(await cluster.kubectlOk(["get", "secret", "-n", NS, name, "-o", "json"])).data as Record<string, string>;
    const vwcCa = async () => JSON.parse(await cluster.kubectlOk(["get", "validatingwebhookconfiguration", `${RELEASE}-validate`, "-o", "json"])).webhooks[0].clientConfig.caBundle as string;
    const [ca0, tls0, bundle0] = [await secret(`${RELEASE}-webhook-ca`), await secret(`${RELEASE}-webhook-tls`), await vwcCa()];
    // An ordinary upgrade keeps both.
    await helm.ok(["upgrade", RELEASE, CHART, "-n", NS, "--reuse-values"]);
    assert.deepEqual(await secret(`${RELEASE}-webhook-tls`), tls0);
    // Within renewBeforeDays of its end (here: always, the current one lasts 365 days), the serving
    // certificate is issued again (days must stay above renewBeforeDays: the chart refuses otherwise).
    await helm.ok(["upgrade", RELEASE, CHART, "-n", NS, "--reuse-values", "--set", "tls.generate.renewBeforeDays=400", "--set", "tls.generate.days=800"]);
    const [ca1, tls1, bundle1] = [await secret(`${RELEASE}-webhook-ca`), await secret(`${RELEASE}-webhook-tls`), await vwcCa()];
    assert.deepEqual(ca1, ca0);
    assert.equal(bundle1, bundle0);
    assert.notEqual(tls1["tls.crt"], tls0["tls.crt"]);
    await pod!.sync();
    const served = () =>
      new Promise<string>((resolve, reject) => {
        const s = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
          resolve(s.getPeerX509Certificate()!.toString());
          s.end();
        });
        s.on("error", reject);
      });
    const want = Buffer.from(tls1["tls.crt"], "base64").toString("utf8");
    await waitFor("the webhook to serve the renewed certificate", async () => (await served()).trim() === want.trim(), 60_000, 500);
    await cluster.kubectlOk(["delete", "interopconfig", "alice-2-bob"]);
    await helm.ok(["upgrade", RELEASE, CHART, "-n", NS, "--reuse-values", "--set", "policy.configuration.rules.interop\\.members=deny"]);
    await pod!.sync();
    await waitFor("deny again, through the renewed certificate", async () => /denied the request/.test((await apply(refused, ["--dry-run=server"])).stderr), 60_000, 500);
    assert.match((await apply(refused)).stderr, /denied the request: .*\[interop\.members\]/);

    // Within renewBeforeDays of the CA's end (here: always), a new CA signs a new certificate; the
    // caBundle keeps the old CA next to it, so the certificate the pods serve until the kubelet
    // swaps their files stays trusted.
    await helm.ok(["upgrade", RELEASE, CHART, "-n", NS, "--reuse-values", "--set", "tls.generate.renewBeforeDays=4000", "--set", "tls.generate.days=4500", "--set", "tls.generate.caDays=5000"]);
    const [ca2, tls2, bundle2] = [await secret(`${RELEASE}-webhook-ca`), await secret(`${RELEASE}-webhook-tls`), await vwcCa()];
    assert.notEqual(ca2["tls.crt"], ca1["tls.crt"]);
    const pem = (b64: string) => Buffer.from(b64, "base64").toString("utf8").trim();
    const bundle = pem(bundle2);
    assert.equal(bundle.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2);
    assert.ok(bundle.includes(pem(ca2["tls.crt"])) && bundle.includes(pem(ca1["tls.crt"])));
    assert.equal(pem(tls2["ca.crt"]), bundle);
    const verifies = (ca: string) =>
      new Promise<boolean>((resolve) => {
        const s = tls.connect({ host: "127.0.0.1", port, ca, checkServerIdentity: () => undefined }, () => {
          resolve(s.authorized);
          s.end();
        });
        s.on("error", () => resolve(false));
      });
    assert.equal(await verifies(bundle), true, "the certificate served before the swap chains to the caBundle");
    assert.equal(await verifies(pem(ca2["tls.crt"])), false, "and not to the new CA alone");
    assert.match((await apply(refused, ["--dry-run=server"])).stderr, /denied the request/);
    await pod!.sync();
    await waitFor("the certificate of the new CA", async () => verifies(pem(ca2["tls.crt"])), 60_000, 500);
    assert.match((await apply(refused, ["--dry-run=server"])).stderr, /denied the request: .*\[interop\.members\]/);
  });

  it("helm uninstall leaves no object of the release, and kubectl apply is no longer gated", async () => {
    const manifest = docs(await helm.ok(["get", "manifest", RELEASE, "-n", NS]));
    assert.ok(manifest.length >= 14, `${manifest.length} objects`);
    await helm.ok(["uninstall", RELEASE, "-n", NS, "--wait"]);
    for (const o of manifest) {
      const r = await cluster.kubectl(["get", o.kind, o.metadata.name, ...(o.metadata.namespace ? ["-n", o.metadata.namespace] : []), "--ignore-not-found", "-o", "name"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), "", `${keyOf(o)} is left`);
    }
    const left = await cluster.kubectlOk(["get", "all,secrets,configmaps,roles,rolebindings,serviceaccounts,poddisruptionbudgets", "-n", NS, "-l", `app.kubernetes.io/instance=${RELEASE}`, "-o", "name"]);
    assert.equal(left.trim(), "");
    const cluster_ = await cluster.kubectlOk(["get", "validatingwebhookconfigurations,mutatingwebhookconfigurations,clusterroles,clusterrolebindings", "-l", `app.kubernetes.io/instance=${RELEASE}`, "-o", "name"]);
    assert.equal(cluster_.trim(), "");
    await waitFor("the registration to go", async () => (await apply(refused, ["--dry-run=server"])).code === 0, 60_000, 500);
  });
});
