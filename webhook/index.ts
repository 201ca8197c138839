/** The admission webhook's public entry points, for the CLI, the e2e harness and Pulumi components. */
export { register } from "./command";
export { startWebhook, createLogger, type WebhookOptions, type RunningWebhook } from "./server";
export { webhookConfigurations, DEFAULT_SERVICE, DEFAULT_NAMESPACE, type WebhookConfigurationOptions, type WebhookConfigurations } from "./configurations";
export { deployManifests, deployFiles, TLS_SECRET } from "./manifests";
export { ensureEmbeddedCerts, defaultStateDir, type EmbeddedCerts } from "./state";
export { answer, parseAdmissionReview, denialMessage, warningStrings, type Reviewer } from "./admission";
