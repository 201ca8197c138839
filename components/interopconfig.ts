import * as pulumi from "@pulumi/pulumi";
import { refused } from "./refusal";
import { KUSCIA_API_VERSION, expandInteropConfig, type InteropConfigResource, type MemberIdentity } from "../policy/expand";
import { createCustomResource, createNative, family, mergeDependsOn, objectRef, whenCreated, type ReadinessArgs } from "./children";
import { emitMode, emitsCustomResource, emitsNative, type Emit } from "./emit";
import { settle } from "./known";
import { admitOrThrow, compact, reviewFindings, warnAll } from "./validate";

export interface InteropConfigArgs extends ReadinessArgs {
  /**
   * Name of the InteropConfig. Default: the resource name. Avoid `<member>-2-<host>`:
   * Kuscia's ClusterDomainRoute controller creates and deletes InteropConfigs of that name itself.
   */
  name?: pulumi.Input<string>;
  /** Domain ID of the host, whose API server the members watch and which schedules jobs for them. */
  host: pulumi.Input<string>;
  /** Domain IDs of the members whose namespaces on the host are synchronised into their own cluster. */
  members: pulumi.Input<pulumi.Input<string>[]>;
  /** How members authenticate to the host (`native`): ServiceAccount `<member>` in `<member>` (default) or User `<member>` (certificate CN). */
  memberIdentity?: pulumi.Input<MemberIdentity>;
  /** Labels of the InteropConfig custom resource. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations of the InteropConfig custom resource. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** What to create (default `native`): see {@link Emit}. */
  emit?: Emit;
}

/**
 * Interconnection between a host and member domains. `native` creates, on the
 * host's cluster, per member a Role and RoleBinding `kuscia-interop-<name>` in
 * namespace `<member>` letting the member read the KusciaDeployments,
 * KusciaJobs, DomainData and grants placed there and update their summaries;
 * `custom-resource` creates the InteropConfig, which belongs to the member's
 * cluster (use a second component with the member's provider).
 */
export class InteropConfig extends pulumi.ComponentResource {
  /** The InteropConfig as validated, with defaults. */
  readonly object!: pulumi.Output<InteropConfigResource>;
  /** `Kind/namespace/name` of every Kubernetes object created, once created. */
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: InteropConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:InteropConfig", name, {}, opts);
    try {
      const emit = emitMode("InteropConfig", name, args.emit, "native", this);
      const fam = family(this, name, opts, args);
      let identity: MemberIdentity | undefined;
      const { object, emitted } = settle(
        this,
        args,
        (a, secret) => {
          identity = a.memberIdentity;
          return admitOrThrow("InteropConfig", name, interopConfigResource(name, a), this, "", secret);
        },
        (ic, secret, argDeps) => {
          const f = argDeps ? { ...fam, dependsOn: mergeDependsOn(fam.dependsOn, argDeps) } : fam;
          const ex = expandInteropConfig(ic, { memberIdentity: identity });
          warnAll("InteropConfig", name, ex.warnings, this);
          const resources: pulumi.CustomResource[] = [];
          const refs: string[] = [];
          if (emitsNative(emit)) {
            for (const o of ex.objects) {
              resources.push(createNative(f, o, {}, secret));
              refs.push(objectRef(o));
            }
          }
          if (emitsCustomResource(emit)) {
            resources.push(createCustomResource(f, ic, {}, secret));
            refs.push(objectRef(ic));
          }
          return whenCreated(resources, refs);
        },
        { kind: "InteropConfig", name, review: (a) => reviewFindings(interopConfigResource(name, a as pulumi.Unwrap<InteropConfigArgs>)) },
      );
      this.object = object;
      this.created = emitted;
      this.registerOutputs({ object: this.object, created: this.created });
    } catch (e) {
      refused(this, e, ["object", "created"]);
    }
  }
}

export function interopConfigResource(name: string, a: pulumi.Unwrap<InteropConfigArgs>): InteropConfigResource {
  return {
    apiVersion: KUSCIA_API_VERSION,
    kind: "InteropConfig",
    metadata: compact({ name: a.name ?? name, labels: a.labels, annotations: a.annotations }),
    spec: { host: a.host, members: a.members },
  };
}
