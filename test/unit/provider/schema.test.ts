import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as packageExports from "../../../components";
import { COMPONENTS } from "../../../provider/components";
import { SCHEMA_FILE } from "../../../provider/gen-schema";
import { ComponentProvider } from "../../../provider/provider";
import { component } from "../../../provider/registry";
import { dependencyVersion, packageSchema, packageVersion, schemaText } from "../../../provider/schema";
import { objectOf, str, type Field } from "../../../provider/spec";
import { Greeting, greeting, greetingSpec } from "./standin";

type Json = Record<string, any>;

/** Every `$ref` into this package's types must name a type the schema defines. */
function danglingRefs(schema: Json): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    for (const [k, e] of Object.entries(v)) {
      if (k === "$ref" && typeof e === "string" && e.startsWith("#/types/") && !schema.types[e.slice("#/types/".length)]) out.push(e);
      walk(e);
    }
  };
  walk(schema.resources);
  walk(schema.types);
  return out;
}

describe("provider schema", () => {
  it("is committed as provider/schema.json exactly as generated (run node dist/provider/gen-schema.js)", () => {
    assert.equal(readFileSync(SCHEMA_FILE, "utf8"), schemaText(COMPONENTS, packageVersion()));
  });

  it("is what the provider serves", async () => {
    assert.equal(await new ComponentProvider(COMPONENTS, packageVersion()).getSchema(), readFileSync(SCHEMA_FILE, "utf8"));
  });

  it("names the package kuscia-iac at the npm package's version, with SDK settings for each language", () => {
    const s = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Json;
    assert.equal(s.name, "kuscia-iac");
    assert.equal(s.version, (JSON.parse(readFileSync(`${__dirname}/../../../../package.json`, "utf8")) as Json).version);
    assert.deepEqual(Object.keys(s.language).sort(), ["csharp", "go", "java", "nodejs", "python"]);
  });

  it("lists every hosted component with exactly its described inputs and outputs", () => {
    const s = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Json;
    assert.deepEqual(Object.keys(s.resources).sort(), COMPONENTS.map((c) => c.token).sort());
    for (const c of COMPONENTS) {
      const r = s.resources[c.token];
      const inputs = c.spec.inputs as Record<string, Field>;
      assert.equal(r.isComponent, true, c.token);
      assert.deepEqual(Object.keys(r.inputProperties), Object.keys(inputs), c.token);
      assert.deepEqual(r.requiredInputs, Object.keys(inputs).filter((k) => inputs[k].required), c.token);
      assert.deepEqual(Object.keys(r.properties), Object.keys(c.spec.outputs), c.token);
      for (const [k, p] of Object.entries({ ...r.inputProperties, ...r.properties })) assert.ok((p as Json).description, `${c.token}.${k} has no description`);
    }
    assert.deepEqual(danglingRefs(s), []);
  });

  it("hosts every component the npm package exports", () => {
    const exported = Object.entries(packageExports)
      .filter(([, v]) => typeof v === "function" && v.prototype instanceof pulumi.ComponentResource)
      .map(([k]) => k)
      .sort();
    assert.deepEqual(exported, [
      "AdmissionWebhook",
      "AppImage",
      "ClusterDomainRoute",
      "Domain",
      "DomainData",
      "DomainDataGrant",
      "DomainDataSource",
      "IflearnerFederation",
      "IflearnerJob",
      "InteropConfig",
      "KusciaAutonomyNode",
      "KusciaDeployment",
      "KusciaJob",
      "KusciaLiteNode",
      "KusciaMasterNode",
      "NodePeering",
    ]);
    assert.deepEqual(COMPONENTS.map((c) => c.spec.name).sort(), exported);
  });

  it("takes Kubernetes providers as references to the installed @pulumi/kubernetes's provider, with SDKs depending on it", () => {
    const s = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Json;
    const k8s = dependencyVersion("kubernetes");
    const ref = { $ref: `/kubernetes/v${k8s}/schema.json#/provider` };
    const peer = s.types["kuscia-iac:index:PeerNode"];
    assert.deepEqual(s.resources["kuscia-iac:index:NodePeering"].inputProperties.a.$ref, "#/types/kuscia-iac:index:PeerNode");
    assert.deepEqual(peer.required, ["domainId", "certificate", "endpoint", "provider"]);
    assert.deepEqual({ $ref: peer.properties.provider.$ref }, ref);
    assert.deepEqual({ $ref: s.types["kuscia-iac:index:IflearnerMember"].properties.provider.$ref }, ref);
    assert.equal(s.resources["kuscia-iac:index:IflearnerFederation"].inputProperties.parties.additionalProperties.$ref, "#/types/kuscia-iac:index:IflearnerMember");
    assert.equal(s.language.nodejs.dependencies["@pulumi/kubernetes"], `^${k8s}`);
    assert.equal(s.language.python.requires["pulumi-kubernetes"], `>=${k8s},<${Number(k8s.split(".")[0]) + 1}.0.0`);
    assert.equal(s.language.csharp.packageReferences["Pulumi.Kubernetes"], `${k8s.split(".")[0]}.*`);
    assert.equal(s.language.java.dependencies["com.pulumi:kubernetes"], k8s);
  });

  it("marks secrets and plain inputs of the node components as their Args have them", () => {
    const s = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Json;
    const node = s.resources["kuscia-iac:index:KusciaAutonomyNode"];
    for (const k of ["datastore", "kubeconfig", "domainKey"]) assert.equal(node.inputProperties[k].secret, true, k);
    for (const k of ["domainKeyPem", "kusciaYaml"]) assert.equal(node.properties[k].secret, true, k);
    for (const k of ["domainId", "namespace", "createNamespace", "runtime", "skipAwait"]) assert.equal(node.inputProperties[k].plain, true, k);
    for (const [k, p] of Object.entries(s.resources["kuscia-iac:index:AdmissionWebhook"].inputProperties as Json)) assert.equal(p.plain, true, k);
  });

  describe("for a component description", () => {
    const s = packageSchema([greeting], "1.2.3");
    const r = s.resources as Json;
    const types = s.types as Json;
    const g = r["kuscia-iac:index:Greeting"];

    it("declares a component resource with required inputs and outputs", () => {
      assert.equal(g.isComponent, true);
      assert.deepEqual(g.requiredInputs, ["who"]);
      assert.deepEqual(g.required, ["message"]);
      assert.deepEqual(g.inputProperties.who, { type: "string", description: "Whom to greet." });
      assert.equal(s.version, "1.2.3");
    });

    it("turns maps, arrays, nested objects and enums into schema types", () => {
      assert.deepEqual(g.inputProperties.labels, { type: "object", additionalProperties: { type: "string" }, description: "Labels of the children." });
      assert.deepEqual(g.inputProperties.aliases.items, { type: "string" });
      assert.equal(g.inputProperties.tls.$ref, "#/types/kuscia-iac:index:GreetingTls");
      assert.deepEqual(types["kuscia-iac:index:GreetingTls"].required, ["cert"]);
      assert.equal(types["kuscia-iac:index:GreetingTls"].properties.cert.secret, true);
      assert.deepEqual(types["kuscia-iac:index:Emit"].enum, [
        { name: "Native", value: "native" },
        { name: "CustomResource", value: "custom-resource" },
        { name: "Both", value: "both" },
      ]);
      assert.equal(g.inputProperties.emit.plain, true);
      assert.deepEqual(danglingRefs(s), []);
    });

    it("refuses one type name described two ways", () => {
      const other = component(Greeting, {
        ...greetingSpec,
        name: "Other",
        inputs: { ...greetingSpec.inputs, tls: objectOf("GreetingTls", "different", { key: str("k") }) },
      });
      assert.throws(() => packageSchema([greeting, other], "1.0.0"), /GreetingTls is described twice/);
    });
  });
});
