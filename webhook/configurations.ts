/**
 * The Validating- and MutatingWebhookConfiguration that route Kuscia,
 * SecretFlow and Iflearner objects to this webhook. The one definition used by
 * deploy/ (generated from it), `kuscia-iac webhook --print-configurations`, the
 * e2e harness and Pulumi components. Pure: no I/O.
 */
import { admissionFeatures } from "../policy/upstream/embedded";
import { CONFIG_LABEL, type ExemptRequesters } from "../policy";

export const DEFAULT_NAMESPACE = "kuscia-iac-system";
export const DEFAULT_SERVICE = { namespace: DEFAULT_NAMESPACE, name: "kuscia-iac-webhook", port: 443 } as const;

/** Plural resources of the kinds the rule book gates. */
export const KUSCIA_RESOURCES = [
  "domains",
  "interopconfigs",
  "kusciadeployments",
  "appimages",
  "clusterdomainroutes",
  "domainroutes",
  "kusciajobs",
  "kusciatasks",
  "domainappimages",
  "domaindatasources",
  "domaindatas",
  "domaindatagrants",
  "gateways",
  "taskresources",
  "taskresourcegroups",
  "kusciadeploymentsummaries",
  "kusciajobsummaries",
  "kusciatasksummaries",
] as const;
export const IFLEARNER_RESOURCES = ["iflearnerjobs"] as const;

export interface WebhookConfigurationOptions {
  /** base64 of the PEM CA bundle that signed the serving certificate. */
  caBundle: string;
  /** The in-cluster Service in front of the webhook (mutually exclusive with url). */
  service?: { namespace: string; name: string; port?: number };
  /** Base https URL of a webhook outside the cluster, e.g. https://10.0.0.5:8443; /validate and /mutate are appended. */
  url?: string;
  /** Default Fail: an object is not admitted unreviewed. */
  failurePolicy?: "Fail" | "Ignore";
  /** Default 5; the API server allows 1-30. */
  timeoutSeconds?: number;
  /** metadata.name prefix of both objects; default kuscia-iac. */
  name?: string;
  /** Namespaces never sent to the webhook; default kube-system and the webhook's own namespace. */
  excludeNamespaces?: string[];
  /**
   * Requesters never sent to the webhook (the policy configuration's exemptRequesters), as
   * `matchConditions` when `kubeVersion` supports them. The webhook exempts them as well, so
   * an older API server (or one without the feature) still gets the same verdicts.
   */
  exemptRequesters?: ExemptRequesters;
  /** Kubernetes version of the API server, `1.30` or `v1.30.2`; default 1.30. matchConditions need 1.28 or later (GA in 1.30). */
  kubeVersion?: string;
}

/** The API server release from which webhook matchConditions are on by default (beta in 1.28, GA in 1.30; admissionFeatures holds the stages). */
export const MATCH_CONDITIONS_SINCE = { major: 1, minor: 28 };

function supportsMatchConditions(kubeVersion: string | undefined): boolean {
  const v = kubeVersion ?? "1.30";
  if (!/^v?\d+\.\d+/.test(v)) throw new Error(`kubeVersion ${JSON.stringify(kubeVersion)} is not a Kubernetes version such as 1.30`);
  // The feature stages of each Kubernetes line are data in the rule book (policy/upstream/embedded.ts).
  return admissionFeatures(v).webhookMatchConditions === "on";
}

const celString = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** CEL matchConditions that skip the exempt requesters (each must be true for the request to be sent). */
export function exemptionMatchConditions(e: ExemptRequesters | undefined): Obj[] {
  const users = [...(e?.usernames ?? []), ...(e?.serviceAccounts ?? []).map((sa) => `system:serviceaccount:${sa}`)];
  const out: Obj[] = [];
  if (users.length > 0) out.push({ name: "not-exempt-user", expression: `!(request.userInfo.username in [${users.map(celString).join(", ")}])` });
  if ((e?.groups ?? []).length > 0) {
    out.push({ name: "not-exempt-group", expression: `!has(request.userInfo.groups) || !request.userInfo.groups.exists(g, g in [${e!.groups!.map(celString).join(", ")}])` });
  }
  return out;
}

type Obj = Record<string, unknown>;

export interface WebhookConfigurations {
  validating: Obj;
  mutating: Obj;
}

function clientConfig(o: WebhookConfigurationOptions, path: string): Obj {
  if (o.url) {
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      throw new Error(`url ${JSON.stringify(o.url)} is not a URL`);
    }
    // The API server's own rules for clientConfig.url.
    if (u.protocol !== "https:") throw new Error("url must be https");
    if (u.username || u.password) throw new Error("url must not carry user information");
    if (u.search || u.hash) throw new Error("url must not carry a query or a fragment");
    return { url: `${u.origin}${u.pathname.replace(/\/+$/, "")}${path}`, caBundle: o.caBundle };
  }
  const s = o.service!;
  return { service: { namespace: s.namespace, name: s.name, port: s.port ?? 443, path }, caBundle: o.caBundle };
}

export function webhookConfigurations(o: WebhookConfigurationOptions): WebhookConfigurations {
  if (!o.caBundle) throw new Error("caBundle is required: base64 of the CA that signed the serving certificate");
  if (!!o.url === !!o.service) throw new Error("give exactly one of service or url");
  const timeoutSeconds = o.timeoutSeconds ?? 5;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 30) throw new Error("timeoutSeconds must be an integer from 1 to 30");
  const failurePolicy = o.failurePolicy ?? "Fail";
  const name = o.name ?? "kuscia-iac";
  const exclude = o.excludeNamespaces ?? [...new Set(["kube-system", o.service?.namespace ?? DEFAULT_NAMESPACE])];
  const labels = (): Obj => ({ "app.kubernetes.io/name": "kuscia-iac-webhook", "app.kubernetes.io/part-of": "kuscia-iac" });
  const operations = (): string[] => ["CREATE", "UPDATE"];
  const matchConditions = supportsMatchConditions(o.kubeVersion) ? exemptionMatchConditions(o.exemptRequesters) : [];

  // Every entry gets objects of its own: callers (Pulumi, the e2e harness) may edit one without changing the others.
  const common = (verb: "validate" | "mutate"): Obj => ({
    clientConfig: clientConfig(o, `/${verb}`),
    failurePolicy,
    matchPolicy: "Equivalent",
    sideEffects: "None",
    timeoutSeconds,
    admissionReviewVersions: ["v1"],
    namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...exclude] }] },
    ...(verb === "mutate" ? { reinvocationPolicy: "Never" } : {}),
    ...(matchConditions.length > 0 ? { matchConditions: matchConditions.map((c) => ({ ...c })) } : {}),
  });
  const entries = (verb: "validate" | "mutate"): Obj[] => [
    {
      name: `resources.${verb}.kuscia-iac.secretflow`,
      ...common(verb),
      rules: [
        { apiGroups: ["kuscia.secretflow"], apiVersions: ["v1alpha1"], operations: operations(), resources: [...KUSCIA_RESOURCES], scope: "*" },
        { apiGroups: ["git.iflytek.com"], apiVersions: ["v1"], operations: operations(), resources: [...IFLEARNER_RESOURCES], scope: "*" },
      ],
    },
    {
      // A webhook of its own: an objectSelector here would otherwise also filter the CRs above.
      name: `node-config.${verb}.kuscia-iac.secretflow`,
      ...common(verb),
      objectSelector: { matchLabels: { [CONFIG_LABEL]: "true" } },
      rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: operations(), resources: ["configmaps"], scope: "Namespaced" }],
    },
  ];

  return {
    validating: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: `${name}-validate`, labels: labels() },
      webhooks: entries("validate"),
    },
    mutating: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: `${name}-mutate`, labels: labels() },
      webhooks: entries("mutate"),
    },
  };
}
