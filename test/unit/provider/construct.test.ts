import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { EMIT_MODES } from "../../../components";
import { COMPONENTS } from "../../../provider/components";
import { ComponentProvider } from "../../../provider/provider";
import type { ComponentEntry } from "../../../provider/registry";
import { Greeting, greeting } from "./standin";

// Not in the SDK's typings: resolves once every resource registration sent so far has been answered.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

interface Registered {
  type: string;
  name: string;
  custom: boolean;
  inputs: unknown;
}

const registered: Registered[] = [];

const output = <T>(o: pulumi.Input<T>): Promise<T> => (pulumi.output(o) as unknown as { promise(): Promise<T> }).promise();

/**
 * Children created inside an apply register only once the component's Outputs resolve,
 * so the build returns the Outputs to wait for before the registrations are counted.
 */
async function registrations(build: () => pulumi.Inputs | Promise<pulumi.Inputs>): Promise<Registered[]> {
  registered.length = 0;
  const outputs = await build();
  await Promise.all(Object.values(outputs).map((o) => output(o)));
  await waitForRPCs();
  return [...registered].sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));
}

/** Inputs as the provider server hands them over: top-level Outputs where the engine tracked dependencies. */
function fromEngine(args: Record<string, unknown>): pulumi.Inputs {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, pulumi.output(v)]));
}

describe("provider construct", () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          registered.push({ type: a.type, name: a.name, custom: !!a.custom, inputs: a.inputs });
          return { id: a.custom ? `${a.name}-id` : undefined, state: { ...a.inputs, metadata: { ...(a.inputs.metadata ?? {}), name: a.name } } };
        },
        call: (a) => a.inputs,
      },
      "kuscia",
      "dev",
      true,
    );
  });

  const provider = new ComponentProvider([greeting], "0.0.1");
  const args = { who: "alice", namespace: "alice", labels: { team: "a" }, tls: { cert: "PEM", port: 443 }, aliases: ["al"] };

  for (const emit of ["native", "custom-resource", "both"] as const) {
    it(`creates the same children as the TypeScript class (emit ${emit})`, async () => {
      const direct = await registrations(() => {
        const g = new Greeting("g", { ...args, emit });
        return { message: g.message, configMapName: g.configMapName };
      });
      let state: pulumi.Inputs = {};
      const viaProvider = await registrations(async () => {
        state = (await provider.construct("g", "kuscia-iac:index:Greeting", { ...fromEngine(args), emit }, {})).state;
        return state;
      });
      assert.ok(direct.length >= 2, JSON.stringify(direct));
      assert.deepEqual(viaProvider, direct);
      assert.equal(await output(state.message as pulumi.Input<string>), "hello alice");
      assert.deepEqual(Object.keys(state).sort(), ["configMapName", "message"]);
    });
  }

  describe("of the hosted components", () => {
    const hosted = new ComponentProvider(COMPONENTS, "0.0.1");

    /** Builds the class directly and returns its declared outputs. */
    function direct(entry: ComponentEntry, args: Record<string, unknown>): pulumi.Inputs {
      const r = entry.create("c", args, {}) as unknown as Record<string, pulumi.Input<unknown>>;
      return Object.fromEntries(Object.keys(entry.spec.outputs).map((k) => [k, r[k]]));
    }

    for (const entry of COMPONENTS) {
      for (const emit of EMIT_MODES) {
        for (const wrap of [false, true]) {
          it(`${entry.spec.name}, emit ${emit}${wrap ? ", inputs depending on other resources" : ""}: same children as the class`, async () => {
            const args = { ...(entry.spec.example as Record<string, unknown>), emit };
            const inputs = wrap ? { ...fromEngine(entry.spec.example as Record<string, unknown>), emit } : args;
            let refusal: string | undefined;
            const expected = await registrations(() => {
              try {
                return direct(entry, args);
              } catch (e) {
                refusal = (e as Error).message;
                return {};
              }
            });
            if (refusal !== undefined) {
              // The class refuses this mode (a ClusterDomainRoute has no native form): so must the provider.
              await assert.rejects(hosted.construct("c", entry.token, inputs, {}), (e: Error) => e.message === refusal);
              return;
            }
            let state: pulumi.Inputs = {};
            const got = await registrations(async () => (state = (await hosted.construct("c", entry.token, inputs, {})).state));
            // Not vacuous: the component registered itself, and with both forms it has children (native AppImages have none).
            assert.ok(expected.some((r) => r.type === entry.token));
            if (emit === "both") assert.ok(expected.some((r) => r.custom), `${entry.spec.name} created no Kubernetes resource`);
            assert.deepEqual(got, expected);
            const want = direct(entry, args);
            for (const k of Object.keys(entry.spec.outputs)) assert.deepEqual(await output(state[k]), await output(want[k]), `output ${k}`);
          });
        }
      }
    }
  });

  it("reports the component's outputs in its state", async () => {
    const { state } = await provider.construct("h", "kuscia-iac:index:Greeting", fromEngine({ who: "bob" }), {});
    assert.equal(await output(state.message as pulumi.Input<string>), "hello bob");
    assert.equal(await output(state.configMapName as pulumi.Input<string>), "h-greeting");
  });

  it("names missing required inputs as an input error", async () => {
    await assert.rejects(provider.construct("x", "kuscia-iac:index:Greeting", { namespace: "n" }, {}), (e: unknown) => {
      assert.ok(pulumi.InputPropertiesError.isInstance(e));
      assert.deepEqual(e.errors.map((x) => x.propertyPath), ["who"]);
      return true;
    });
  });

  it("refuses a type it does not host", async () => {
    await assert.rejects(provider.construct("x", "kuscia-iac:index:Nope", {}, {}), /unknown resource type kuscia-iac:index:Nope/);
  });
});
