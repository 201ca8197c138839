import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS } from "../../../provider/components";
import { policies } from "../../../policypack/policies";
import { engineArgs, messagesOf } from "./engineArgs";

// Not in the SDK's typings: resolves once every resource registration sent so far has been answered.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

interface Child {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

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

  for (const entry of COMPONENTS) {
    it(`finds nothing to refuse in the children of the ${entry.spec.name} example (emit both)`, async () => {
      children.length = 0;
      const c = entry.create("ex", { ...(entry.spec.example as Record<string, unknown>), emit: "both" }, {}) as unknown as { created: pulumi.Output<string[]> };
      await (c.created as unknown as { promise(): Promise<string[]> }).promise();
      await waitForRPCs();
      const crs = children.filter((ch) => ch.type.startsWith("kubernetes:kuscia.secretflow/"));
      // The component's own custom resource is among them, so the check below is not vacuous.
      assert.equal(crs.length, 1, JSON.stringify(children.map((ch) => ch.type)));
      for (const ch of children) {
        for (const p of policies) assert.deepEqual(await messagesOf(p, engineArgs(ch.type, ch.inputs, ch.name)), [], `${p.name} on ${ch.type} ${ch.name}`);
      }
    });
  }
});
