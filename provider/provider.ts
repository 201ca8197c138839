/**
 * The component provider: the engine asks it for the schema and to construct
 * components for programs in other languages; it builds the same TypeScript
 * classes a Node.js program would use directly.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import type { ComponentEntry } from "./registry";
import type { Field, Prop } from "./spec";
import { schemaText } from "./schema";
import { setProgramReferenceChecks } from "../components/references";
import { createSecret, diffSecretResource, typeOfUrn } from "./secrets";
import { HOSTED_REFUSAL_TYPE } from "../components/refusal";

export class ComponentProvider implements provider.Provider {
  private readonly byToken: ReadonlyMap<string, ComponentEntry>;

  constructor(
    private readonly entries: readonly ComponentEntry[],
    readonly version: string,
  ) {
    this.byToken = new Map(entries.map((e) => [e.token, e]));
    // Components arrive one request at a time: "declared later in the program" is unknowable here.
    setProgramReferenceChecks(false);
  }

  async getSchema(): Promise<string> {
    return schemaText(this.entries, this.version);
  }

  /**
   * A refusal found once a component's arguments resolved (components/refusal.ts) is a resource
   * whose check fails with the refusal's message: the engine ends the operation there.
   */
  async check(urn: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<provider.CheckResult> {
    if (typeOfUrn(urn) === HOSTED_REFUSAL_TYPE) return { inputs: news, failures: [{ property: "", reason: String(news.message) }] };
    return { inputs: news };
  }

  /** The generated keys, certificates and tokens of components built here (provider/secrets.ts). */
  async create(urn: string, inputs: Record<string, unknown>): Promise<provider.CreateResult> {
    return createSecret(urn, inputs);
  }

  async diff(_id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<provider.DiffResult> {
    return diffSecretResource(urn, olds, news);
  }

  async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
    const entry = this.byToken.get(type);
    if (!entry) throw new Error(`unknown resource type ${type}; this provider has ${[...this.byToken.keys()].join(", ")}`);
    checkRequired(entry, inputs);
    const resource = entry.create(name, await asTheClassTakesThem(entry, inputs), options);
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

/**
 * Inputs the class takes as plain values (names, switches, Kubernetes providers) may
 * arrive as one Output: the provider server wraps a top-level input that depends on a
 * resource and holds no Output of its own, and a provider reference is such a
 * dependency. Those are resolved, and only those parts made plain; the rest stays an
 * Output of the original so it keeps its dependencies and secrecy.
 */
async function asTheClassTakesThem(entry: ComponentEntry, inputs: pulumi.Inputs): Promise<pulumi.Inputs> {
  const fields = entry.spec.inputs as Record<string, Field>;
  const providers = new Map<string, pulumi.ProviderResource>();
  const out: pulumi.Inputs = { ...inputs };
  for (const [key, field] of Object.entries(fields)) {
    if (key in inputs && needsValue(field)) out[key] = await shape(`${entry.spec.name}.${key}`, field, inputs[key], undefined, providers);
  }
  return out;
}

async function shape(path: string, p: Prop, value: unknown, from: pulumi.Output<unknown> | undefined, providers: Map<string, pulumi.ProviderResource>): Promise<unknown> {
  if (!needsValue(p)) return from ?? value;
  if (pulumi.Output.isInstance(value)) return shape(path, p, await known(path, value), value, providers);
  if (value === undefined || value === null) return value;
  const at = (k: string | number) => (from ? from.apply((v) => (v as Record<string | number, unknown> | undefined)?.[k]) : undefined);
  switch (p.kind) {
    case "provider":
      // Without @pulumi/<package> loaded here the SDK leaves a reference as its URN or ID.
      if (!pulumi.CustomResource.isInstance(value)) throw new Error(`${path}: expected a ${p.package} provider (a resource reference), got ${JSON.stringify(value)}`);
      return sameProvider(value as pulumi.ProviderResource, providers);
    case "object": {
      const o = value as Record<string, unknown>;
      const props = p.properties;
      return Object.fromEntries(await Promise.all(Object.keys(o).map(async (k) => [k, props[k] ? await shape(`${path}.${k}`, props[k], o[k], at(k), providers) : (at(k) ?? o[k])])));
    }
    case "map": {
      const o = value as Record<string, unknown>;
      return Object.fromEntries(await Promise.all(Object.keys(o).map(async (k) => [k, await shape(`${path}.${k}`, p.values, o[k], at(k), providers)])));
    }
    case "array":
      return Promise.all((value as unknown[]).map((v, i) => shape(`${path}[${i}]`, p.items, v, at(i), providers)));
    default:
      return value;
  }
}

/** Plain for the class (it decides which resources exist), or holding a provider somewhere inside. */
function needsValue(p: Prop): boolean {
  if ((p as Field).plain) return true;
  switch (p.kind) {
    case "provider":
      return true;
    case "object":
      return Object.values(p.properties).some(needsValue);
    case "map":
      return needsValue(p.values);
    case "array":
      return needsValue(p.items);
    default:
      return false;
  }
}

// Output's value and known-ness have no public accessor; the SDK's own provider server reads them this way.
interface OutputInternals {
  isKnown: Promise<boolean>;
  promise(): Promise<unknown>;
}

async function known(path: string, o: pulumi.Output<unknown>): Promise<unknown> {
  const i = o as unknown as OutputInternals;
  if (!(await i.isKnown)) throw new Error(`${path} must be known when the component is constructed: it names resources, decides which exist, or is a provider`);
  return i.promise();
}

/**
 * Every reference to one provider becomes a provider object of its own on this side;
 * the classes tell clusters apart by object (IflearnerFederation's one-namespace-per-party
 * check), so references with the same URN share the first object.
 */
async function sameProvider(r: pulumi.ProviderResource, providers: Map<string, pulumi.ProviderResource>): Promise<pulumi.ProviderResource> {
  const urn = (await known("provider URN", r.urn)) as string;
  const first = providers.get(urn);
  if (first) return first;
  providers.set(urn, r);
  return r;
}
