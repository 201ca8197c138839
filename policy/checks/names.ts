/**
 * Kubernetes and Kuscia name rules. Each check returns null when the value is
 * fine, else the reason and the fix, ready to follow `<path>: <value> `.
 */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The fixed reasons of these checks, shared with their CEL forms in policy/vap/cel.ts so
 * the webhook and a ValidatingAdmissionPolicy say the same words.
 */
export const NAME_MESSAGES = {
  empty: "must not be empty",
  label: "is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit",
  subdomain: "is not a DNS-1123 subdomain: use lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit",
  domainSubdomain: "is a DNS subdomain but not usable as a domain ID: Kuscia creates a Namespace named after the domain, and namespace names are DNS-1123 labels (at most 63 characters, no '.')",
  domainId: "is not a valid domain ID: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (it also names the domain's Namespace)",
  placeholder: "still contains a template placeholder ({{...}}): render the template before applying it",
} as const;

/** Names the Kuscia docs reserve: they collide with system namespaces or Kuscia's own. */
export const RESERVED_DOMAIN_IDS = ["default", "kube-system", "kube-public", "kube-node-lease", "master", "cross-domain"];

export function dnsLabel(v: string): string | null {
  if (v.length === 0) return NAME_MESSAGES.empty;
  if (v.length > 63) return `is ${v.length} characters; a DNS-1123 label has at most 63`;
  if (!LABEL.test(v)) return NAME_MESSAGES.label;
  return null;
}

/**
 * A container port name, which Kuscia also uses as the port's Service port name and target
 * port (pkg/controllers/kusciadeployment/reconcile.go generateService, generateDeployment):
 * an IANA service name as the API server checks it (k8s.io/apimachinery
 * pkg/util/validation: IsValidPortName): 1-15 lowercase letters, digits and '-', with a
 * letter, no '-' at either end and no '--'.
 */
export function portName(v: string): string | null {
  if (v.length === 0) return NAME_MESSAGES.empty;
  if (v.length > 15) return `is ${v.length} characters; a port name (an IANA service name) has at most 15`;
  if (!/^[-a-z0-9]+$/.test(v)) return "is not a valid port name: lowercase letters, digits and '-' only (the API server refuses '_' and '.' in container and Service port names)";
  if (!/[a-z]/.test(v)) return "is not a valid port name: it needs at least one letter";
  if (v.startsWith("-") || v.endsWith("-") || v.includes("--")) return "is not a valid port name: no '-' at either end and no '--'";
  return null;
}

export function dns1035Label(v: string): string | null {
  const e = dnsLabel(v);
  if (e) return e;
  if (!LABEL_1035.test(v)) return "must start with a lowercase letter (a Service is named after it, and Service names are DNS-1035 labels)";
  return null;
}

export function dnsSubdomain(v: string): string | null {
  if (v.length === 0) return NAME_MESSAGES.empty;
  if (v.length > 253) return `is ${v.length} characters; a DNS-1123 subdomain has at most 253`;
  if (!SUBDOMAIN.test(v)) return NAME_MESSAGES.subdomain;
  return null;
}

/**
 * A Kuscia domain ID. Kuscia accepts a DNS subdomain, but it also creates a Namespace
 * of the same name, so in practice it must be a DNS label; say which rule failed.
 */
export function domainId(v: string): string | null {
  if (dnsLabel(v) === null) {
    return RESERVED_DOMAIN_IDS.includes(v) ? `is reserved (${RESERVED_DOMAIN_IDS.join(", ")}): choose another domain ID` : null;
  }
  if (dnsSubdomain(v) === null) {
    return NAME_MESSAGES.domainSubdomain;
  }
  if (v.length === 0) return NAME_MESSAGES.empty;
  return NAME_MESSAGES.domainId;
}

/**
 * Container image reference, as the distribution reference grammar accepts it
 * (registry[:port]/path[:tag][@digest]); tag kept separate because AppImage splits it.
 */
export const IMAGE_NAME =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
export const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;

export function imageName(v: string): string | null {
  if (v.length > 255) return "is longer than 255 characters";
  if (!IMAGE_NAME.test(v)) return "is not a valid image name: expected [registry[:port]/]path with lowercase path components, e.g. secretflow/serving-anolis8";
  return null;
}

export function imageTag(v: string): string | null {
  if (!IMAGE_TAG.test(v)) return "is not a valid image tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'";
  return null;
}

/** Spots an unrendered Go template such as `{{.DOMAIN_ID}}` copied from an upstream template file. */
export function placeholder(v: string): string | null {
  return /\{\{\s*\.?[A-Za-z_][\w]*\s*\}\}/.test(v)
    ? NAME_MESSAGES.placeholder
    : null;
}
