/**
 * Builds the Pulumi package schema from the component descriptions. The schema is
 * what `pulumi package add` / `gen-sdk` turn into Python, Go, C#, Java and Node.js
 * SDKs, and what YAML programs are checked against.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PACKAGE, type ComponentEntry } from "./registry";
import type { Field, Prop } from "./spec";

type Json = Record<string, unknown>;

/** The npm package's version: the provider, its schema and the policy pack share it. */
export function packageVersion(): string {
  const file = path.resolve(__dirname, "..", "..", "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/**
 * Version of the installed `@pulumi/<pkg>`: the one whose SDK turns references to its
 * providers back into objects here, so the schema refers to that version's schema.
 */
export function dependencyVersion(pkg: string): string {
  return (JSON.parse(readFileSync(require.resolve(`@pulumi/${pkg}/package.json`), "utf8")) as { version: string }).version;
}

/** Where the schema's description of a component's properties goes, and what it collects on the way. */
interface Sink {
  types: Record<string, Json>;
  /** Pulumi packages whose providers a component takes: the SDKs must depend on theirs. */
  packages: Set<string>;
}

export function packageSchema(entries: readonly ComponentEntry[], version: string): Json {
  const sink: Sink = { types: {}, packages: new Set() };
  const resources: Record<string, Json> = {};
  for (const e of entries) {
    const inputs = Object.entries(e.spec.inputs as Record<string, Field>);
    const outputs = Object.entries(e.spec.outputs as Record<string, Field>);
    resources[e.token] = {
      description: e.spec.description,
      isComponent: true,
      inputProperties: properties(inputs, sink),
      requiredInputs: inputs.filter(([, f]) => f.required).map(([k]) => k),
      properties: properties(outputs, sink),
      required: outputs.filter(([, f]) => f.required).map(([k]) => k),
    };
  }
  const deps = [...sink.packages].sort().map((pkg) => {
    const v = dependencyVersion(pkg);
    return { pkg, version: v, major: Number(v.split(".")[0]) };
  });
  // Undefined when there are none, so JSON.stringify leaves the setting out.
  const each = (entry: (d: (typeof deps)[number]) => [string, string]) => (deps.length ? Object.fromEntries(deps.map(entry)) : undefined);
  const title = (pkg: string) => pkg[0].toUpperCase() + pkg.slice(1);
  return {
    name: PACKAGE,
    displayName: "Kuscia IaC",
    version,
    description: "Pulumi components for Kuscia / SecretFlow and Iflearner resources on Kubernetes, checked by the kuscia-iac rule book.",
    keywords: ["pulumi", "kubernetes", "kuscia", "secretflow", "kind/component", "category/cloud"],
    license: "Apache-2.0",
    // An SDK whose inputs name another package's provider type imports that package's SDK.
    language: {
      nodejs: { packageName: "@kuscia-iac/pulumi", respectSchemaVersion: true, dependencies: each((d) => [`@pulumi/${d.pkg}`, `^${d.version}`]) },
      python: {
        packageName: "pulumi_kuscia_iac",
        respectSchemaVersion: true,
        pyproject: { enabled: true },
        requires: deps.length ? { pulumi: ">=3.0.0,<4.0.0", ...each((d) => [`pulumi-${d.pkg}`, `>=${d.version},<${d.major + 1}.0.0`]) } : undefined,
      },
      go: { importBasePath: "kuscia-iac/sdk/go/kusciaiac", generateResourceContainerTypes: true, respectSchemaVersion: true },
      csharp: { rootNamespace: "KusciaIac", packageReferences: { Pulumi: "3.*", ...each((d) => [`Pulumi.${title(d.pkg)}`, `${d.major}.*`]) }, respectSchemaVersion: true },
      java: { basePackage: "io.kusciaiac", buildFiles: "gradle", dependencies: each((d) => [`com.pulumi:${d.pkg}`, d.version]) },
    },
    resources,
    types: sink.types,
  };
}

/** The schema as committed in provider/schema.json (stable key order, trailing newline). */
export function schemaText(entries: readonly ComponentEntry[], version: string): string {
  return JSON.stringify(packageSchema(entries, version), null, 2) + "\n";
}

function properties(fields: [string, Field][], sink: Sink): Json {
  return Object.fromEntries(fields.map(([k, f]) => [k, property(f, sink)]));
}

function property(f: Field, sink: Sink): Json {
  const p = typeRef(f, sink);
  if (f.doc) p.description = f.doc;
  if (f.secret) p.secret = true;
  if (f.plain) p.plain = true;
  return p;
}

function typeRef(p: Prop, sink: Sink): Json {
  const { types } = sink;
  const description = p.description;
  switch (p.kind) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
      return { type: p.kind, description };
    case "any":
      return { $ref: "pulumi.json#/Any", description };
    case "array":
      return { type: "array", items: bare(typeRef(p.items, sink)), description };
    case "map":
      return { type: "object", additionalProperties: bare(typeRef(p.values, sink)), description };
    case "object": {
      const fields = Object.entries(p.properties);
      define(types, p.typeName, {
        type: "object",
        description,
        properties: properties(fields, sink),
        required: fields.filter(([, f]) => f.required).map(([k]) => k),
      });
      return { $ref: `#/types/${PACKAGE}:index:${p.typeName}`, description };
    }
    case "provider":
      sink.packages.add(p.package);
      return { $ref: `/${p.package}/v${dependencyVersion(p.package)}/schema.json#/provider`, description };
    case "enum":
      define(types, p.typeName, { type: "string", description, enum: p.values.map((value) => ({ name: enumName(value), value })) });
      return { $ref: `#/types/${PACKAGE}:index:${p.typeName}`, description };
  }
}

// Element types of arrays and maps carry no description of their own in the schema.
function bare(p: Json): Json {
  const { description: _d, ...rest } = p;
  return rest;
}

function define(types: Record<string, Json>, typeName: string, def: Json): void {
  const token = `${PACKAGE}:index:${typeName}`;
  const before = types[token];
  // Two components may share a nested type (e.g. Emit); two different shapes under one name would make one SDK class lie.
  if (before && JSON.stringify(before) !== JSON.stringify(def)) throw new Error(`type ${typeName} is described twice, differently`);
  types[token] = def;
}

/**
 * `custom-resource` → `CustomResource`, `RSA-GEN` → `RsaGen`: SDKs derive member names from
 * it (Python then spells them CUSTOM_RESOURCE, RSA_GEN), and all-capitals words would run together.
 */
function enumName(value: string): string {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + (w === w.toUpperCase() ? w.slice(1).toLowerCase() : w.slice(1)))
    .join("");
}
