/**
 * The server side of bench/webhook.ts, in a process of its own so the load
 * generator does not share its event loop. Reports its URL and CA over IPC.
 * Flags: --review-workers N, --config FILE (a policy configuration), --kubeconfig FILE
 * (reference checks against that cluster, as `webhook --references`).
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
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const reviewWorkers = flag("--review-workers") === undefined ? undefined : Number(flag("--review-workers"));
  const policyConfigFile = flag("--config");
  const kubeconfig = flag("--kubeconfig");
  const wh = await startWebhook({ port: 0, stateDir, logger, baseline: true, reviewWorkers, ...(policyConfigFile ? { policyConfigFile } : {}), ...(kubeconfig ? { references: { kubeconfig } } : {}) });
  process.send!({ url: wh.url, ca: wh.caBundlePem });
  process.on("disconnect", () =>
    void wh.close().then(() => {
      rmSync(stateDir, { recursive: true, force: true });
      process.exit(0);
    }),
  );
}

void main();
