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
  /** A KusciaTask name's reason for anything but a dot: it names the task and its pods. */
  taskSuffix: " (it names the KusciaTask and its pods)",
  /** A KusciaTask name with a dot: what fails is the Service named after it (taskServiceDot). */
  taskServiceBefore: "contains '.': the KusciaTask controller names a Service ",
  taskServiceAfter: " for each port of scope Cluster or Domain of the task's AppImage, and a Service name is a DNS-1035 label, without '.'; use '-' instead",
  taskServicePattern: "-<role>-<index>-<port>",
  /** A party role that cannot be part of the names Kuscia derives from it (partyRole). */
  role: "cannot be part of the names Kuscia derives from it: the party's pods or Deployment (<task>-<role>-<index>, <deployment>-<role>) and their Services (...-<port>, DNS-1035 labels); use lowercase letters, digits and '-', starting and ending with a letter or digit",
} as const;

/**
 * Why a party's role cannot be used, or null. Kuscia puts a role verbatim into the names of
 * the objects it creates for the party: the KusciaTask controller's pods `<task>-<role>-<index>`
 * and their Services `<pod>-<port>` (pkg/controllers/kusciatask/handler/pending_handler.go:
 * generatePodName, generatePortServices), the KusciaDeployment controller's Deployment
 * `<kd>-<role>`, ConfigMap `<kd>-<role>-configtemplate` and Services `<kd>-<role>-<port>`
 * (pkg/controllers/kusciadeployment/util.go: generateDeploymentName, generateConfigMapName,
 * generateServiceName). A Service name is a DNS-1035 label, so an upper-case letter, '.' or '_'
 * in a role fails at the first of those creates. An empty role adds nothing. Neither the CRD
 * nor KusciaAPI checks it; every role upstream's scripts and docs use is lower-case.
 */
export function partyRole(v: string): string | null {
  if (v === "" || LABEL.test(v)) return null;
  return NAME_MESSAGES.role;
}

/**
 * Why a KusciaTask name (a taskID, or one the job controller generates) cannot be used, or null.
 * Kubernetes takes a dotted name for the KusciaTask and its pods (DNS-1123 subdomains), but the
 * KusciaTask controller also names a Service `<task>-<role>-<index>-<port>` per serviced port
 * (pkg/controllers/kusciatask/handler/pending_handler.go: generatePodName, generatePortServices;
 * pkg/utils/resources/service.go: GenerateServiceName), and a Service name is a DNS-1035 label:
 * the reason of a dotted name names that Service. Other names follow the Kuscia docs' RFC 1123
 * label rule (docs/reference/concepts/kusciajob_cn.md).
 */
export function taskName(v: string): string | null {
  const why = placeholder(v) ?? dnsLabel(v);
  if (why === null) return null;
  if (why !== NAME_MESSAGES.placeholder && v.length <= 63 && v.includes(".") && dnsSubdomain(v) === null) return taskServiceDot(v);
  return why + NAME_MESSAGES.taskSuffix;
}

/** The reason of a dotted task name: the Service named after it. */
export function taskServiceDot(task: string): string {
  return `${NAME_MESSAGES.taskServiceBefore}${JSON.stringify(task + NAME_MESSAGES.taskServicePattern)}${NAME_MESSAGES.taskServiceAfter}`;
}

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
