#!/usr/bin/env node
/**
 * Runs `webhook` alone (`node dist/webhook/main.js --port 0`), for the
 * SIGTERM test and container images that want nothing else on the path.
 */
import { Command } from "commander";
import { register } from "./command";

export function webhookProgram(): Command {
  const program = new Command("kuscia-iac").exitOverride();
  register(program);
  return program;
}

if (require.main === module) {
  webhookProgram()
    .parseAsync(["webhook", ...process.argv.slice(2)], { from: "user" })
    .catch((err: unknown) => {
      const e = err as { code?: string; message?: string };
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help") process.exit(0);
      if (!e.code?.startsWith("commander.")) process.stderr.write(`kuscia-iac webhook: ${e.message ?? String(err)}\n`);
      process.exit(2);
    });
}
