/**
 * Where the rule book's verdict on a node configuration deliberately differs from what
 * `kuscia start` itself checks, as data: the differential test against Kuscia's own loader
 * (test/e2e/nodeconfig-oracle.test.ts) fails on every disagreement not listed here, and the
 * documentation (docs/node-configuration.md) shows this list. Each entry is a rule the
 * rule book refuses with while Kuscia's start-up checks pass, and why:
 * - `product policy`: stricter than Kuscia, by choice (relax the rule in the policy
 *   configuration to accept such configurations);
 * - `after start`: Kuscia accepts the configuration at start and fails later, in a part the
 *   loader does not run (the K3s it embeds, a controller, the agent).
 */
export interface NodeConfigDifference {
  /** The rule the rule book refuses with. */
  rule: string;
  kind: "product policy" | "after start";
  reason: string;
}

export const NODECONFIG_DIFFERENCES: readonly NodeConfigDifference[] = [
  {
    rule: "nodeconfig.domain-key.pkcs1",
    kind: "product policy",
    reason: "Kuscia v0.9 and later read PKCS#8 keys too, but its docs and manifests require PKCS#1 (BEGIN RSA PRIVATE KEY) and other tools that read domain.key expect it",
  },
  {
    rule: "nodeconfig.domain-key.size",
    kind: "product policy",
    reason: "Kuscia reads RSA keys of any size its Go accepts (v1.1: 1024 bits and more; v1.0: any); the policy asks for minRsaKeyBits (2048 by default), the size Kuscia generates",
  },
  {
    rule: "nodeconfig.domain-id.namespace",
    kind: "after start",
    reason:
      "kuscia start accepts any DNS-1123 subdomain as the domain ID (it names a cluster-scoped Domain), but the domain controller then creates a Namespace of that name, which must be a DNS label, so a dotted ID leaves the node without its namespace; the system namespaces (default, kube-system, kube-public, kube-node-lease, cross-domain) are refused by policy",
  },
  {
    rule: "nodeconfig.datastore.k3s",
    kind: "after start",
    reason:
      "Kuscia's own check passes the endpoint; the K3s it embeds then refuses it: kine v0.11.3 (Kuscia v0.8 to v1.0) knows no postgresql:// and creates a missing database with its name unquoted, so names MySQL or PostgreSQL do not read unquoted fail on the first start (both kine versions: names the servers refuse, such as one with a '.')",
  },
  {
    rule: "nodeconfig.runk",
    kind: "after start",
    reason: "a runk node starts without runk.namespace (or with an invalid one), then every task pod the agent creates there fails",
  },
];

/** The difference a rule stands for, if it is one. */
export function nodeConfigDifference(rule: string): NodeConfigDifference | undefined {
  return NODECONFIG_DIFFERENCES.find((d) => d.rule === rule);
}
