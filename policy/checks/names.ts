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
} as const;

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
