import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest, type GetSchemaResponse } from "@pulumi/pulumi/proto/provider_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { startPlugin, type PluginProcess } from "../policypack/pluginProcess";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");
const MAIN = path.join(REPO, "dist", "provider", "main.js");
const SOURCE_PLUGIN_DIR = path.join(REPO, "provider");
const committedSchema = () => readFileSync(path.join(REPO, "provider", "schema.json"), "utf8");
const version = () => (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version;

function call<T>(fn: (cb: (e: grpc.ServiceError | null, r: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))));
}

/** Starts the plugin, asks it what the engine asks first, and stops it. */
async function handshake(start: () => Promise<PluginProcess>): Promise<{ schema: string; version: string }> {
  const plugin = await start();
  const client = new ResourceProviderClient(plugin.address, grpc.credentials.createInsecure());
  try {
    const info = await call<PluginInfo>((cb) => client.getPluginInfo(new Empty(), cb));
    const schema = await call<GetSchemaResponse>((cb) => client.getSchema(new GetSchemaRequest().setVersion(0), cb));
    return { schema: schema.getSchema(), version: info.getVersion() };
  } finally {
    client.close();
    await plugin.stop();
  }
}

describe("provider as a plugin process", () => {
  it("is a node script with a shebang, usable as pulumi-resource-kuscia-iac", () => {
    assert.match(readFileSync(MAIN, "utf8"), /^#!\/usr\/bin\/env node\n/);
  });

  it("serves its version and the committed schema when run as pulumi-resource-kuscia-iac", async () => {
    const got = await handshake(() => startPlugin(process.execPath, [MAIN, "127.0.0.1:1"], REPO));
    assert.equal(got.version, version());
    assert.equal(got.schema, committedSchema());
  });

  it("serves the same when loaded as a source plugin from provider/ (PulumiPlugin.yaml, runtime nodejs)", async () => {
    assert.match(readFileSync(path.join(SOURCE_PLUGIN_DIR, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
    // What the Node.js language host runs for a plugin folder: run-plugin with the folder and the engine address.
    const runner = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [SOURCE_PLUGIN_DIR] });
    const got = await handshake(() => startPlugin(process.execPath, [runner, ".", "127.0.0.1:1"], SOURCE_PLUGIN_DIR));
    assert.equal(got.schema, committedSchema());
  });

  it("keeps provider/package.json at the package's version", () => {
    assert.equal((JSON.parse(readFileSync(path.join(SOURCE_PLUGIN_DIR, "package.json"), "utf8")) as { version: string }).version, version());
  });
});
