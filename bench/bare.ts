/**
 * The bare baseline of the webhook benches: a Node.js HTTPS server in a process of its own
 * that answers GET /healthz with "ok" and does nothing else, on the same kind of certificate.
 * Probed side by side with the webhook, in the same run, it shows what the machine alone
 * (its load, the TLS handshake) adds to a /healthz answer. GET /eventloop answers this
 * process's own event-loop delay since the last such call (ms), as the webhook's /metrics does.
 * Started by bench/process.ts startBareServer(); reports its URL over IPC.
 */
import { createServer } from "node:https";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { AddressInfo } from "node:net";

function main(): void {
  const [cert, key] = [process.env.BENCH_TLS_CERT!, process.env.BENCH_TLS_KEY!];
  // The resolution prom-client uses for the webhook's kuscia_iac_webhook_nodejs_eventloop_lag_* (10 ms).
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const server = createServer({ cert, key }, (req, res) => {
    if (req.url === "/healthz") {
      res.setHeader("content-type", "text/plain");
      res.end("ok");
    } else if (req.url === "/eventloop") {
      const out = { maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 };
      delay.reset();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(out));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.listen(0, "127.0.0.1", () => process.send!({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  process.on("disconnect", () => process.exit(0));
}

main();
