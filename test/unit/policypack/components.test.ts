import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS } from "../../../provider/components";
import type { ComponentEntry } from "../../../provider/registry";
import { exampleArgs } from "../../../provider/spec";
import { buildPolicies, reviewResource } from "../../../policypack/policies";
import { reveal, useNodeMocks } from "../nodes/mocks";
import { engineArgs, reportsOf, stackReportsOf, stackResource } from "./engineArgs";

const policies = buildPolicies();

// Not in the SDK's typings: resolves once every resource registration sent so far has been answered.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

interface Child {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const hasEmit = (entry: ComponentEntry) => "emit" in entry.spec.inputs;

describe("policypack on what our components create", () => {
  const children: Child[] = [];

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          if (a.custom) children.push({ type: a.type, name: a.name, inputs: a.inputs as Record<string, unknown> });
          return { id: a.custom ? `${a.name}-id` : undefined, state: a.inputs };
        },
        call: (a) => a.inputs,
      },
      "kuscia",
      "dev",
      true,
    );
  });

  for (const entry of COMPONENTS.filter(hasEmit)) {
    it(`finds nothing to refuse in the children of the ${entry.spec.name} example (emit both)`, async () => {
      children.length = 0;
      const c = entry.create("ex", { ...(exampleArgs(entry.spec) as Record<string, unknown>), emit: "both" }, {}) as unknown as { created: pulumi.Output<string[]> };
      await (c.created as unknown as { promise(): Promise<string[]> }).promise();
      await waitForRPCs();
      const crs = children.filter((ch) => ch.type.startsWith("kubernetes:") && ch.type.endsWith(`:${entry.spec.name}`));
      // The component's own custom resource is among them, so the check below is not vacuous.
      assert.equal(crs.length, 1, JSON.stringify(children.map((ch) => ch.type)));
      for (const ch of children) {
        assert.deepEqual(await reportsOf(policies, engineArgs(ch.type, ch.inputs, ch.name)), [], `${ch.type} ${ch.name}`);
      }
    });
  }
});

// The node components' children hold generated keys: under the node mocks (real keys, no preview) the policies see every value.
describe("policypack on what our node components create", () => {
  const mocks = useNodeMocks();
  // What the rule book reviews among their children (NodePeering's example makes two nodes too);
  // the federation's and the webhook's are kinds it has no rules for.
  const reviewedKinds: Record<string, string[]> = {
    KusciaAutonomyNode: ["ConfigMap"],
    NodePeering: ["ClusterDomainRoute", "ClusterDomainRoute", "ConfigMap", "ConfigMap", "Domain", "Domain"],
    IflearnerFederation: [],
    AdmissionWebhook: [],
    DomainDataSource: ["DomainDataSource"],
    DomainData: ["DomainData"],
    DomainDataGrant: ["DomainDataGrant"],
    KusciaJob: ["KusciaJob"],
    KusciaMasterNode: ["ConfigMap"],
    // Its example makes the master too, and the lite's Domain on the master.
    KusciaLiteNode: ["ConfigMap", "ConfigMap", "Domain"],
  };

  for (const entry of COMPONENTS.filter((e) => !hasEmit(e))) {
    it(`finds nothing to refuse in the children of the ${entry.spec.name} example`, async () => {
      const c = entry.create("ex", exampleArgs(entry.spec) as Record<string, unknown>, {}) as unknown as { created: pulumi.Output<string[]> };
      await (c.created as unknown as { promise(): Promise<string[]> }).promise();
      await waitForRPCs();
      const children = mocks.registered.filter((r) => r.type.startsWith("kubernetes:")).map((r) => ({ type: r.type, name: r.name, inputs: reveal(r.inputs) }));
      const reviewed = children.filter((ch) => reviewResource(engineArgs(ch.type, ch.inputs, ch.name)));
      assert.deepEqual(reviewed.map((ch) => ch.type.split(":").pop()).sort(), reviewedKinds[entry.spec.name]);
      for (const ch of children) {
        assert.deepEqual(await reportsOf(policies, engineArgs(ch.type, ch.inputs, ch.name)), [], `${ch.type} ${ch.name}`);
      }
      if (entry.spec.name === "NodePeering") {
        // Both nodes and both sides of the peering are in the program: the stack policies compare them
        // (each partner Domain's certificate against the other node's key, the routes both ways).
        const stack = children.map((ch) => stackResource(ch.type, ch.inputs, ch.name));
        const peer = (await stackReportsOf(policies, stack)).filter((r) => r.policy.startsWith("peer."));
        assert.deepEqual(peer, []);
        // Not vacuous: the same stack with one certificate swapped fails.
        const domains = stack.filter((r) => r.type.endsWith(":Domain"));
        const swapped = stack.map((r) => (r === domains[0] ? stackResource(r.type, { ...reveal(children.find((c) => c.name === r.name)!.inputs), spec: { ...(children.find((c) => c.name === r.name)!.inputs.spec as object), cert: (children.find((c) => c.name === domains[1].name)!.inputs.spec as { cert: string }).cert } }, r.name) : r));
        assert.deepEqual((await stackReportsOf(policies, swapped)).filter((r) => r.policy.startsWith("peer.")).map((r) => r.policy), ["peer.cert"]);
      }
    });
  }
});
