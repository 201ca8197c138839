import * as pulumi from "@pulumi/pulumi";
import { refused } from "../refusal";
import type * as k8s from "@pulumi/kubernetes";
import { caBundleOf } from "../../pki";
import { DEFAULT_NAMESPACE, DEFAULT_SERVICE, webhookConfigurations, type WebhookConfigurationOptions } from "../../webhook/configurations";
import { deployManifests, TLS_SECRET } from "../../webhook/manifests";
import { family, objectRef, pairNaming, whenCreated, type ReadinessArgs } from "../children";
import { KusciaValidationError } from "../validate";
import { namedCertificateAuthority, namedIssuedKeyPair, DEFAULT_CERT_DAYS } from "../secrets";
import { createObject, type KubeObject } from "./objects";

/** Readiness as every component takes it, but `timeoutSeconds` here is the API server's review timeout. */
export interface AdmissionWebhookArgs extends Omit<ReadinessArgs, "timeoutSeconds"> {
  /** Namespace of the webhook (created); default `kuscia-iac-system`. */
  namespace?: string;
  /** Image of kuscia-iac; default `kuscia-iac:0.1.0`. */
  image?: string;
  /** Replicas; default 2 (with a PodDisruptionBudget keeping one). */
  replicas?: number;
  /** `Fail` (default: nothing is admitted unreviewed) or `Ignore`. */
  failurePolicy?: "Fail" | "Ignore";
  /** Seconds the API server waits for a review; 1-30, default 5. */
  timeoutSeconds?: number;
  /** Namespaces never sent to the webhook; default kube-system and the webhook's own. */
  excludeNamespaces?: string[];
  /** Name prefix of the two configurations (`<prefix>-validate`, `<prefix>-mutate`); default `kuscia-iac`. */
  configurationName?: string;
  /** Validity of the CA in days; default 3650. */
  caDays?: number;
  /** Validity of the serving certificate in days; default 3650. Changing it issues a new one. */
  certDays?: number;
}

/**
 * This project's admission webhook, installed: the objects of deploy/webhook.yaml
 * (Namespace, ServiceAccount, Deployment, Service, PodDisruptionBudget), a
 * generated CA and serving certificate for `<service>.<namespace>.svc` in the
 * TLS Secret the Deployment mounts, and the Validating- and
 * MutatingWebhookConfiguration with that CA as caBundle. The configurations
 * are created last, once the webhook serves: with failurePolicy Fail they
 * would otherwise refuse every Kuscia object until it does.
 */
export class AdmissionWebhook extends pulumi.ComponentResource {
  /** Namespace of the webhook; depends on the Namespace. */
  readonly namespace!: pulumi.Output<string>;
  /** In-cluster DNS name the API server calls. */
  readonly serviceHost!: pulumi.Output<string>;
  /** base64 of the CA's PEM: the configurations' caBundle. */
  readonly caBundle!: pulumi.Output<string>;
  /** The generated CA's PEM certificate (what the caBundle encodes). */
  readonly caCertPem!: pulumi.Output<string>;
  /** `Kind/namespace/name` of every Kubernetes object created, once created. */
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: AdmissionWebhookArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:AdmissionWebhook", name, {}, opts);
    try {
      const namespace = args.namespace ?? DEFAULT_NAMESPACE;
      const service = { namespace, name: DEFAULT_SERVICE.name, port: DEFAULT_SERVICE.port };
      const options = (caBundle: string): WebhookConfigurationOptions => ({
        caBundle,
        service,
        failurePolicy: args.failurePolicy,
        timeoutSeconds: args.timeoutSeconds,
        excludeNamespaces: args.excludeNamespaces,
        name: args.configurationName,
      });
      // Checks the options now, so a bad timeout fails at construction rather than mid-deployment.
      const shape = (() => {
        try {
          return webhookConfigurations(options("unchecked"));
        } catch (e) {
          throw new KusciaValidationError("AdmissionWebhook", name, [(e as Error).message], this);
        }
      })();

      const fam = family(this, name, opts, { skipAwait: args.skipAwait, waitFor: args.waitFor });
      // Named after what they certify, not after the component nor the provider, so a rename keeps them (see children.ts).
      const child = { parent: this, dependsOn: fam.dependsOn };
      const host = `${service.name}.${namespace}.svc`;
      const ca = namedCertificateAuthority(pairNaming(fam, `${namespace}/webhook-ca`, "SelfSignedCertificate", `${name}-ca`), { commonName: `kuscia-iac webhook CA (${namespace})`, days: args.caDays ?? DEFAULT_CERT_DAYS }, child);
      const serving = namedIssuedKeyPair(pairNaming(fam, host, "IssuedCertificate", `${name}-serving`), { ca, commonName: host, sans: [host, `${host}.cluster.local`], days: args.certDays ?? DEFAULT_CERT_DAYS }, child);
      const caBundle = ca.cert.certPem.apply(caBundleOf);

      const resources: pulumi.CustomResource[] = [];
      const refs: string[] = [];
      const add = (o: KubeObject, extra: pulumi.CustomResourceOptions = {}) => {
        const r = createObject(fam, o, extra, o.kind === "Secret" ? ["stringData"] : []);
        resources.push(r);
        refs.push(objectRef(o));
        return r;
      };

      const manifests = deployManifests({ namespace, image: args.image, replicas: args.replicas }) as KubeObject[];
      const ns = add(manifests.find((o) => o.kind === "Namespace")!);
      const inNamespace = { dependsOn: [ns] };
      const secret = add(
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: TLS_SECRET, namespace, labels: manifests.find((o) => o.kind === "Deployment")!.metadata.labels },
          type: "kubernetes.io/tls",
          stringData: { "tls.crt": serving.cert.certPem, "tls.key": serving.key.privateKeyPem, "ca.crt": ca.cert.certPem },
        },
        inNamespace,
      );
      const serves: pulumi.CustomResource[] = [];
      for (const o of manifests.filter((x) => x.kind !== "Namespace")) {
        const deployment = o.kind === "Deployment";
        const r = add(o, deployment ? { dependsOn: [ns, secret] } : inNamespace);
        if (deployment || o.kind === "Service") serves.push(r);
      }
      for (const which of ["validating", "mutating"] as const) {
        const c = shape[which] as KubeObject;
        add({ ...c, webhooks: caBundle.apply((b) => webhookConfigurations(options(b))[which].webhooks) }, { dependsOn: serves });
      }

      this.namespace = (ns as k8s.core.v1.Namespace).metadata.name;
      this.serviceHost = pulumi.output(host);
      this.caBundle = caBundle;
      this.caCertPem = ca.cert.certPem;
      this.created = whenCreated(resources, refs);
      this.registerOutputs({ namespace: this.namespace, serviceHost: this.serviceHost, caBundle: this.caBundle, caCertPem: this.caCertPem, created: this.created });
    } catch (e) {
      refused(this, e, ["namespace", "serviceHost", "caBundle", "caCertPem", "created"]);
    }
  }
}
