/**
 * The Pulumi CLI run as a user runs it, in a project directory, without the Automation
 * API: `pulumi up`, `preview`, `stack export`... for programs in languages whose language
 * host was built (YAML). A local file backend and a scratch PULUMI_HOME, no update checks
 * and no plugin downloads; the kuscia-iac provider is installed as the README says, from a
 * launcher script with `pulumi plugin install resource kuscia-iac <version> --file`.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { run, type RunResult } from "./procs";
import { REPO } from "./tools";

export interface PulumiCli {
  /** The copy of the example project the commands run in. */
  projectDir: string;
  /** Runs `pulumi ARGS` in the project directory; `input` goes to standard input. */
  pulumi(args: string[], input?: string): Promise<RunResult>;
  /** As {@link pulumi}, failing with the command's output unless it exits 0; returns stdout. */
  pulumiOk(args: string[], input?: string): Promise<string>;
  cleanup(): void;
}

/**
 * Copies `example` (a directory of the repository) to a scratch directory, so the stack's
 * settings file is not written into the checkout, and prepares the CLI's environment.
 * `binDirs` go first on PATH (the CLI, the Kubernetes provider, the language host).
 */
export async function pulumiCli(example: string, binDirs: string[], kubeconfig: string): Promise<PulumiCli> {
  const workDir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-cli-"));
  const projectDir = path.join(workDir, "project");
  cpSync(path.join(REPO, example), projectDir, { recursive: true });
  mkdirSync(path.join(workDir, "state"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [...binDirs, process.env.PATH ?? ""].join(path.delimiter),
    PULUMI_HOME: path.join(workDir, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(workDir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    KUBECONFIG: kubeconfig,
  };
  // Nothing may come from this checkout's node_modules by accident: a program in another
  // language has none (the kuscia-iac plugin finds its own, next to dist/).
  delete env.NODE_PATH;
  const pulumi = (args: string[], input?: string) => run("pulumi", args, { env, cwd: projectDir, input, timeoutMs: 300_000 });
  const pulumiOk = async (args: string[], input?: string) => {
    const r = await pulumi(args, input);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  // provider/README.md's binary plugin install: a launcher of dist/provider/main.js.
  const launcher = path.join(workDir, "pulumi-resource-kuscia-iac");
  writeFileSync(launcher, `#!/bin/sh\nexec node "${path.join(REPO, "dist", "provider", "main.js")}" "$@"\n`);
  chmodSync(launcher, 0o755);
  const version = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version;
  await pulumiOk(["plugin", "install", "resource", "kuscia-iac", version, "--file", launcher]);

  return {
    projectDir,
    pulumi,
    pulumiOk,
    cleanup() {
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
