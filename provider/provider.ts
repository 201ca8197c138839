/**
 * The component provider: the engine asks it for the schema and to construct
 * components for programs in other languages; it builds the same TypeScript
 * classes a Node.js program would use directly.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import type { ComponentEntry } from "./registry";
import type { Field } from "./spec";
import { schemaText } from "./schema";

export class ComponentProvider implements provider.Provider {
  private readonly byToken: ReadonlyMap<string, ComponentEntry>;

  constructor(
    private readonly entries: readonly ComponentEntry[],
    readonly version: string,
  ) {
    this.byToken = new Map(entries.map((e) => [e.token, e]));
  }

  async getSchema(): Promise<string> {
    return schemaText(this.entries, this.version);
  }

  async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
    const entry = this.byToken.get(type);
    if (!entry) throw new Error(`unknown resource type ${type}; this provider has ${[...this.byToken.keys()].join(", ")}`);
    checkRequired(entry, inputs);
    const resource = entry.create(name, inputs, options);
    const state: pulumi.Inputs = {};
    for (const key of Object.keys(entry.spec.outputs)) state[key] = (resource as unknown as Record<string, pulumi.Input<unknown>>)[key];
    return { urn: resource.urn, state };
  }
}

// Generated SDKs already insist on required inputs; YAML programs and hand-written
// gRPC calls do not, and a class would otherwise fail later with a less precise error.
function checkRequired(entry: ComponentEntry, inputs: pulumi.Inputs): void {
  const missing = Object.entries(entry.spec.inputs as Record<string, Field>)
    .filter(([k, f]) => f.required && (inputs[k] === undefined || inputs[k] === null))
    .map(([k]) => k);
  if (missing.length === 0) return;
  throw new pulumi.InputPropertiesError({
    message: `${entry.spec.name}: missing required input${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
    errors: missing.map((propertyPath) => ({ propertyPath, reason: `${entry.spec.name} requires ${propertyPath}` })),
  });
}
