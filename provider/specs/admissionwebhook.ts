import type { AdmissionWebhook, AdmissionWebhookArgs } from "../../components";
import { arrayOf, bool, enumOf, int, required, str, type ComponentSpec } from "../spec";
import { CREATED, READINESS } from "./common";

// Every argument is plain in the Args: they name objects or are checked at construction.
const plain = { plain: true };

export const admissionWebhookSpec: ComponentSpec<AdmissionWebhookArgs, AdmissionWebhook> = {
  name: "AdmissionWebhook",
  description:
    "This project's admission webhook, installed: the objects of deploy/webhook.yaml (Namespace, ServiceAccount, Deployment, Service, PodDisruptionBudget), a generated CA and serving certificate in the TLS Secret the Deployment mounts, and the Validating- and MutatingWebhookConfiguration with that CA as caBundle, created last, once the webhook serves.",
  inputs: {
    skipAwait: READINESS.skipAwait,
    waitFor: READINESS.waitFor,
    namespace: str("Namespace of the webhook (created); default `kuscia-iac-system`.", plain),
    image: str("Image of kuscia-iac; default `kuscia-iac:0.1.0`.", plain),
    replicas: int("Replicas; default 2 (with a PodDisruptionBudget keeping one).", plain),
    failurePolicy: enumOf("WebhookFailurePolicy", ["Fail", "Ignore"], "What the API server does when the webhook cannot answer.", {
      ...plain,
      doc: "`Fail` (default: nothing is admitted unreviewed) or `Ignore`.",
    }),
    timeoutSeconds: int("Seconds the API server waits for a review; 1-30, default 5.", plain),
    excludeNamespaces: arrayOf({ kind: "string", description: "item" }, "Namespaces never sent to the webhook; default kube-system and the webhook's own.", plain),
    configurationName: str("Name prefix of the two configurations (`<prefix>-validate`, `<prefix>-mutate`); default `kuscia-iac`.", plain),
    caDays: int("Validity of the CA in days; default 3650.", plain),
    certDays: int("Validity of the serving certificate in days; default 3650. Changing it issues a new one.", plain),
  },
  example: { namespace: "policy", replicas: 3, failurePolicy: "Fail", timeoutSeconds: 10, configurationName: "policy" },
  outputs: {
    namespace: required(str("The webhook's namespace.")),
    serviceHost: required(str("In-cluster DNS name the API server calls.")),
    caBundle: required(str("base64 of the CA's PEM: the configurations' caBundle.")),
    caCertPem: required(str("The CA's PEM certificate.")),
    created: CREATED,
  },
};
