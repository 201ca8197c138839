/**
 * Starts a Pulumi plugin (provider or policy pack) as its own process, the way the
 * engine does, and waits for the gRPC port it prints on its first stdout line.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface PluginProcess {
  child: ChildProcess;
  address: string;
  stderr(): string;
  stop(): Promise<void>;
}

export function startPlugin(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<PluginProcess> {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], ...(env ? { env } : {}) });
  let out = "";
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${command} ${args.join(" ")} exited with ${code} before printing a port:\n${err}`)));
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /^(\d+)\s*\n/.exec(out);
      if (m) resolve({ child, address: `127.0.0.1:${m[1]}`, stderr: () => err, stop });
    });
  });
}
