/**
 * What the provider hosts: one entry per component, pairing the TypeScript class
 * with its description. Adding a component to the provider is one line in
 * `components.ts` plus its description under `specs/`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ComponentSpec } from "./spec";

export const PACKAGE = "kuscia-iac";

export interface ComponentEntry {
  token: string;
  spec: ComponentSpec;
  create(name: string, args: Record<string, unknown>, opts: pulumi.ComponentResourceOptions): pulumi.ComponentResource;
}

type ComponentClass<TArgs, TComponent> = new (name: string, args: TArgs, opts?: pulumi.ComponentResourceOptions) => TComponent;

/**
 * Pairs a component class with its description. The spec's type parameters come from
 * the class, so its inputs must list exactly the Args keys, required exactly where the
 * Args require them, and its outputs only Output-typed members of the class.
 */
export function component<TArgs, TComponent extends pulumi.ComponentResource>(
  cls: ComponentClass<TArgs, TComponent>,
  spec: ComponentSpec<TArgs, TComponent>,
): ComponentEntry {
  return {
    token: `${PACKAGE}:index:${spec.name}`,
    spec: spec as unknown as ComponentSpec,
    // Inputs arrive from the engine already shaped by the schema; the class validates values.
    create: (name, args, opts) => new cls(name, args as TArgs, opts),
  };
}
