import * as pulumi from "@pulumi/pulumi";
import { refused } from "./refusal";
import type * as k8s from "@pulumi/kubernetes";
import { LABEL, expandDomain, KUSCIA_API_VERSION, type DomainResource, type InterConnProtocol } from "../policy/expand";
import { createCustomResource, createNative, family, mergeDependsOn, objectRef, whenCreated, type ReadinessArgs } from "./children";
import { emitMode, emitsCustomResource, emitsNative, type Emit } from "./emit";
import { isKnown, settle } from "./known";
import { admitOrThrow, compact, reviewFindings, warnAll } from "./validate";

export interface DomainAuthCenterArgs {
  /** How the master authenticates this domain's nodes: `Token`, `MTLS` or `None`. */
  authenticationType: pulumi.Input<"Token" | "MTLS" | "None">;
  /** How tokens are generated: `RSA-GEN`, `RAND-GEN` or `UID-RSA-GEN`. */
  tokenGenMethod?: pulumi.Input<"RSA-GEN" | "RAND-GEN" | "UID-RSA-GEN">;
}

export interface DomainResourceQuotaArgs {
  /** Most pods the domain's namespace may run; becomes ResourceQuota `resource-limitation` (local domains only). */
  podMaxCount?: pulumi.Input<number>;
}

export interface DomainArgs extends ReadinessArgs {
  /** The domain ID (Domain and Namespace name): an RFC 1123 label, not a reserved name. Default: the resource name. */
  name?: pulumi.Input<string>;
  /** `"partner"` for a peer-to-peer partner node; empty or unset for a domain of this cluster. */
  role?: pulumi.Input<"" | "partner">;
  /** Base64 of the domain's PEM certificate (RSA, at least 2048 bits); required for partners. */
  cert?: pulumi.Input<string>;
  /** Interconnection protocols, `kuscia` or `bfia`; only the first is used. Default `["kuscia"]`. */
  interConnProtocols?: pulumi.Input<pulumi.Input<InterConnProtocol>[]>;
  /** Master domain ID of a partner that is not its own master. Kuscia fills it for partners when unset. */
  master?: pulumi.Input<string>;
  /** Authentication of this domain's nodes by the master; makes Kuscia create a ClusterDomainRoute to it. */
  authCenter?: pulumi.Input<DomainAuthCenterArgs>;
  /** Pod quota of the domain's namespace. */
  resourceQuota?: pulumi.Input<DomainResourceQuotaArgs>;
  /** Labels of the Domain custom resource. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations of the Domain custom resource. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** What to create (default `native`): see {@link Emit}. */
  emit?: Emit;
  /**
   * Keep the Namespace when the component is deleted (default true, as Kuscia keeps a deleted
   * domain's namespace: the pods and data of its jobs live there). false deletes it, and everything in it.
   */
  retainNamespace?: boolean;
}

/**
 * A Kuscia domain. `native` creates what Kuscia's domain controller creates:
 * Namespace `<domain>` (kept when the component is deleted, as Kuscia keeps
 * it, unless `retainNamespace: false`), the domain's Role, ServiceAccount and
 * RoleBindings, and for local domains ConfigMap `domain-config` and
 * ResourceQuota `resource-limitation`. Except for a partner of a
 * peer-to-peer node, it also binds ServiceAccount `<domain>` to ClusterRole
 * `domain-cluster-res` (ClusterRoleBinding `<domain>`): that ClusterRole is
 * Kuscia's own (its control plane installs it) and is not created here.
 * Every namespaced child depends on the Namespace.
 * `custom-resource` creates the Domain for Kuscia to reconcile; the fields
 * Kuscia writes back (`spec.master`, the `domain-auth` label) are ignored.
 */
export class Domain extends pulumi.ComponentResource {
  /** The domain ID; depends on the objects created, so a resource using it waits for them. */
  readonly domainId!: pulumi.Output<string>;
  /** The domain's namespace (named after the domain); depends on the Namespace (native) or the Domain (custom-resource). */
  readonly namespace!: pulumi.Output<string>;
  /** The Domain custom resource as validated, with the rule book's defaults. */
  readonly object!: pulumi.Output<DomainResource>;
  /** `Kind/namespace/name` of every Kubernetes object created, once created. */
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: DomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:Domain", name, {}, opts);
    try {
      const emit = emitMode("Domain", name, args.emit, "native", this);
      const masterGiven = args.master !== undefined;
      const fam = family(this, name, opts, args);
      const retain = args.retainNamespace ?? true;
      const ignoreChanges = [`metadata.labels["${LABEL.domainAuth}"]`];
      if (!masterGiven) ignoreChanges.push("spec.master");
      // The custom resource alone, named by a plain `name`: made now, in every preview, its contents following the Output.
      const early = emit === "custom-resource" && !isKnown(args) && (args.name === undefined || typeof args.name === "string");
      let namespaceName: pulumi.Output<string> | undefined;
      const { object, emitted } = settle(
        this,
        args,
        (a, secret) => admitOrThrow("Domain", name, domainResource(name, a), this, "", secret),
        (d, secret, argDeps) => {
          const f = argDeps ? { ...fam, dependsOn: mergeDependsOn(fam.dependsOn, argDeps) } : fam;
          const resources: pulumi.CustomResource[] = [];
          const refs: string[] = [];
          if (emitsNative(emit)) {
            const ex = expandDomain(d);
            warnAll("Domain", name, ex.warnings, this);
            const nsObject = ex.objects.find((o) => o.kind === "Namespace")!;
            const ns = createNative(f, nsObject, { retainOnDelete: retain }, secret);
            namespaceName ??= (ns as k8s.core.v1.Namespace).metadata.name;
            resources.push(ns);
            refs.push(objectRef(nsObject));
            for (const o of ex.objects.filter((x) => x !== nsObject)) {
              // Namespaced children wait for their Namespace (and are deleted before it).
              resources.push(createNative(f, o, o.metadata.namespace ? { dependsOn: [ns] } : {}, secret));
              refs.push(objectRef(o));
            }
          }
          if (emitsCustomResource(emit) && !early) {
            resources.push(createCustomResource(f, d, { ignoreChanges }, secret));
            refs.push(objectRef(d));
          }
          return whenCreated(resources, refs);
        },
        { kind: "Domain", name, review: (a) => reviewFindings(domainResource(name, a as pulumi.Unwrap<DomainArgs>)) },
      );
      const made: pulumi.Output<string[]>[] = [emitted];
      if (early) {
        const identity = { apiVersion: KUSCIA_API_VERSION, kind: "Domain", metadata: { name: (args.name as string | undefined) ?? name } };
        const cr = createCustomResource(fam, object, { ignoreChanges }, false, identity);
        made.push(whenCreated([cr], [objectRef(identity)]));
      }
      this.object = object;
      this.created = pulumi.all(made).apply((l) => l.flat());
      // Both carry the resources' dependencies: a resource given `domain.domainId` waits for the domain's objects.
      this.domainId = pulumi.all([object, this.created]).apply(([d]) => d.metadata.name);
      this.namespace = namespaceName ? pulumi.all([namespaceName, this.created]).apply(([n]) => n) : this.domainId;
      this.registerOutputs({ domainId: this.domainId, namespace: this.namespace, object: this.object, created: this.created });
    } catch (e) {
      refused(this, e, ["domainId", "namespace", "object", "created"]);
    }
  }
}

export function domainResource(name: string, a: pulumi.Unwrap<DomainArgs>): DomainResource {
  return {
    apiVersion: KUSCIA_API_VERSION,
    kind: "Domain",
    metadata: compact({ name: a.name ?? name, labels: a.labels, annotations: a.annotations }),
    spec: compact({
      role: a.role,
      master: a.master,
      interConnProtocols: a.interConnProtocols,
      cert: a.cert,
      authCenter: a.authCenter,
      resourceQuota: a.resourceQuota,
    }),
  };
}
