#!/usr/bin/env node
/**
 * The single `kuscia-iac` executable. Each front end owns its subcommand in its
 * own folder and exports a `register(program)` function; this file only wires
 * them together so `--help` lists everything.
 */
import { Command } from "commander";
import { register as registerReview } from "../review/command";
import { register as registerWebhook } from "../webhook/command";
import { register as registerRender } from "./render";
import { register as registerAudit } from "../audit/command";

export function buildProgram(): Command {
  const program = new Command("kuscia-iac")
    .description("Policy, admission control and infrastructure as code for Kuscia / SecretFlow and Iflearner on Kubernetes")
    .version(require("../../package.json").version)
    .showHelpAfterError()
    .exitOverride();
  registerReview(program);
  registerAudit(program);
  registerRender(program);
  registerWebhook(program);
  return program;
}

if (require.main === module) {
  const program = buildProgram();
  program.parseAsync(process.argv).catch((err: unknown) => {
    const e = err as { code?: string; exitCode?: number; message?: string };
    // commander signals --help/--version and usage errors by throwing; usage errors exit 2 so CI can tell them from refusals.
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") process.exit(0);
    if (e.code && e.code.startsWith("commander.")) process.exit(2);
    process.stderr.write(`kuscia-iac: ${e.message ?? String(err)}\n`);
    process.exit(2);
  });
}
