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
 * current one, and the API servers Kuscia embeds: v1.33.5 in Kuscia v1.1; for v0.8 to v1.0,
 * which embed 1.26.11, v1.28.12, the k8s.io/kubernetes Kuscia v1.0.0b0's go.mod pins (1.26
 * does not build with the Go here). See test/e2e/tools/gen-go-mod.sh, KUBE_LINE_OF.
 */
export const KUBE_LINES: Readonly<Record<string, string>> = { "1.36": "kube", "1.33": "kube-1.33", "1.28": "kube-1.28" };
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

/**
 * The bin directory of the tools built from Kuscia's own source (build-tools.sh `kuscia`:
 * kuscia-controllers and kuscia-loader; `kuscia-1.0`: kuscia-loader of v1.0.0b0), holding
 * `binary`, or the directory KUSCIA_IAC_KUSCIA_BIN (KUSCIA_IAC_KUSCIA_1_0_BIN) names (built elsewhere). The Go module proxy
 * refuses github.com/secretflow/kuscia, so the build needs KUSCIA_IAC_KUSCIA_SRC naming a folder
 * with Kuscia's source as `<12-hex commit>/` (.ci/run unpacks it there); without it a build that
 * fails throws an error saying so instead of the Go tool's message alone.
 */
export function kusciaToolsDir(target: "kuscia" | "kuscia-1.0", binary: string): string {
  const variable = target === "kuscia" ? "KUSCIA_IAC_KUSCIA_BIN" : "KUSCIA_IAC_KUSCIA_1_0_BIN";
  const given = process.env[variable];
  if (given) {
    if (!existsSync(path.join(given, binary))) throw new Error(`${variable}=${given} holds no ${binary}`);
    return given;
  }
  let out: string;
  try {
    out = execFileSync("bash", [path.join(REPO, "test", "e2e", "build-tools.sh"), target], { env: { ...process.env, GOTOOLCHAIN: "local" }, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  } catch {
    // The build's own messages went to standard error as it ran (a cold build takes many minutes).
    const hint = process.env.KUSCIA_IAC_KUSCIA_SRC
      ? `KUSCIA_IAC_KUSCIA_SRC=${process.env.KUSCIA_IAC_KUSCIA_SRC}`
      : `KUSCIA_IAC_KUSCIA_SRC is not set, and the Go module proxy refuses github.com/secretflow/kuscia: set it to a folder holding Kuscia's source as <12-hex commit>/ (the unpacked upstream tarballs; see test/e2e/tools/README.md), or ${variable} to a directory of these tools built elsewhere`;
    throw new Error(`build-tools.sh ${target} failed (its messages are above): ${hint}`);
  }
  const dir = out.trim().split("\n").pop()!.trim();
  if (!existsSync(path.join(dir, binary))) throw new Error(`build-tools.sh ${target} printed ${JSON.stringify(dir)}, which holds no ${binary}`);
  return dir;
}

/** The releases a kuscia-loader is built for, and their build-tools.sh targets. */
export const KUSCIA_LOADER_TARGETS = { "v1.1": "kuscia", "v1.0": "kuscia-1.0" } as const;

/**
 * The kuscia-loader of a Kuscia release (test/e2e/tools/kuscia/loader), built by
 * build-tools.sh from Kuscia's own source, or the file KUSCIA_IAC_KUSCIA_LOADER_V1_1 /
 * KUSCIA_IAC_KUSCIA_LOADER_V1_0 names. The Go module proxy does not serve Kuscia, so the
 * build needs KUSCIA_IAC_KUSCIA_SRC (a folder holding the source as <12-hex commit>/, as
 * .ci/run sets it); without it, the error says so.
 */
export function kusciaLoader(release: keyof typeof KUSCIA_LOADER_TARGETS): string {
  const variable = `KUSCIA_IAC_KUSCIA_LOADER_${release.replace(/\W/g, "_").toUpperCase()}`;
  const given = process.env[variable];
  if (given) {
    if (!existsSync(given)) throw new Error(`${variable}=${given} does not exist`);
    return given;
  }
  const target = KUSCIA_LOADER_TARGETS[release];
  let out: string;
  try {
    out = execFileSync("bash", [path.join(REPO, "test", "e2e", "build-tools.sh"), target], { env: { ...process.env, GOTOOLCHAIN: "local" }, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  } catch (e) {
    const hint = process.env.KUSCIA_IAC_KUSCIA_SRC
      ? `KUSCIA_IAC_KUSCIA_SRC=${process.env.KUSCIA_IAC_KUSCIA_SRC}`
      : "KUSCIA_IAC_KUSCIA_SRC is not set, and the Go module proxy refuses github.com/secretflow/kuscia: set it to a folder holding Kuscia's source as <12-hex commit>/ (see test/e2e/tools/README.md)";
    throw new Error(`cannot build kuscia-loader for Kuscia ${release} (build-tools.sh ${target}): ${(e as Error).message.split("\n")[0]}; ${hint}`);
  }
  const bin = path.join(out.trim().split("\n").pop()!.trim(), "kuscia-loader");
  if (!existsSync(bin)) throw new Error(`build-tools.sh ${target} printed a directory without kuscia-loader: ${bin}`);
  return bin;
}
