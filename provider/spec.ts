/**
 * The one description of a component's inputs and outputs that the provider
 * needs: the package schema (and so every generated SDK) is derived from it,
 * and its types are tied to the component's TypeScript Args so that a new or
 * renamed argument fails compilation until the description follows.
 */
import type * as pulumi from "@pulumi/pulumi";

export type Prop =
  | { kind: "string" | "integer" | "number" | "boolean" | "any"; description: string }
  | { kind: "array"; items: Prop; description: string }
  | { kind: "map"; values: Prop; description: string }
  | ObjectProp
  | EnumProp
  | ProviderProp;

/** A nested object: generated SDKs get a named type `kuscia-iac:index:<typeName>` for it. */
export interface ObjectProp {
  kind: "object";
  typeName: string;
  description: string;
  properties: Record<string, Field>;
}

/** A closed set of strings: a named enum type in the SDKs (a Python Enum, a Go const set...). */
export interface EnumProp {
  kind: "enum";
  typeName: string;
  description: string;
  values: readonly string[];
}

/**
 * A provider of another Pulumi package (a `k8s.Provider`). Resources cannot cross the
 * provider boundary as values; they travel as resource references, which the package's
 * SDK turns back into a provider object on this side.
 */
export interface ProviderProp {
  kind: "provider";
  /** The Pulumi package, `kubernetes`: its npm package `@pulumi/<package>` must be installed. */
  package: "kubernetes";
  description: string;
}

export interface FieldFlags {
  /**
   * Must be known when the component is constructed (it decides which children
   * exist), so SDKs take a plain value rather than an Output.
   */
  plain?: boolean;
  /** Key material and tokens: SDKs and state keep it encrypted. */
  secret?: boolean;
  /** This property's description, when it says more than its shared type's (enums, objects). */
  doc?: string;
}

/** A property of a component or of a nested object. */
export type Field = Prop & FieldFlags & { required?: boolean };

type OptionalField = Field & { required?: false };

/** Keys of `T` a caller must set. */
type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];

/** One input per Args key, `required: true` exactly on the keys the Args type requires. */
export type InputFields<TArgs> = {
  [K in keyof TArgs & string]-?: Field & (K extends RequiredKeys<TArgs> ? { required: true } : { required?: false });
};

/** The plain shape of an Args member: `Plain<DomainArgs["authCenter"]>` for `objectOf<...>`. */
export type Plain<T> = pulumi.Unwrap<NonNullable<T>>;

/** The plain element type of an array Args member. */
export type ElementOf<T> = Plain<T> extends readonly (infer E)[] ? E : never;

/** Keys of a component class whose values are Outputs: what it can report back. */
export type OutputKeys<TComponent> = {
  [K in keyof TComponent & string]: TComponent[K] extends pulumi.Output<unknown> ? K : never;
}[keyof TComponent & string];

export interface ComponentSpec<TArgs = Record<string, unknown>, TComponent = unknown> {
  /** The type name: the token is `kuscia-iac:index:<name>`. */
  name: string;
  description: string;
  inputs: InputFields<TArgs>;
  outputs: { [K in OutputKeys<TComponent>]?: Field };
  /**
   * Arguments that construct successfully: the provider tests build the component with them both ways.
   * A function when they hold resources (a Kubernetes provider), which exist only inside a program.
   */
  example: pulumi.Unwrap<TArgs> | (() => TArgs);
}

/** The spec's example arguments; a function example creates its resources on each call. */
export function exampleArgs<TArgs>(spec: ComponentSpec<TArgs, unknown>): TArgs {
  return (typeof spec.example === "function" ? spec.example() : spec.example) as TArgs;
}

export const str = (description: string, flags: FieldFlags = {}): OptionalField => ({ kind: "string", description, ...flags });
export const int = (description: string, flags: FieldFlags = {}): OptionalField => ({ kind: "integer", description, ...flags });
export const num = (description: string, flags: FieldFlags = {}): OptionalField => ({ kind: "number", description, ...flags });
export const bool = (description: string, flags: FieldFlags = {}): OptionalField => ({ kind: "boolean", description, ...flags });
export const any = (description: string, flags: FieldFlags = {}): OptionalField => ({ kind: "any", description, ...flags });
export const arrayOf = (items: Prop, description: string, flags: FieldFlags = {}): OptionalField => ({ kind: "array", items, description, ...flags });
export const mapOf = (values: Prop, description: string, flags: FieldFlags = {}): OptionalField => ({ kind: "map", values, description, ...flags });
/** A nested object; name its Args type (`objectOf<DomainAuthCenterArgs>(...)`) to tie its fields to it like a component's. */
export const objectOf = <T = Record<string, unknown>>(typeName: string, description: string, properties: InputFields<T>, flags: FieldFlags = {}): OptionalField =>
  ({ kind: "object", typeName, description, properties: properties as Record<string, Field>, ...flags });
export const providerOf = (pkg: ProviderProp["package"], description: string, flags: FieldFlags = {}): OptionalField =>
  ({ kind: "provider", package: pkg, description, ...flags });
export const enumOf = (typeName: string, values: readonly string[], description: string, flags: FieldFlags = {}): OptionalField =>
  ({ kind: "enum", typeName, values, description, ...flags });

export function required(f: OptionalField): Field & { required: true } {
  return { ...f, required: true };
}
