import { resetChildNames } from "../../../components/children";
import { refusalMessage } from "../../../components/refusal";
import { REFUSAL, refusalOf } from "../components/harness";
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EMIT_MODES, IflearnerFederation } from "../../../components";
import { COMPONENTS } from "../../../provider/components";
import { ComponentProvider } from "../../../provider/provider";
import type { ComponentEntry } from "../../../provider/registry";
import { exampleArgs, type Field, type Prop } from "../../../provider/spec";
import { iflearnerFederationSpec } from "../../../provider/specs/iflearnerfederation";
import { useNodeMocks, type Registered as NodeRegistered } from "../nodes/mocks";
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

function holdsProvider(p: Prop): boolean {
  if (p.kind === "provider") return true;
  if (p.kind === "object") return Object.values(p.properties).some(holdsProvider);
  if (p.kind === "map") return holdsProvider(p.values);
  if (p.kind === "array") return holdsProvider(p.items);
  return false;
}

/**
 * As {@link fromEngine} for a hosted component: plain inputs arrive as they are (SDKs send
 * them without dependencies), except those holding a provider, whose reference is a dependency.
 */
function fromEngineFor(entry: ComponentEntry, args: Record<string, unknown>): pulumi.Inputs {
  const fields = entry.spec.inputs as Record<string, Field>;
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, fields[k]?.plain && !holdsProvider(fields[k]) ? v : pulumi.output(v)]));
}

/** Hosted components with an `emit` switch are built in every mode, under these mocks; the others under the node mocks below. */
const hasEmit = (entry: ComponentEntry) => "emit" in (entry.spec.inputs as Record<string, Field>);

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

    for (const entry of COMPONENTS.filter(hasEmit)) {
      for (const emit of EMIT_MODES) {
        for (const wrap of [false, true]) {
          it(`${entry.spec.name}, emit ${emit}${wrap ? ", inputs depending on other resources" : ""}: same children as the class`, async () => {
            const example = exampleArgs(entry.spec) as Record<string, unknown>;
            const args = { ...example, emit };
            const inputs = wrap ? { ...fromEngineFor(entry, example), emit } : args;
            // Built once: a refusal at construction is known when the constructor returns, and
            // the outputs of a refused class never settle (components/refusal.ts), so they are not awaited.
            registered.length = 0;
            const built = entry.create("c", args, {}) as unknown as Record<string, pulumi.Input<unknown>>;
            const refusal = refusalMessage(built as unknown as pulumi.Resource);
            if (refusal !== undefined) {
              // The class refuses this mode (a ClusterDomainRoute has no native form): so must the provider.
              registered.length = 0;
              await hosted.construct("c", entry.token, inputs, {});
              await waitForRPCs();
              const viaProvider = registered.find((r) => r.type === REFUSAL && r.name === "c-refused");
              assert.equal((viaProvider?.inputs as { message?: string } | undefined)?.message, refusal);
              return;
            }
            const want = Object.fromEntries(Object.keys(entry.spec.outputs).map((k) => [k, built[k]]));
            await Promise.all(Object.values(want).map((o) => output(o)));
            await waitForRPCs();
            const expected = [...registered].sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));
            let state: pulumi.Inputs = {};
            const got = await registrations(async () => (state = (await hosted.construct("c", entry.token, inputs, {})).state));
            // Not vacuous: the component registered itself, and with both forms it has children (native AppImages have none).
            assert.ok(expected.some((r) => r.type === entry.token));
            if (emit === "both") assert.ok(expected.some((r) => r.custom), `${entry.spec.name} created no Kubernetes resource`);
            assert.deepEqual(got, expected);
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

/**
 * The components without an `emit` switch make keys and certificates through dynamic
 * resources: the node components' mocks run their real `create`, repeatably, so the
 * class and the provider get the same keys and register the same inputs.
 */
describe("provider construct of the hosted node components", () => {
  const mocks = useNodeMocks({ repeatable: true });
  const hosted = new ComponentProvider(COMPONENTS, "0.0.1");
  const nodeComponents = COMPONENTS.filter((e) => !hasEmit(e));
  /** Components without `emit` that make only a custom resource, and no key. */
  const generatesKeys = (e: ComponentEntry) => !["DomainData", "DomainDataGrant", "KusciaJob"].includes(e.spec.name);

  const sorted = (rs: readonly NodeRegistered[]) =>
    rs.map(({ type, name, provider, inputs }) => ({ type, name, provider, inputs })).sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));

  /** Builds the example (its own resources included) and the component, and returns what registered and the component's outputs. */
  async function build(entry: ComponentEntry, via: "class" | "provider" | "provider, inputs depending on other resources"): Promise<{ registered: ReturnType<typeof sorted>; state: pulumi.Inputs }> {
    mocks.registered.length = 0;
    resetChildNames(); // each build is a program of its own: the two must not see each other's names
    const args = exampleArgs(entry.spec) as Record<string, unknown>;
    let state: pulumi.Inputs;
    if (via === "class") {
      const r = entry.create("c", args, {}) as unknown as Record<string, pulumi.Input<unknown>>;
      state = Object.fromEntries(Object.keys(entry.spec.outputs).map((k) => [k, r[k]]));
    } else {
      const inputs = via === "provider" ? args : fromEngineFor(entry, args);
      state = (await hosted.construct("c", entry.token, inputs, {})).state;
    }
    await Promise.all(Object.values(state).map((o) => output(o)));
    await waitForRPCs();
    return { registered: sorted(mocks.registered), state };
  }

  it("are the components that generate keys", () => {
    assert.deepEqual(nodeComponents.filter(generatesKeys).map((e) => e.spec.name).sort(), ["AdmissionWebhook", "DomainDataSource", "IflearnerFederation", "KusciaAutonomyNode", "KusciaLiteNode", "KusciaMasterNode", "NodePeering"]);
  });

  for (const entry of nodeComponents) {
    for (const via of ["provider", "provider, inputs depending on other resources"] as const) {
      it(`${entry.spec.name} via the ${via}: same children, keys and outputs as the class`, async () => {
        const expected = await build(entry, "class");
        const got = await build(entry, via);
        // Not vacuous: the component registered itself, and Kubernetes objects and generated keys under it.
        assert.ok(expected.registered.some((r) => r.type === entry.token));
        assert.ok(expected.registered.some((r) => r.type.startsWith("kubernetes:")), `${entry.spec.name} created no Kubernetes resource`);
        if (generatesKeys(entry)) assert.ok(expected.registered.some((r) => r.type.startsWith("pulumi-nodejs:dynamic/")), `${entry.spec.name} generated no key`);
        assert.deepEqual(got.registered, expected.registered);
        for (const k of Object.keys(entry.spec.outputs)) assert.deepEqual(await output(got.state[k]), await output(expected.state[k]), `output ${k}`);
      });
    }
  }

  it("NodePeering: each side's objects go through that side's provider, given as a resource", async () => {
    const { registered } = await build(COMPONENTS.find((e) => e.spec.name === "NodePeering")!, "provider, inputs depending on other resources");
    const through = (side: string) =>
      registered.filter((r) => r.type.startsWith("kubernetes:kuscia.secretflow") && (r.provider ?? "").includes(`::${side}-kuscia::`)).map((r) => `${r.inputs.kind}/${r.inputs.metadata.name}`).sort();
    assert.deepEqual(through("alice"), ["ClusterDomainRoute/alice-bob", "Domain/bob"]);
    assert.deepEqual(through("bob"), ["ClusterDomainRoute/bob-alice", "Domain/alice"]);
  });

  it("hands the class one provider object per provider URN, as a program would have it", async () => {
    // The provider server makes an object per reference: two parties on one cluster arrive with two.
    const [east, again] = [new k8s.Provider("east", { kubeconfig: "{}" }), new k8s.Provider("east", { kubeconfig: "{}" })];
    const example = iflearnerFederationSpec.example as pulumi.Unwrap<ConstructorParameters<typeof IflearnerFederation>[1]>;
    const parties = { a: { ...example.parties.a, namespace: "fl", provider: east }, b: { ...example.parties.b, namespace: "fl", provider: again } };
    mocks.registered.length = 0;
    await hosted.construct("shared", "kuscia-iac:index:IflearnerFederation", { ...example, parties: pulumi.output(parties) }, {});
    assert.match(await refusalOf(mocks.registered, "shared"), /parties\.b\.namespace: "fl" is also party "a"'s in the same cluster/);
  });

  it("refuses a provider input that did not arrive as a resource reference", async () => {
    const peer = { domainId: "x", certificate: "Y2VydA==", endpoint: "http://x:1080", provider: "urn:pulumi:dev::p::pulumi:providers:kubernetes::x" };
    await assert.rejects(
      hosted.construct("p", "kuscia-iac:index:NodePeering", { a: peer, b: { ...peer, domainId: "y" } }, {}),
      /NodePeering\.a\.provider: expected a kubernetes provider \(a resource reference\)/,
    );
  });
});
