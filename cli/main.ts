#!/usr/bin/env node
/**
 * The single `kuscia-iac` executable. Each front end owns its subcommand in its
 * own folder and exports a `register(program)` function; this file only wires
 * them together so `--help` lists everything.
 */
import { Command } from "commander";

/** Subcommands whose front end lives in review/command.ts. */
const REVIEW_COMMANDS = new Set(["review", "rules"]);

/**
 * The program with every subcommand, or, given `only` (the subcommand about to run),
 * with that one's front end alone: `review` in CI must not pay for loading the webhook
 * server (express, pino, prom-client) or the components (@pulumi/*). Front ends are
 * required here, not imported at the top, for that reason.
 */
export function buildProgram(only?: string): Command {
  const program = new Command("kuscia-iac")
    .description("Policy, admission control and infrastructure as code for Kuscia / SecretFlow and Iflearner on Kubernetes")
    .version(require("../../package.json").version)
    .exitOverride();
  const all = only === undefined;
  if (all || REVIEW_COMMANDS.has(only)) (require("../review/command") as typeof import("../review/command")).register(program);
  if (all || only === "render") (require("./render") as typeof import("./render")).register(program);
  if (all || only === "audit") (require("../audit/command") as typeof import("../audit/command")).register(program);
  if (all || only === "webhook") (require("../webhook/command") as typeof import("../webhook/command")).register(program);
  if (all || only === "vap") (require("../vap/command") as typeof import("../vap/command")).register(program);
  if (all || only === "test") (require("../policytest/command") as typeof import("../policytest/command")).register(program);
  oneLineUsageErrors(program, ["kuscia-iac"]);
  return program;
}

/**
 * Usage errors (a missing argument, an unknown option, a bad choice) as one line on standard
 * error, the command first, then where the help is: `kuscia-iac review: missing required
 * argument 'path'; see \`kuscia-iac review --help\``. Not the whole help: it buried the problem
 * under 40 lines. For `cmd` and every subcommand below it; the exit status is 2 (see below).
 */
function oneLineUsageErrors(cmd: Command, names: string[]): void {
  const name = names.join(" ");
  cmd.configureOutput({
    outputError: (str, write) => write(`${name}: ${str.trim().replace(/^error: /, "").replace(/\s*\n\s*/g, " ")}; see \`${name} --help\`\n`),
  });
  for (const c of cmd.commands) oneLineUsageErrors(c, [...names, c.name()]);
}

/** The subcommand named on the command line, when it is one whose front end can be loaded alone. */
function subcommandOf(argv: string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith("-"));
  // Anything before the subcommand (`--help`, `-V`) is the top level's: load everything.
  if (first === undefined || argv[2] !== first) return undefined;
  return REVIEW_COMMANDS.has(first) || ["render", "webhook", "audit", "vap", "test"].includes(first) ? first : undefined;
}

/**
 * Exit status when a reader closes our output early (`kuscia-iac rules | head -1`):
 * 128 + SIGPIPE, what a shell reports for a process killed by SIGPIPE (coreutils, git).
 * Not 0: under `set -o pipefail` a truncated `review | head` must not pass as a clean review.
 */
export const EXIT_BROKEN_PIPE = 141;

/**
 * Node ignores SIGPIPE, so a write to a closed pipe surfaces as an 'error' event on
 * process.stdout/stderr; unhandled, it prints a stack trace and exits 1. Every subcommand
 * gets the same handling here: stop quietly with EXIT_BROKEN_PIPE. Other stream errors
 * are rethrown unchanged.
 */
export function exitQuietlyOnBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(EXIT_BROKEN_PIPE);
    throw err;
  });
}

if (require.main === module) {
  exitQuietlyOnBrokenPipe(process.stdout);
  exitQuietlyOnBrokenPipe(process.stderr);
  const program = buildProgram(subcommandOf(process.argv));
  program.parseAsync(process.argv).catch((err: unknown) => {
    const e = err as { code?: string; exitCode?: number; message?: string };
    // commander signals --help/--version and usage errors by throwing; usage errors exit 2 so CI can tell them from refusals.
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") process.exit(0);
    if (e.code && e.code.startsWith("commander.")) process.exit(2);
    process.stderr.write(`kuscia-iac: ${e.message ?? String(err)}\n`);
    process.exit(2);
  });
}
