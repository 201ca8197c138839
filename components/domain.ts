import * as pulumi from "@pulumi/pulumi";
import { LABEL, expandDomain, KUSCIA_API_VERSION, type DomainResource, type InterConnProtocol } from "../policy/expand";
import { createCustomResource, createNative, objectRef, whenCreated } from "./children";
import { emitMode, emitsCustomResource, emitsNative, type Emit } from "./emit";
import { settle } from "./known";
import { admitOrThrow, compact, warnAll } from "./validate";

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

export interface DomainArgs {
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
}

/**
 * A Kuscia domain. `native` creates what Kuscia's domain controller creates:
 * Namespace `<domain>` (kept when the component is deleted, as Kuscia keeps
 * it), the domain's Role, ServiceAccount and RoleBindings, and for local
 * domains ConfigMap `domain-config` and ResourceQuota `resource-limitation`.
 * `custom-resource` creates the Domain for Kuscia to reconcile; the fields
 * Kuscia writes back (`spec.master`, the `domain-auth` label) are ignored.
 */
export class Domain extends pulumi.ComponentResource {
  /** The domain ID. */
  readonly domainId: pulumi.Output<string>;
  /** The domain's namespace (named after the domain). */
  readonly namespace: pulumi.Output<string>;
  /** The Domain custom resource as validated, with the rule book's defaults. */
  readonly object: pulumi.Output<DomainResource>;
  /** `Kind/namespace/name` of every Kubernetes object created, once created. */
  readonly created: pulumi.Output<string[]>;

  constructor(name: string, args: DomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:Domain", name, {}, opts);
    const emit = emitMode("Domain", name, args.emit);
    const masterGiven = args.master !== undefined;
    const { object, emitted } = settle(
      args,
      (a) => admitOrThrow("Domain", name, domainResource(name, a), this),
      (d, secret) => {
        const resources: pulumi.CustomResource[] = [];
        const refs: string[] = [];
        if (emitsNative(emit)) {
          const ex = expandDomain(d);
          warnAll("Domain", name, ex.warnings, this);
          for (const o of ex.objects) {
            resources.push(createNative(name, o, { parent: this, retainOnDelete: o.kind === "Namespace" }, secret));
            refs.push(objectRef(o));
          }
        }
        if (emitsCustomResource(emit)) {
          const ignoreChanges = [`metadata.labels["${LABEL.domainAuth}"]`];
          if (!masterGiven) ignoreChanges.push("spec.master");
          resources.push(createCustomResource(name, d, { parent: this, ignoreChanges }, secret));
          refs.push(objectRef(d));
        }
        return whenCreated(resources, refs);
      },
    );
    this.object = object;
    this.domainId = object.apply((d) => d.metadata.name);
    this.namespace = this.domainId;
    this.created = emitted;
    this.registerOutputs({ domainId: this.domainId, namespace: this.namespace, object: this.object, created: this.created });
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
