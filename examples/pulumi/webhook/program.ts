/**
 * The program body, separate from index.ts so tests and the end-to-end suite
 * can run it inline.
 *
 * deploy/webhook.yaml and deploy/webhook-configurations.yaml without the
 * manual step between them: the CA and serving certificate are generated once
 * and kept secret in the stack's state, the TLS Secret holds them and the
 * configurations carry the CA as caBundle.
 */
import { AdmissionWebhook } from "kuscia-iac";

export interface WebhookOptions {
  image?: string;
  namespace?: string;
  failurePolicy?: "Fail" | "Ignore";
  /** Name prefix of the webhook configurations; default kuscia-iac. */
  configurationName?: string;
  skipAwait?: boolean;
}

export function webhook(opts: WebhookOptions = {}) {
  const hook = new AdmissionWebhook("kuscia-iac", { image: opts.image, namespace: opts.namespace, failurePolicy: opts.failurePolicy, configurationName: opts.configurationName, skipAwait: opts.skipAwait });
  return { serviceHost: hook.serviceHost, caBundle: hook.caBundle, objects: hook.created };
}
