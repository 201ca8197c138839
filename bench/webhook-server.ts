/**
 * The server side of bench/webhook.ts, in a process of its own so the load
 * generator does not share its event loop. Reports its URL and CA over IPC.
 */
import pino from "pino";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWebhook } from "../webhook/server";

async function main(): Promise<void> {
  // Real log lines, formatted and written as in production, to a sink that costs a write(2) each.
  const logger = pino({ name: "kuscia-iac-webhook", timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: "/dev/null", sync: true }));
  const stateDir = mkdtempSync(join(tmpdir(), "kuscia-iac-bench-"));
  const i = process.argv.indexOf("--review-workers");
  const reviewWorkers = i > 0 ? Number(process.argv[i + 1]) : undefined;
  const wh = await startWebhook({ port: 0, stateDir, logger, baseline: true, reviewWorkers });
  process.send!({ url: wh.url, ca: wh.caBundlePem });
  process.on("disconnect", () =>
    void wh.close().then(() => {
      rmSync(stateDir, { recursive: true, force: true });
      process.exit(0);
    }),
  );
}

void main();
