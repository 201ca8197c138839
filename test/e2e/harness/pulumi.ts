/**
 * A real Pulumi engine for end-to-end tests: the CLI and the Kubernetes provider
 * built from the Go module proxy, a local file backend, no update checks and no
 * plugin downloads. Programs run through the Automation API as inline programs:
 * the engine talks to a language runtime inside this Node process (the proxy
 * serves no version of the Node.js language host's module, see
 * test/e2e/tools/README.md).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { REPO } from "./tools";
import { isolateEngineChannels } from "../../../components/engine-channels";

export interface PulumiEnv {
  workDir: string;
  /** Creates (or selects) a stack of an inline program. */
  stack(project: string, name: string, program: pulumi.automation.PulumiFn): Promise<Stack>;
  /** The stack's state file as the local backend stored it (secrets still encrypted). */
  state(project: string, name: string): any;
  cleanup(): void;
}

/**
 * Sets the process environment the Automation API hands to the CLI. Only for the
 * test process: the suite owns it while it runs.
 */
export async function pulumiEnv(pulumiBin: string, kubeconfig: string): Promise<PulumiEnv> {
  const workDir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-pulumi-"));
  const shims = path.join(workDir, "bin");
  mkdirSync(shims);
  mkdirSync(path.join(workDir, "state"));
  // What the CLI's own distribution ships as scripts next to the binary: the Node.js policy
  // pack runner (used when no language host binary is installed) and the dynamic-provider host.
  const runner = (module: string) => `#!/bin/sh\nexec node "$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/${module}'))")" "$@"\n`;
  for (const [name, module] of [["pulumi-analyzer-policy-nodejs", "run-policy-pack"], ["pulumi-analyzer-policy", "run-policy-pack"], ["pulumi-resource-pulumi-nodejs", "dynamic-provider"]]) {
    writeFileSync(path.join(shims, name), runner(module));
    chmodSync(path.join(shims, name), 0o755);
  }
  // The package as a program's node_modules holds it: the dynamic-provider host finds the key and
  // certificate implementation by package name (kuscia-iac/dist/...), never by a path in the state.
  const modules = path.join(workDir, "modules");
  mkdirSync(modules);
  symlinkSync(REPO, path.join(modules, "kuscia-iac"));
  // Installation layout PulumiCommand expects: <root>/bin/pulumi.
  const root = path.join(workDir, "cli");
  mkdirSync(path.join(root, "bin"), { recursive: true });
  writeFileSync(path.join(root, "bin", "pulumi"), `#!/bin/sh\nexec "${path.join(pulumiBin, "pulumi")}" "$@"\n`);
  chmodSync(path.join(root, "bin", "pulumi"), 0o755);

  const env: Record<string, string> = {
    PATH: [shims, pulumiBin, path.join(REPO, "node_modules", ".bin"), process.env.PATH ?? ""].join(path.delimiter),
    PULUMI_HOME: path.join(workDir, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(workDir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    KUBECONFIG: kubeconfig,
    NODE_PATH: [modules, path.join(REPO, "node_modules")].join(path.delimiter),
  };
  Object.assign(process.env, env);
  // Many programs run in this one process, each with engine clients the SDK never closes: without
  // this, a new engine on a dead one's port could end a program silently (components/engine-channels.ts).
  isolateEngineChannels();
  const cmd = await PulumiCommand.get({ root, skipVersionCheck: true });
  return {
    workDir,
    async stack(project, name, program) {
      const dir = path.join(workDir, "projects", project);
      mkdirSync(dir, { recursive: true });
      let runs = 0;
      const counted: pulumi.automation.PulumiFn = () => {
        runs++;
        return program();
      };
      const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: name, projectName: project, program: counted },
        { workDir: dir, pulumiCommand: cmd, envVars: env, projectSettings: { name: project, runtime: "nodejs", backend: { url: env.PULUMI_BACKEND_URL } } },
      );
      // An engine that reports success for a run in which the program never started would plan to
      // delete the whole stack: fail the test there, saying so, not later on a missing object.
      for (const op of ["up", "preview"] as const) {
        const run = stack[op].bind(stack) as (...a: unknown[]) => Promise<unknown>;
        (stack as unknown as Record<string, unknown>)[op] = async (...a: unknown[]) => {
          const before = runs;
          const result = await run(...a);
          if (runs === before) throw new Error(`${op} of ${project}/${name} succeeded but the program never ran: the engine would delete every resource of the stack`);
          return result;
        };
      }
      return stack;
    },
    state(project, name) {
      return JSON.parse(readFileSync(path.join(workDir, "state", ".pulumi", "stacks", project, `${name}.json`), "utf8"));
    },
    cleanup() {
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * The test cluster runs no kubelet: Deployments never become ready and Services never
 * get endpoints, so the provider must not wait for them. Applied to every Kubernetes
 * resource of a test stack, never in the examples themselves.
 *
 * A stack transformation, not `registerResourceTransform`: with @pulumi/pulumi 3.248 the
 * latter hands the callback props deserialized without their secret flags and sends them
 * back that way, so a transformed ConfigMap holding a key lands in the state in plain text
 * (found by the state check of nodes.test.ts).
 */
export function skipAwait(): void {
  onKubernetesResources((args) => {
    const props = { ...args.props } as Record<string, any>;
    props.metadata = pulumi.output(props.metadata ?? {}).apply((m: Record<string, any>) => ({ ...m, annotations: { ...(m.annotations ?? {}), "pulumi.com/skipAwait": "true" } }));
    return { props, opts: args.opts };
  });
}

/** Runs `fn` on every Kubernetes resource of the stack (not providers), in process. */
export function onKubernetesResources(fn: (args: pulumi.ResourceTransformationArgs) => pulumi.ResourceTransformationResult | undefined): void {
  pulumi.runtime.registerStackTransformation((args) => {
    if (!args.type.startsWith("kubernetes:") || args.type.startsWith("kubernetes:yaml") || args.type === "pulumi:providers:kubernetes") return undefined;
    return fn(args);
  });
}
