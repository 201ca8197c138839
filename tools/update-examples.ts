/**
 * Updates the immutability rules refuse: the stored object (`before`) and the update (`after`)
 * that changes the field. test/unit/policy/updates.test.ts reviews each (refused, and accepted
 * when the update keeps the field), and the rule pages (gen-rule-docs.ts) show them, so the
 * examples on a page are inputs a test runs. One entry per rule that reads `oldObject`.
 */

export interface UpdateExample {
  /** The rule that refuses the update. */
  rule: string;
  /** The field, in words. */
  what: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

const K = "kuscia.secretflow/v1alpha1";
const interop = (host: string) => ({ apiVersion: K, kind: "InteropConfig", metadata: { name: "alice-bob" }, spec: { host, members: ["alice"] } });
const cdr = (source: string, destination: string) => ({ apiVersion: K, kind: "ClusterDomainRoute", metadata: { name: "alice-bob" }, spec: { source, destination, authenticationType: "None", endpoint: { host: "bob.example.com", ports: [{ name: "http", port: 1080, protocol: "HTTP" }] } } });

export const UPDATE_EXAMPLES: readonly UpdateExample[] = [
  { rule: "interop.host.immutable", what: "InteropConfig host", before: interop("bob"), after: interop("carol") },
  { rule: "cdr.source.immutable", what: "ClusterDomainRoute source", before: cdr("alice", "bob"), after: cdr("carol", "bob") },
  { rule: "cdr.destination.immutable", what: "ClusterDomainRoute destination", before: cdr("alice", "bob"), after: cdr("alice", "carol") },
];
