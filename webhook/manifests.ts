/**
 * The in-cluster installation of the webhook, as plain objects. deploy/*.yaml
 * is generated from here (`node dist/webhook/gen-deploy.js`) and a unit test
 * keeps the two equal.
 */
import { stringify } from "yaml";
import { DEFAULT_SERVICE, webhookConfigurations } from "./configurations";
import { knownKinds, referencedKinds } from "../policy";
import { DEFAULT_LEASE_NAME } from "./backgroundaudit";

/** Resource names of the kinds the rule book reviews, per API group: what the background audit lists. */
export function reviewedResources(): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  return resourcesOf(knownKinds(), ["list"]);
}

/** RBAC rules for `--references`: get, list and watch on every kind the cross-object checks read (policy/references.ts referencedKinds). */
export function referencedResources(): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  return resourcesOf(referencedKinds(), ["get", "list", "watch"]);
}

function resourcesOf(kinds: { apiVersion: string; kind: string }[], verbs: string[]): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  const plural = (kind: string) => (/[^aeiou]y$/.test(kind) ? `${kind.slice(0, -1)}ies` : `${kind}s`).toLowerCase();
  const byGroup = new Map<string, Set<string>>();
  for (const k of kinds) {
    const group = k.apiVersion.includes("/") ? k.apiVersion.slice(0, k.apiVersion.indexOf("/")) : "";
    byGroup.set(group, (byGroup.get(group) ?? new Set()).add(plural(k.kind)));
  }
  return [...byGroup.keys()].sort().map((g) => ({ apiGroups: [g], resources: [...byGroup.get(g)!].sort(), verbs }));
}

type Obj = Record<string, unknown>;

export interface DeployOptions {
  namespace?: string;
  image?: string;
  replicas?: number;
}

export const TLS_SECRET = "kuscia-iac-webhook-tls";
/** The ConfigMap holding the policy configuration the webhook follows (`--config`); edit it and the pods pick it up without a restart. */
export const POLICY_CONFIGMAP = "kuscia-iac-policy";
export const POLICY_FILE = "policy.yaml";

/** The policy configuration shipped in deploy/: every rule at its default action, with the knobs spelled out. */
export const DEFAULT_POLICY_YAML = `# kuscia-iac policy configuration (see the README, "Policy configuration").
# Edits take effect in the running webhook within a minute (the kubelet refreshes the volume);
# an invalid file is logged and ignored. Check it first: kuscia-iac rules --config policy.yaml
apiVersion: kuscia-iac.secretflow/v1alpha1
kind: PolicyConfiguration
kusciaVersion: v1.1
rules: {}              # e.g. nodeconfig.domain-key.pkcs1: warn
parameters: {}         # e.g. certificateExpiryWarningDays: 45
exceptions: []
exemptRequesters: {}   # e.g. serviceAccounts: [kuscia-system:kuscia]
`;
/** Not valid base64 on purpose: applying the file unedited fails instead of installing a webhook nobody can call. */
export const CA_BUNDLE_PLACEHOLDER = "REPLACE_WITH_BASE64_CA_BUNDLE";

export function deployManifests(o: DeployOptions = {}): Obj[] {
  const namespace = o.namespace ?? DEFAULT_SERVICE.namespace;
  const name = DEFAULT_SERVICE.name;
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "kuscia-iac" };
  const selector = { "app.kubernetes.io/name": name };
  const probe = (path: string, period: number) => ({ httpGet: { path, port: "probes", scheme: "HTTPS" }, periodSeconds: period, timeoutSeconds: 2, failureThreshold: 3 });
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted" } } },
    // The token is mounted only into the webhook's own pods (below), never by default into others using the account.
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace, labels }, automountServiceAccountToken: false },
    // --references: read-only, the kinds the cross-object checks read. --audit-interval: list the reviewed
    // kinds (ConfigMaps included: Kuscia node configurations; the scan keeps only those labelled
    // kuscia.secretflow/config=true) and write the reports (OpenReports or wgpolicyk8s PolicyReports,
    // --report-api; a report API not chosen is cleared of this tool's reports, hence both).
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels },
      rules: [
        ...referencedResources(),
        ...reviewedResources(),
        { apiGroups: ["wgpolicyk8s.io"], resources: ["policyreports", "clusterpolicyreports"], verbs: ["list", "create", "update", "delete"] },
        { apiGroups: ["openreports.io"], resources: ["reports", "clusterreports"], verbs: ["list", "create", "update", "delete"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
    // --audit-interval: the Lease that elects the one replica that scans, in the webhook's namespace only.
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace, labels },
      rules: [
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [DEFAULT_LEASE_NAME], verbs: ["get", "update"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: POLICY_CONFIGMAP, namespace, labels }, data: { [POLICY_FILE]: DEFAULT_POLICY_YAML } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace, labels },
      spec: {
        replicas: o.replicas ?? 2,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            // --references watches the API server with this account's token (read-only, see the ClusterRole).
            automountServiceAccountToken: true,
            terminationGracePeriodSeconds: 30,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } }],
            containers: [
              {
                name: "webhook",
                image: o.image ?? "kuscia-iac:0.1.0",
                imagePullPolicy: "IfNotPresent",
                args: ["webhook", "--host", "0.0.0.0", "--port", "8443", "--probe-port", "8444", "--tls-cert", "/etc/kuscia-iac/tls/tls.crt", "--tls-key", "/etc/kuscia-iac/tls/tls.key", "--drain-timeout", "20", "--config", `/etc/kuscia-iac/policy/${POLICY_FILE}`, "--references", "--audit-interval", "10m"],
                // The Lease's holder identity and namespace (--audit-interval).
                env: [
                  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                  { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                ],
                // The probes have a port and a thread of their own (--probe-port), so that a flood on 8443 does not delay them.
                ports: [{ name: "https", containerPort: 8443, protocol: "TCP" }, { name: "probes", containerPort: 8444, protocol: "TCP" }],
                readinessProbe: probe("/readyz", 5),
                livenessProbe: probe("/healthz", 10),
                // Two review workers with a 256 MiB heap each can both hold a worst-case review at once.
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "768Mi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts: [
                  { name: "tls", mountPath: "/etc/kuscia-iac/tls", readOnly: true },
                  { name: "policy", mountPath: "/etc/kuscia-iac/policy", readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "tls", secret: { secretName: TLS_SECRET } },
              { name: "policy", configMap: { name: POLICY_CONFIGMAP } },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace, labels },
      spec: { selector, ports: [{ name: "https", port: DEFAULT_SERVICE.port, targetPort: "https", protocol: "TCP" }] },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name, namespace, labels },
      spec: { minAvailable: 1, selector: { matchLabels: selector } },
    },
  ];
}

const HEADER = "# Generated by `node dist/webhook/gen-deploy.js` from webhook/manifests.ts and webhook/configurations.ts; do not edit.\n";

export function toYaml(objs: Obj[]): string {
  return HEADER + objs.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
}

/** File name → content of every generated file under deploy/. */
export function deployFiles(): Record<string, string> {
  const { validating, mutating } = webhookConfigurations({ caBundle: CA_BUNDLE_PLACEHOLDER, service: DEFAULT_SERVICE });
  return {
    "webhook.yaml": toYaml(deployManifests()),
    "webhook-configurations.yaml": toYaml([validating, mutating]),
  };
}
