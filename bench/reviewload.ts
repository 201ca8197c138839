/**
 * Reviews sent back to back on a thread of its own (node:worker_threads), `concurrency` at a
 * time over keep-alive connections, as an API server does: the "while reviews run" part of
 * the benches. Counts answers by status until stopped.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { Agent, request } from "node:https";

export interface ReviewLoad {
  /** Answers so far, by status ("0" for a connection error). */
  counts(): Promise<Record<string, number>>;
  stop(): Promise<Record<string, number>>;
}

export function startReviewLoad(target: { url: string; ca: string }, body: string, concurrency = 4): ReviewLoad {
  const w = new Worker(__filename, { workerData: { reviewLoad: true, target, body, concurrency } });
  const ask = (m: { counts?: true; stop?: true }): Promise<Record<string, number>> =>
    new Promise((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
      w.postMessage(m);
    });
  return {
    counts: () => ask({ counts: true }),
    async stop() {
      const c = await ask({ stop: true });
      await w.terminate();
      return c;
    },
  };
}

function post(agent: Agent, target: { url: string; ca: string }, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(new URL("/validate", target.url), { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", () => resolve(0));
    });
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

async function run(): Promise<void> {
  const { target, body, concurrency } = workerData as { target: { url: string; ca: string }; body: string; concurrency: number };
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: target.ca });
  const counts: Record<string, number> = {};
  let stopping = false;
  let finished!: () => void;
  const allDone = new Promise<void>((r) => (finished = r));
  let running = concurrency;
  parentPort!.on("message", (m: { counts?: true; stop?: true }) => {
    if (m.stop) {
      stopping = true;
      void allDone.then(() => parentPort!.postMessage({ ...counts }));
    } else parentPort!.postMessage({ ...counts });
  });
  for (let i = 0; i < concurrency; i++) {
    void (async () => {
      while (!stopping) {
        const status = await post(agent, target, body);
        counts[status] = (counts[status] ?? 0) + 1;
      }
      if (--running === 0) finished();
    })();
  }
}

if (!isMainThread && (workerData as { reviewLoad?: boolean } | undefined)?.reviewLoad) void run();
