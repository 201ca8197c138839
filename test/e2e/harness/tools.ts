/**
 * Where the end-to-end binaries come from: built from the Go module proxy by
 * test/e2e/build-tools.sh into a cache outside the repository (keyed by the
 * wrapper modules' go.sum), so only the first run pays for the build.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "..", "..", "..", "..");

/**
 * Builds (or finds in the cache) one group of tools and returns its bin directory.
 * KUSCIA_IAC_KUBE_BIN / KUSCIA_IAC_PULUMI_BIN name a directory of binaries built
 * elsewhere (same names, same versions) and skip the build.
 */
export function toolsDir(group: "kube" | "pulumi"): string {
  const given = process.env[group === "kube" ? "KUSCIA_IAC_KUBE_BIN" : "KUSCIA_IAC_PULUMI_BIN"];
  if (given) {
    if (!existsSync(given)) throw new Error(`${group === "kube" ? "KUSCIA_IAC_KUBE_BIN" : "KUSCIA_IAC_PULUMI_BIN"}=${given} does not exist`);
    return given;
  }
  const env = { ...process.env, GOTOOLCHAIN: "local" };
  const target = group === "kube" ? kubeTarget() : group;
  const out = execFileSync("bash", [path.join(REPO, "test", "e2e", "build-tools.sh"), target], { env, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const dir = out.trim().split("\n").pop()!.trim();
  if (!existsSync(dir)) throw new Error(`build-tools.sh ${target} printed ${JSON.stringify(dir)}, which does not exist`);
  return dir;
}

/**
 * The bin directory of a tool of test/e2e/build-tools.sh outside the kube and pulumi groups
 * (`yaml`: pulumi-language-yaml; `sdkgen`: pulumi-sdkgen; `promrules`: promrules), built and
 * cached like the others, or the directory KUSCIA_IAC_YAML_BIN / KUSCIA_IAC_SDKGEN_BIN /
 * KUSCIA_IAC_PROMRULES_BIN names (built elsewhere).
 */
export function builtTool(target: "yaml" | "sdkgen" | "promrules", binary: string): string {
  const variable = `KUSCIA_IAC_${target.toUpperCase()}_BIN`;
  const given = process.env[variable];
  if (given) {
    if (!existsSync(path.join(given, binary))) throw new Error(`${variable}=${given} holds no ${binary}`);
    return given;
  }
  const out = execFileSync("bash", [path.join(REPO, "test", "e2e", "build-tools.sh"), target], { env: { ...process.env, GOTOOLCHAIN: "local" }, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  const dir = out.trim().split("\n").pop()!.trim();
  if (!existsSync(path.join(dir, binary))) throw new Error(`build-tools.sh ${target} printed ${JSON.stringify(dir)}, which holds no ${binary}`);
  return dir;
}

/**
 * Kubernetes lines the kube tools are built for, each a build-tools.sh target: the
 * current one, and the API servers Kuscia embeds (1.33 in Kuscia v1.1; v1.0's 1.26 is
 * older than any line the Go module proxy serves whole, so its oldest served, 1.29).
 */
export const KUBE_LINES: Readonly<Record<string, string>> = { "1.36": "kube", "1.33": "kube-1.33", "1.29": "kube-1.29" };
export const DEFAULT_KUBE_LINE = "1.36";

/**
 * The Kubernetes line (`1.33`) the e2e suites run against: KUSCIA_IAC_KUBE_VERSION
 * (`1.33`, `v1.33` or `1.33.13`), default DEFAULT_KUBE_LINE. Throws on a line that
 * is not built, naming the ones that are.
 */
export function kubeLine(): string {
  const given = process.env.KUSCIA_IAC_KUBE_VERSION?.trim();
  if (!given) return DEFAULT_KUBE_LINE;
  const m = /^v?(\d+\.\d+)(\.\d+)?$/.exec(given);
  if (!m || !KUBE_LINES[m[1]]) throw new Error(`KUSCIA_IAC_KUBE_VERSION=${given}: use one of ${Object.keys(KUBE_LINES).join(", ")}`);
  return m[1];
}

/** The build-tools.sh target of the kube tools for kubeLine(). */
export function kubeTarget(): string {
  return KUBE_LINES[kubeLine()];
}
