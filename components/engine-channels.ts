/**
 * Own gRPC connections for every client the Pulumi SDK opens to the engine.
 *
 * Why: @pulumi/pulumi (3.248) makes a resource-monitor client and an engine client per program
 * run and never closes them in an Automation API process. After a run's engine exits, a late
 * call on such a client fails with ECONNREFUSED and grpc-js keeps the connection to that address
 * in backoff, retrying. grpc-js shares connections between clients of the same address and
 * options through a process-wide pool, so when a later engine listens on the same loopback port
 * (the kernel hands ports out again), the new run's first calls get the old connection and fail
 * at once with UNAVAILABLE "No connection established". The SDK takes UNAVAILABLE for "the engine
 * is shutting down": it stops the program quietly (`terminateRpcs`) and reports success. If that
 * call was the stack's `SetRootResource`, the program never ran; the engine, seeing a run that
 * registered nothing, plans to delete every resource of the stack, and `up` deletes them.
 * Seen in this project's end-to-end suite (a preview planning `{"delete":87,"same":1}`), and
 * upstream as pulumi/pulumi#7125. A pool per client (`grpc.use_local_subchannel_pool`) leaves a
 * new client nothing stale to pick up.
 *
 * Internal to the SDK (runtime/settings.js exports the option objects its clients are made
 * with, read at each client's creation), so read defensively.
 */
const OPTION = "grpc.use_local_subchannel_pool";

/**
 * Makes every engine client the SDK creates from now on use connections of its own.
 *
 * @returns whether the SDK's client options were found and set (false with an SDK that keeps
 * them elsewhere; nothing is thrown).
 */
export function isolateEngineChannels(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { grpcClientOptions?: Record<string, unknown>; grpcChannelOptions?: Record<string, unknown> };
    let set = false;
    for (const options of [settings.grpcClientOptions, settings.grpcChannelOptions]) {
      if (options && typeof options === "object") {
        options[OPTION] = 1;
        set = true;
      }
    }
    return set;
  } catch {
    return false;
  }
}
