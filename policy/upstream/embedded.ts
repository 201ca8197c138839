/**
 * What each Kuscia release embeds, as data: the K3s it runs its control plane on, that
 * K3s's Kubernetes line, and the kine (K3s's SQL datastore layer) behind it. Rules whose
 * facts come from those components (how a datastore database is named and created, which
 * admission features the node's API server serves) read them from here, so they follow
 * the target release. Pure data and functions: no I/O.
 *
 * Sources, per row:
 * - K3s: build/dockerfile/base/kuscia-deps.Dockerfile at each tag (`ARG K3S_VER`).
 * - kine: v0.8.0b0 to v1.0.0b0 build their own K3s binary (hack/k3s/build.sh: `git clone -b
 *   v1.26.11+k3s2 ... k3s`, `go mod edit -replace github.com/k3s-io/kine=github.com/k3s-io/kine@v0.11.3`),
 *   which the Dockerfile copies over the image's (`COPY build/${TARGETPLATFORM}/k3s/bin/k3s`;
 *   the Makefile target deps-build runs the script up to v0.13, later tags keep the script and
 *   the COPY). v1.1.0b0 copies /bin/k3s of the K3s v1.33.5-k3s1 image unchanged, so its kine is
 *   the one K3s v1.33.5+k3s1 pins: v0.14.x (kine v0.14.0 to v0.14.3, the tags of September 2025,
 *   read identically on everything below; docs.k3s.io lists v0.14.0 for the K3s releases of
 *   2025-09-22).
 * - Kubernetes API features: the feature-gate stages of the Kubernetes releases (KEP-3488
 *   ValidatingAdmissionPolicy, KEP-3716 admission webhook matchConditions, KEP-3962
 *   MutatingAdmissionPolicy). Kuscia starts K3s with no --feature-gates or --runtime-config
 *   (cmd/kuscia/modules/k3s.go: Run), so the node's API server has the defaults.
 */
import type { KusciaVersion } from "../config/version";

/** How the embedded kine treats a datastore endpoint's database (pkg/drivers/mysql, pkg/drivers/pgsql). */
export interface KineFacts {
  /** Datastore schemes kine's endpoint parser knows besides sqlite (pkg/endpoint: ParseStorageEndpoint, the drivers' registration). */
  readonly schemes: readonly string[];
  /**
   * MySQL: a database that does not exist is created with `CREATE DATABASE IF NOT EXISTS <name>`;
   * `quoted` when the name is written in backquotes (kine v0.13.0 and later, "support dbName with
   * operators in name (minus, ...)", #322), so only names MySQL reads unquoted can be created
   * before that.
   */
  readonly mysqlCreateQuoted: boolean;
  /**
   * PostgreSQL: a database that does not exist is created with `CREATE DATABASE <name>` (unquoted:
   * PostgreSQL folds the name to lower case, then kine connects with the name as written), or, from
   * kine v0.14, `CREATE DATABASE "<name>"` after lower-casing the URL's path.
   */
  readonly postgresCreateQuoted: boolean;
  /** The database kine uses when the endpoint names none (prepareDSN). */
  readonly defaultDatabase: string;
}

export interface EmbeddedComponents {
  /** Kuscia releases (`vMAJOR.MINOR`) that embed these components. */
  readonly kuscia: readonly string[];
  /** K3s release (`v1.26.11+k3s2`). */
  readonly k3s: string;
  /** Kubernetes line of that K3s (`1.26`). */
  readonly kubernetes: string;
  /** kine release, and how it got there. */
  readonly kine: string;
  readonly kineSource: string;
  readonly kineFacts: KineFacts;
}

export const EMBEDDED: readonly EmbeddedComponents[] = [
  {
    kuscia: ["v0.8", "v0.9", "v0.10", "v0.11", "v0.12", "v0.13", "v0.14", "v0.15", "v1.0"],
    k3s: "v1.26.11+k3s2",
    kubernetes: "1.26",
    kine: "v0.11.3",
    kineSource: "hack/k3s/build.sh replaces K3s's kine with github.com/k3s-io/kine@v0.11.3",
    kineFacts: { schemes: ["mysql", "postgres"], mysqlCreateQuoted: false, postgresCreateQuoted: false, defaultDatabase: "kubernetes" },
  },
  {
    kuscia: ["v1.1"],
    k3s: "v1.33.5+k3s1",
    kubernetes: "1.33",
    kine: "v0.14.0",
    kineSource: "the kine K3s v1.33.5+k3s1 pins (Kuscia copies the K3s image's binary)",
    kineFacts: { schemes: ["mysql", "postgres", "postgresql"], mysqlCreateQuoted: true, postgresCreateQuoted: true, defaultDatabase: "kubernetes" },
  },
];

/**
 * The components a release embeds. Releases the table does not list take the nearest row:
 * older than v0.8 the first, newer than the last the last (a rule then still answers, with
 * the facts of the closest release it knows).
 */
export function embeddedIn(v: KusciaVersion): EmbeddedComponents {
  const exact = EMBEDDED.find((e) => e.kuscia.includes(v.name));
  if (exact) return exact;
  return v.atLeast(EMBEDDED[EMBEDDED.length - 1].kuscia[0]) ? EMBEDDED[EMBEDDED.length - 1] : EMBEDDED[0];
}

/** How an API server serves one admission API, with its default settings. */
export type Served =
  /** Not in this release. */
  | "absent"
  /** In this release, behind a feature gate (and an API version) that is off by default. */
  | "off"
  /** Served by default. */
  | "on";

export interface AdmissionFeatures {
  /** The Kubernetes line (`1.33`). */
  readonly kubernetes: string;
  /** ValidatingAdmissionPolicy: alpha 1.26 (v1alpha1), beta 1.28 (v1beta1), both off by default; GA 1.30 (v1). */
  readonly validatingAdmissionPolicy: Served;
  /** The newest API version of ValidatingAdmissionPolicy the line has, or undefined. */
  readonly validatingAdmissionPolicyVersion?: "v1alpha1" | "v1beta1" | "v1";
  /** Admission webhook matchConditions: alpha 1.27 (off), beta 1.28 (on), GA 1.30. */
  readonly webhookMatchConditions: Served;
  /** MutatingAdmissionPolicy: alpha 1.32 (v1alpha1), beta 1.34 (v1beta1), both off by default; GA 1.36 (v1). */
  readonly mutatingAdmissionPolicy: Served;
  readonly mutatingAdmissionPolicyVersion?: "v1alpha1" | "v1beta1" | "v1";
}

/** Feature stages by Kubernetes minor version: [from minor, stage, API version]. */
const VAP_STAGES: readonly [number, Served, AdmissionFeatures["validatingAdmissionPolicyVersion"]][] = [
  [26, "off", "v1alpha1"],
  [28, "off", "v1beta1"],
  [30, "on", "v1"],
];
const MAP_STAGES: readonly [number, Served, AdmissionFeatures["mutatingAdmissionPolicyVersion"]][] = [
  [32, "off", "v1alpha1"],
  [34, "off", "v1beta1"],
  [36, "on", "v1"],
];
const MATCH_CONDITION_STAGES: readonly [number, Served][] = [
  [27, "off"],
  [28, "on"],
];

function stageAt<T extends readonly [number, Served, ...unknown[]]>(stages: readonly T[], minor: number): T | undefined {
  let found: T | undefined;
  for (const s of stages) if (minor >= s[0]) found = s;
  return found;
}

/**
 * The admission features of a Kubernetes API server with default settings, for a version
 * such as `1.33`, `v1.33.5` or `1.33.5+k3s1`. Throws Error for a text that is not a version.
 */
export function admissionFeatures(kubernetesVersion: string): AdmissionFeatures {
  const m = /^v?(\d+)\.(\d+)/.exec(kubernetesVersion.trim());
  if (!m) throw new Error(`not a Kubernetes version: ${JSON.stringify(kubernetesVersion)} (expected one such as 1.33 or v1.33.5)`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  // Kubernetes 2.x does not exist; treat any later major as having everything of 1.x.
  const eff = major > 1 ? Number.MAX_SAFE_INTEGER : minor;
  const vap = stageAt(VAP_STAGES, eff);
  const map = stageAt(MAP_STAGES, eff);
  const mc = stageAt(MATCH_CONDITION_STAGES, eff);
  return {
    kubernetes: `${major}.${minor}`,
    validatingAdmissionPolicy: vap?.[1] ?? "absent",
    ...(vap ? { validatingAdmissionPolicyVersion: vap[2] } : {}),
    webhookMatchConditions: mc?.[1] ?? "absent",
    mutatingAdmissionPolicy: map?.[1] ?? "absent",
    ...(map ? { mutatingAdmissionPolicyVersion: map[2] } : {}),
  };
}

/** The admission features of the API server a Kuscia release embeds (its K3s, default settings). */
export function kusciaAdmissionFeatures(v: KusciaVersion): AdmissionFeatures & { k3s: string } {
  const e = embeddedIn(v);
  return { ...admissionFeatures(e.kubernetes), k3s: e.k3s };
}

/** "Kuscia v0.8 to v1.0 embed K3s v1.26.11+k3s2 (Kubernetes 1.26); Kuscia v1.1 embeds ...": for messages and docs. */
export function describeEmbedded(): string {
  return EMBEDDED.map((e) => {
    const who = e.kuscia.length === 1 ? `Kuscia ${e.kuscia[0]} embeds` : `Kuscia ${e.kuscia[0]} to ${e.kuscia[e.kuscia.length - 1]} embed`;
    return `${who} K3s ${e.k3s} (Kubernetes ${e.kubernetes})`;
  }).join("; ");
}
