import { strict as assert } from "node:assert";
import * as path from "node:path";
import "../../../components"; // the components make every engine client of the process use its own connections
import { isolateEngineChannels } from "../../../components/engine-channels";

// The SDK's own copies: the clients it makes use these, not whatever the project resolves.
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] })) as typeof import("@grpc/grpc-js");
const services = require("@pulumi/pulumi/proto/resource_grpc_pb");
const messages = require("@pulumi/pulumi/proto/resource_pb");
const settings = require("@pulumi/pulumi/runtime/settings") as { grpcClientOptions: Record<string, unknown> };
/* eslint-enable @typescript-eslint/no-require-imports */

/** A resource monitor that answers SupportsFeature, on `port` (0: any), as an engine would. */
function monitor(port: number): Promise<{ server: import("@grpc/grpc-js").Server; port: number }> {
  const server = new grpc.Server();
  server.addService(services.ResourceMonitorService, {
    supportsFeature: (_call: unknown, cb: (e: null, r: unknown) => void) => cb(null, new messages.SupportsFeatureResponse().setHassupport(true)),
  });
  return new Promise((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve({ server, port: p }))),
  );
}

/** One SupportsFeature call as the SDK makes it: `ok`, or the gRPC status code it failed with. */
function ask(client: { supportsFeature(req: unknown, cb: (e: { code: number } | null) => void): void }): Promise<"ok" | number> {
  return new Promise((resolve) => client.supportsFeature(new messages.SupportsFeatureRequest().setId("secrets"), (e) => resolve(e ? e.code : "ok")));
}

describe("components: the SDK's engine clients use connections of their own (components/engine-channels.ts)", () => {
  it("the SDK's client options carry grpc.use_local_subchannel_pool once the components are loaded", () => {
    assert.equal(settings.grpcClientOptions["grpc.use_local_subchannel_pool"], 1);
    assert.equal(isolateEngineChannels(), true, "found the SDK's options");
  });

  it("a program's client reaches a new engine on the port a dead engine had, though the dead engine's client is still retrying", async () => {
    // What a run of an Automation API process leaves: a monitor client never closed, whose engine exited.
    const first = await monitor(0);
    const addr = `127.0.0.1:${first.port}`;
    const old = new services.ResourceMonitorClient(addr, grpc.credentials.createInsecure(), settings.grpcClientOptions);
    assert.equal(await ask(old), "ok");
    first.server.forceShutdown();
    // A late call of the finished run: refused, and grpc-js now retries that address in backoff.
    assert.equal(await ask(old), grpc.status.UNAVAILABLE);
    // The next run's engine listens on the same port; the SDK makes a new client for it.
    const next = await monitor(first.port);
    try {
      const client = new services.ResourceMonitorClient(addr, grpc.credentials.createInsecure(), settings.grpcClientOptions);
      // With grpc-js's shared pool this failed at once with UNAVAILABLE, which the SDK takes for
      // an engine shutting down: the program ended quietly and the engine deleted the stack.
      assert.equal(await ask(client), "ok");
      assert.equal(await ask(client), "ok");
      client.close();
    } finally {
      old.close();
      next.server.forceShutdown();
    }
  });
});
