/**
 * Reasons several rules share for having no CEL form (their `vap: { unexpressible }`).
 * A reason that belongs to one rule is written in that rule. The webhook, `review` and
 * `audit` still apply every rule; only `kuscia-iac vap` leaves these out.
 */

const CERT = "parses an X.509 certificate (base64 of PEM) to read its key type, size, validity window or subject: CEL in the API server has no certificate parser";
const NAMESPACE_UNSET = "about a manifest without metadata.namespace: the API server sets the namespace from the request before admission, so a policy never sees it unset";

export const NO_CEL = {
  /** `<kind>.schema` (policy/engine.ts). */
  schema: "the upstream CRD's OpenAPI schema, which the API server itself enforces before any admission policy runs (with its own message)",
  /** `internal.rule-error` (policy/index.ts). */
  ruleError: "a rule of the webhook that threw; a CEL expression that fails to evaluate is refused by failurePolicy: Fail instead",
  /** `ref.*` (policy/references.ts). */
  reference: "looks other objects up (cross-object reference): a ValidatingAdmissionPolicy sees one object (paramRef would need the targets copied into parameters); use webhook --references or audit",
  /** `peer.*` (policy/peering.ts). */
  peering: "compares objects with each other, possibly in two clusters (a Domain's certificate with the domain key in a node's kuscia.yaml, a route with the one back): only the Pulumi policy pack's stack policies see both sides",
  certificate: CERT,
  /** A rule that requires a certificate and checks it. */
  certificateRequired: `${CERT} (its presence alone is expressible, but the rule also checks the certificate)`,
  clock: "compares with the current time: CEL in an admission policy has no clock (a policy is evaluated on each request, but has no now())",
  /** Every `nodeconfig.*` rule. */
  nodeConfig: "reads kuscia.yaml, a YAML document inside a ConfigMap string (data[\"kuscia.yaml\"]): CEL cannot parse YAML",
  /** `<kind>.namespace.unset` (policy/kinds/crossdomain.ts, kusciadeployment.ts). */
  namespaceUnset: NAMESPACE_UNSET,
  quantities: "compares resource requests with limits across quantity spellings; not written in CEL yet",
  /** `<kind>.controller-owned` (policy/kinds/owned.ts). */
  controllerOwned: "warns on every write by anyone; the webhook lets exemptRequesters (Kuscia's own service account) through, and in a policy that needs the requester exemption in matchConditions, which a configuration without exemptRequesters lacks: Kuscia's controllers would be warned on every status update",
} as const;
