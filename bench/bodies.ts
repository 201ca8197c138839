/** Request bodies the webhook benches send. */

/**
 * An AdmissionReview UPDATE of about `bytes` bytes whose object and oldObject are
 * KusciaDeployments with a list of `{}` parties each: the most findings (two per item) and
 * the most objects per byte the API server could deliver.
 */
export function admissionBody(bytes: number): string {
  const items = Math.floor((bytes - 600) / 6); // "{}," per item, in two objects
  const kd = (n: number) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaDeployment", metadata: { name: "flood", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties: Array.from({ length: n }, () => ({})) } });
  return JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "flood", operation: "UPDATE", userInfo: { username: "x" }, object: kd(items), oldObject: kd(items) } });
}

const K = "kuscia.secretflow/v1alpha1";

function review(object: unknown, oldObject?: unknown): string {
  return JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "bench", operation: oldObject ? "UPDATE" : "CREATE", userInfo: { username: "x" }, object, oldObject: oldObject ?? null } });
}

/** A CREATE of a 3 MiB KusciaDeployment whose parties are `{}`: the largest object the API server admits, with the most findings. */
export function largestCreate(): string {
  const parties = Array.from({ length: 1_050_000 }, () => ({}));
  return review({ apiVersion: K, kind: "KusciaDeployment", metadata: { name: "wide", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties } });
}

/**
 * The largest UPDATE the API server sends: the 3 MiB KusciaDeployment of `{}` parties as both
 * the object and the stored object (about 6 MiB, under the webhook's 7 MiB --max-request-bytes).
 */
export function largestUpdate(): string {
  const parties = Array.from({ length: 1_050_000 }, () => ({}));
  const kd = { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "wide", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties } };
  return review(kd, kd);
}

/** An UPDATE of a 1.4 MB KusciaDeployment (17,000 parties, each wrong four ways), stored object the same. */
export function kdUpdate(): string {
  const parties = Array.from({ length: 17_000 }, (_, i) => ({ domainID: `B_${i}`, appImageRef: `B_${i}`, role: 5, template: { replicas: "x" } }));
  const kd = { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "worst", namespace: "cross-domain" }, spec: { initiator: "B_0", inputConfig: "{}", parties } };
  return review(kd, kd);
}

/** A CREATE of a 3 MiB AppImage of ordinary content: 30,000 config templates. */
export function largeAppImage(): string {
  const configTemplates = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, `{{.X}}${"a".repeat(90)}`]));
  return review({ apiVersion: K, kind: "AppImage", metadata: { name: "img" }, spec: { image: { name: "x", tag: "1" }, configTemplates, deployTemplates: [{ name: "t", spec: { containers: [{ name: "c", workingDir: "" }] } }] } });
}

/** A small Domain: the baseline. */
export function smallCreate(): string {
  return review({ apiVersion: K, kind: "Domain", metadata: { name: "alice" }, spec: {} });
}

/**
 * A CREATE of an InteropConfig that lists its host among its members (refused: interop.members),
 * named so that no exception of bench/config's configurations applies: its review tries every
 * exception that names the rule.
 */
export function interopCreate(name = "t-x-a"): string {
  return review({ apiVersion: K, kind: "InteropConfig", metadata: { name }, spec: { host: "bob", members: ["bob"] } });
}
