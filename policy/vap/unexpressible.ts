/**
 * Rules that `kuscia-iac vap` does not emit as ValidatingAdmissionPolicy, each with the
 * reason: keys are rule ids, or globs (`*.schema`) for whole families. Together with
 * CEL_RULES (policy/vap/rules.ts) it must cover every rule exactly once
 * (test/unit/vap/rules.test.ts). The webhook, `review` and `audit` still apply them all.
 */

const CERT = "parses an X.509 certificate (base64 of PEM) to read its key type, size, validity window or subject: CEL in the API server has no certificate parser";
const CLOCK = "compares with the current time: CEL in an admission policy has no clock (a policy is evaluated on each request, but has no now())";
const NODECONFIG = "reads kuscia.yaml, a YAML document inside a ConfigMap string (data[\"kuscia.yaml\"]): CEL cannot parse YAML";
const REF = "looks other objects up (cross-object reference): a ValidatingAdmissionPolicy sees one object (paramRef would need the targets copied into parameters); use webhook --references or audit";
const NOT_YET = "expressible in principle, not written in CEL yet: the webhook applies it";

export const NOT_EXPRESSIBLE: Readonly<Record<string, string>> = {
  "*.schema": "the upstream CRD's OpenAPI schema, which the API server itself enforces before any admission policy runs (with its own message)",
  "internal.rule-error": "a rule of the webhook that threw; a CEL expression that fails to evaluate is refused by failurePolicy: Fail instead",
  "ref.*": REF,
  "peer.*": "compares objects with each other, possibly in two clusters (a Domain's certificate with the domain key in a node's kuscia.yaml, a route with the one back): only the Pulumi policy pack's stack policies see both sides",

  "domain.cert": CERT,
  "domain.cert.key-size": CERT,
  "domain.cert.validity": CERT,
  "domain.cert.expiring": CERT,
  "domain.cert.cn": CERT,
  "cdr.mtls": `${CERT} (its presence alone is expressible, but the rule also checks the certificate)`,
  "cdr.mtls.key-size": CERT,
  "cdr.mtls.validity": CERT,
  "cdr.mtls.expiring": CERT,
  "dr.mtls": `${CERT} (its presence alone is expressible, but the rule also checks the certificate)`,
  "dr.mtls.key-size": CERT,
  "dr.mtls.validity": CERT,
  "dr.mtls.expiring": CERT,
  "dds.info": "decodes spec.data.encryptedInfo to tell an RSA-OAEP ciphertext from plaintext (its length in bytes after base64): CEL has no base64 decoder",
  "ddg.expiry": CLOCK,

  "nodeconfig.*": NODECONFIG,

  "kd.namespace.unset": "about a manifest without metadata.namespace: the API server sets the namespace from the request before admission, so a policy never sees it unset",
  "kj.namespace.unset": "about a manifest without metadata.namespace: the API server sets the namespace from the request before admission, so a policy never sees it unset",
  "kt.namespace.unset": "about a manifest without metadata.namespace: the API server sets the namespace from the request before admission, so a policy never sees it unset",
  "kd.input-config": "parses spec.inputConfig as JSON: CEL has no JSON parser",
  "kj.cycle": "finds a cycle in the task dependency graph: that needs a traversal of unbounded depth, and CEL has no recursion or loops",
  "kd.template": "compares resource requests with limits in every quantity spelling (500m, 0.5, 1Gi) and int-or-percent strategies; Kubernetes' quantity() library could, not written in CEL yet",
  "appimage.deploy-templates": "compares resource requests with limits across quantity spellings; not written in CEL yet",
  "iflearner.template": "compares resource requests with limits across quantity spellings; not written in CEL yet",
  "appimage.ports": "port names must be unique across all containers of a deploy template: that needs the lists of ports flattened, which the CEL of Kubernetes 1.30 lacks (cel-go's lists.flatten came later); not written in CEL yet",
  "kj.initiator.not-party": "its message lists the distinct party domains across all tasks, which needs a flatten of lists of lists the CEL of Kubernetes 1.30 lacks; not written in CEL yet",
  "dds.data": "expressible, but the rule book's message for it passes through the secret redaction (which masks the text after `password:`), and CEL cannot reproduce that text; not written in CEL yet",
  "*.controller-owned": "warns on every write by anyone; the webhook lets exemptRequesters (Kuscia's own service account) through, and in a policy that needs the requester exemption in matchConditions, which a configuration without exemptRequesters lacks: Kuscia's controllers would be warned on every status update",
};
