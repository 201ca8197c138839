/**
 * Kuscia's own controllers (test/e2e/tools/kuscia/controllers, built from Kuscia's source by
 * build-tools.sh `kuscia`) running against an e2e API server, for suites that hold the rule
 * book's expansion to what upstream really creates.
 */
import * as path from "node:path";
import { startProcess, type Proc } from "./procs";
import { kusciaToolsDir } from "./tools";

export interface KusciaControllersOptions {
  /** The node's own domain ID (the controllers' Namespace option); default kuscia-system. */
  domain?: string;
  /** Also run the Kuscia-protocol interconnection controller. */
  interconn?: boolean;
  /** Host domain ID -> kubeconfig of its API server, for the interconnection controller. */
  hosts?: Record<string, string>;
  /** Where the log goes. */
  logFile: string;
}

/** The bin directory holding kuscia-controllers (builds it on first use; see kusciaToolsDir). */
export function kusciaControllersBin(): string {
  return path.join(kusciaToolsDir("kuscia", "kuscia-controllers"), "kuscia-controllers");
}

/**
 * Starts kuscia-controllers against `kubeconfig` and resolves once it printed "ready" (every
 * controller started; their informers then sync). Rejects with the log's path if it exits first.
 */
export async function startKusciaControllers(bin: string, kubeconfig: string, o: KusciaControllersOptions): Promise<Proc> {
  const args = ["--kubeconfig", kubeconfig, "--log-level", "info"];
  if (o.domain) args.push("--domain", o.domain);
  if (o.interconn) args.push("--interconn");
  for (const [host, file] of Object.entries(o.hosts ?? {})) args.push("--host", `${host}=${file}`);
  const p = startProcess(bin, args, o.logFile);
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/^ready$/m.test(out)) {
        p.child.stdout!.off("data", onData);
        resolve();
      }
    };
    p.child.stdout!.on("data", onData);
    void p.exited.then((code) => reject(new Error(`kuscia-controllers exited ${code} before it was ready; see ${o.logFile}`)));
  });
  return p;
}
