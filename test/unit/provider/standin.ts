/**
 * A small component shaped like ours (plain-data Inputs, an `emit` switch, a
 * Kubernetes child per mode), so the provider plumbing is tested independently
 * of the real components.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { component } from "../../../provider/registry";
import { arrayOf, enumOf, mapOf, objectOf, required, str, int, type ComponentSpec, type Plain } from "../../../provider/spec";

export interface GreetingArgs {
  who: pulumi.Input<string>;
  namespace?: pulumi.Input<string>;
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  tls?: pulumi.Input<{ cert: pulumi.Input<string>; port?: pulumi.Input<number> }>;
  aliases?: pulumi.Input<pulumi.Input<string>[]>;
  emit?: "native" | "custom-resource" | "both";
}

export class Greeting extends pulumi.ComponentResource {
  readonly message: pulumi.Output<string>;
  readonly configMapName: pulumi.Output<string>;
  readonly notAnOutput = "constant";

  constructor(name: string, args: GreetingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:Greeting", name, {}, opts);
    const emit = args.emit ?? "native";
    const data = pulumi.all([args.who, args.aliases ?? []]).apply(([who, aliases]) => ({ who, aliases: aliases.join(",") }));
    const metadata = { namespace: args.namespace, labels: args.labels };
    let cmName: pulumi.Output<string> = pulumi.output("");
    if (emit !== "custom-resource") {
      const cm = new k8s.core.v1.ConfigMap(`${name}-greeting`, { metadata, data }, { parent: this });
      cmName = cm.metadata.name;
    }
    if (emit !== "native") {
      new k8s.apiextensions.CustomResource(`${name}-greeting`, { apiVersion: "example.com/v1", kind: "Greeting", metadata, spec: { data, tls: args.tls } }, { parent: this });
    }
    this.message = pulumi.interpolate`hello ${args.who}`;
    this.configMapName = cmName;
    this.registerOutputs({ message: this.message, configMapName: this.configMapName });
  }
}

export const greetingSpec: ComponentSpec<GreetingArgs, Greeting> = {
  name: "Greeting",
  description: "Says hello in a ConfigMap.",
  inputs: {
    who: required(str("Whom to greet.")),
    namespace: str("Namespace of the ConfigMap."),
    labels: mapOf({ kind: "string", description: "label value" }, "Labels of the children."),
    tls: objectOf<Plain<GreetingArgs["tls"]>>("GreetingTls", "TLS material.", { cert: required(str("PEM certificate.", { secret: true })), port: int("Port.") }),
    aliases: arrayOf({ kind: "string", description: "an alias" }, "Other names."),
    emit: enumOf("Emit", ["native", "custom-resource", "both"], "Which children to create.", { plain: true }),
  },
  example: { who: "alice" },
  outputs: {
    message: required(str("The greeting.")),
    configMapName: str("Name of the ConfigMap, when one is emitted."),
  },
};

export const greeting = component(Greeting, greetingSpec);
