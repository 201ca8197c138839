/**
 * Checks across the two sides of a peering, over a set of objects that may come from
 * several clusters (a Pulumi stack managing both nodes, each through its own provider):
 *
 * - `peer.cert`: a Domain whose node the set also declares (a node configuration with that
 *   `domainID`) carries in `spec.cert` a certificate of that node's domain key;
 * - `peer.route`: a ClusterDomainRoute between two domains whose nodes the set both declares
 *   has its reverse route, with the same `authenticationType`.
 *
 * A peering of which the set holds one side only (the partner's node managed elsewhere) is
 * not checked: nothing in the set says what the other side holds. Pure: node:crypto only,
 * and no message quotes key material.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { applyConfiguration } from "./config/apply";
import type { PolicyConfig } from "./config/types";
import { decodeBase64Pem } from "./checks/pem";
import { at, isObj, type Obj } from "./checks/values";
import { CONFIG_KEY, CONFIG_LABEL } from "./kinds/nodeconfig";
import { refOf, type ObjectRef, type ReferenceResult } from "./references";
import type { RuleDefinition, Warning } from "./types";
import { NO_CEL } from "./vap/reasons";
import { parseYamlValue } from "./yaml";

const KUSCIA = "kuscia.secretflow/v1alpha1";

/** The rules, as `ruleDefinitions()` lists them (the policy configuration sets them like any rule). */
export const PEERING_RULES: readonly RuleDefinition[] = [
  {
    id: "peer.cert",
    vap: { unexpressible: NO_CEL.peering },
    kind: `${KUSCIA}/Domain`,
    severity: "error",
    summary: "a Domain's spec.cert is a certificate of the domain key of the node declared for that domain (both sides of a peering agree)",
    source:
      "pkg/controllers/clusterdomainroute/domain.go: syncDomainPubKey (getPublicKeyFromDomain puts the Domain's certificate key into the route's tokenConfig); pkg/gateway/controller/handshake.go: sourceInitiateHandShake encrypts the token with it and DestReplyHandshake decrypts it with the node's own domain key (\"publickey ... may be not correct\"); a lite node's Domain on the master: pkg/gateway/controller/register_node.go: isCertMatch",
  },
  {
    id: "peer.route",
    vap: { unexpressible: NO_CEL.peering },
    kind: `${KUSCIA}/ClusterDomainRoute`,
    severity: "error",
    summary: "a route between two domains whose nodes are both declared has its reverse route (<destination>-<source>) with the same authenticationType",
    source:
      "scripts/deploy/join_to_host.sh, run on both nodes by the peer-to-peer guide (one route per direction); pkg/gateway/controller/domain_route.go: each gateway authenticates by its own route's authenticationType (Token: handshake.go DestReplyHandshake; MTLS: client certificates)",
  },
];

/** A node configuration's domain ID and the public key of its domain key (SPKI DER, base64), when readable. */
interface NodeKey {
  domainId: string;
  publicKey?: string;
}

function nodeKeyOf(o: Obj): NodeKey | undefined {
  if (o.apiVersion !== "v1" || o.kind !== "ConfigMap") return undefined;
  if (at(o, "metadata", "labels", CONFIG_LABEL) !== "true") return undefined;
  const text = at(o, "data", CONFIG_KEY);
  if (typeof text !== "string") return undefined;
  const parsed = parseYamlValue(text, { maxDocumentBytes: 1024 * 1024, maxKeys: 1000, maxDepth: 64, maxAliases: 100, maxExpandedNodes: 100_000 });
  if ("error" in parsed || !isObj(parsed.value)) return undefined;
  const domainId = parsed.value.domainID;
  if (typeof domainId !== "string" || domainId === "") return undefined;
  const keyData = parsed.value.domainKeyData;
  return { domainId, publicKey: typeof keyData === "string" ? publicKeyOfPrivate(keyData) : undefined };
}

function publicKeyOfPrivate(b64: string): string | undefined {
  const d = decodeBase64Pem(b64, "RSA private key");
  if ("error" in d) return undefined;
  try {
    return createPublicKey(createPrivateKey({ key: d.block.bytes, format: "der", type: d.block.type === "PRIVATE KEY" ? "pkcs8" : "pkcs1" })).export({ type: "spki", format: "der" }).toString("base64");
  } catch {
    return undefined; // an unreadable key is nodeconfig.domain-key's finding
  }
}

function publicKeyOfCert(b64: string): string | undefined {
  const d = decodeBase64Pem(b64, "certificate");
  if ("error" in d) return undefined;
  try {
    return new X509Certificate(d.block.bytes).publicKey.export({ type: "spki", format: "der" }).toString("base64");
  } catch {
    return undefined; // an unreadable certificate is domain.cert's finding
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The findings of one object of the set: `index` is its position in the input. */
export interface PeeringResult extends ReferenceResult {
  index: number;
}

export interface PeeringOptions {
  config: PolicyConfig;
  now?: Date;
}

/**
 * The `peer.*` findings among `objects` (Kubernetes objects of any kinds; others are ignored),
 * taken as one set, sorted by the policy configuration. Objects without findings are left out;
 * each result names its object's position in `objects`, so a caller can map it back (a Pulumi URN).
 */
export function checkPeering(objects: readonly unknown[], opts: PeeringOptions): PeeringResult[] {
  const nodes = new Map<string, NodeKey[]>();
  const domains: { index: number; ref: ObjectRef; cert: string }[] = [];
  const routes: { index: number; ref: ObjectRef; source: string; destination: string; auth?: string }[] = [];
  for (const [index, o] of objects.entries()) {
    if (!isObj(o)) continue;
    const node = nodeKeyOf(o);
    if (node) nodes.set(node.domainId, [...(nodes.get(node.domainId) ?? []), node]);
    const ref = refOf(o);
    if (!ref || ref.apiVersion !== KUSCIA) continue;
    if (ref.kind === "Domain") {
      const cert = str(at(o, "spec", "cert"));
      if (cert) domains.push({ index, ref, cert });
    } else if (ref.kind === "ClusterDomainRoute") {
      const source = str(at(o, "spec", "source"));
      const destination = str(at(o, "spec", "destination"));
      if (source && destination) routes.push({ index, ref, source, destination, auth: str(at(o, "spec", "authenticationType")) });
    }
  }

  const found: { index: number; object: ObjectRef; warning: Warning }[] = [];
  for (const d of domains) {
    const declared = nodes.get(d.ref.name);
    if (!declared) continue;
    const keys = declared.map((n) => n.publicKey).filter((k): k is string => k !== undefined);
    const certKey = publicKeyOfCert(d.cert);
    // Unreadable on either side: the kind rules (domain.cert, nodeconfig.domain-key) say why.
    if (keys.length === 0 || certKey === undefined) continue;
    if (keys.includes(certKey)) continue;
    found.push({
      index: d.index,
      object: d.ref,
      warning: {
        path: "spec.cert",
        rule: "peer.cert",
        message: `spec.cert: is a certificate of another key than the domain key of node "${d.ref.name}" declared alongside (its kuscia.yaml domainKeyData); the peer encrypts handshake tokens with this certificate's key and node "${d.ref.name}" cannot decrypt them ("publickey ... may be not correct"), so the route never becomes Ready: put the node's own certificate here (e.g. its KusciaAutonomyNode's certificate output)`,
      },
    });
  }

  for (const r of routes) {
    if (!nodes.has(r.source) || !nodes.has(r.destination)) continue;
    const reverse = routes.filter((x) => x.source === r.destination && x.destination === r.source);
    if (reverse.length === 0) {
      found.push({
        index: r.index,
        object: r.ref,
        warning: {
          path: "spec.destination",
          rule: "peer.route",
          message: `spec.destination: both nodes of "${r.source}" and "${r.destination}" are declared, but no route from "${r.destination}" back to "${r.source}" is: "${r.destination}" cannot send requests to "${r.source}"; declare the ClusterDomainRoute "${r.destination}-${r.source}" on "${r.destination}"'s node (NodePeering declares both)`,
        },
      });
    } else if (!reverse.some((x) => (x.auth ?? "") === (r.auth ?? ""))) {
      found.push({
        index: r.index,
        object: r.ref,
        warning: {
          path: "spec.authenticationType",
          rule: "peer.route",
          message: `spec.authenticationType: is ${JSON.stringify(r.auth ?? "")}, but the reverse route "${reverse[0].ref.name}" uses ${JSON.stringify(reverse[0].auth ?? "")}: each gateway authenticates the other's requests by its own route's authenticationType; use the same on both routes`,
        },
      });
    }
  }

  const now = opts.now ?? new Date();
  const byObject = new Map<number, { object: ObjectRef; raw: Warning[] }>();
  for (const f of found) {
    const e = byObject.get(f.index) ?? { object: f.object, raw: [] };
    e.raw.push(f.warning);
    byObject.set(f.index, e);
  }
  const out: PeeringResult[] = [];
  for (const [index, { object, raw }] of byObject) {
    // Error-severity rules: findings enter as violations, so the configuration's deny/warn/audit/off apply.
    const sorted = applyConfiguration({ violations: raw, warnings: [] }, opts.config, object, now);
    if (sorted.violations.length + sorted.warnings.length + sorted.audits.length === 0) continue;
    out.push({ index, object, ...sorted });
  }
  return out.sort((a, b) => a.index - b.index);
}
