import * as pulumi from "@pulumi/pulumi";
import { refused } from "../refusal";
import * as k8s from "@pulumi/kubernetes";
import { expandIflearnerJob, IFLEARNER_API_VERSION, type IflearnerJobResource, type IflearnerRole } from "../../policy/expand/iflearner";
import { createCustomResource, family, mergeDependsOn, objectRef, whenCreated, type Family, type ReadinessArgs } from "../children";
import { emitMode, emitsCustomResource, emitsNative, type Emit } from "../emit";
import { settle } from "../known";
import { admitOrThrow, compact, reviewFindings } from "../validate";
import { createObject, type KubeObject } from "./objects";

export interface IflearnerJobArgs extends ReadinessArgs {
  /** Job name (Pod, Service and Ingress are named after it): a DNS-1035 label. Default: the resource name. */
  name?: pulumi.Input<string>;
  /** Namespace; default the provider's. */
  namespace?: pulumi.Input<string>;
  /** `server` (the aggregator) or `client` (a party). */
  role: pulumi.Input<IflearnerRole>;
  /** Host the Ingress serves, e.g. `job1.server.iflearner.com` or `job1.a.party.iflearner.com`; required. */
  host: pulumi.Input<string>;
  /** The pod: at least one container; the aggregator listens on 50001 (gRPC) and 50002 (HTTP). */
  template: pulumi.Input<k8s.types.input.core.v1.PodTemplateSpec>;
  /** Labels of the IflearnerJob custom resource. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations of the IflearnerJob custom resource. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** `native` (default): what the operator creates; `custom-resource`: the IflearnerJob for the operator; `both`. */
  emit?: Emit;
}

interface Emitted {
  created: string[];
  ingressAddress?: string;
}

/**
 * An Iflearner job. `native` creates what the Iflearner operator creates, in
 * current APIs: Pod `<name>` (label app=<name>; a client also mounts the
 * trust ConfigMaps `server-iflearner-crt` and `party-iflearner-crt`), Service
 * `<name>` (grpc 80→50001, and http 82→50002 for the server) and a
 * `networking.k8s.io/v1` Ingress for ingress-nginx (class `nginx`, gRPC
 * backend, TLS with `server-iflearner-secret` or `party-iflearner-secret`).
 * The job is reviewed by the rule book first.
 */
export class IflearnerJob extends pulumi.ComponentResource {
  /** The IflearnerJob as admitted by the rule book. */
  readonly object!: pulumi.Output<IflearnerJobResource>;
  /** Host the job's Ingress serves. */
  readonly host!: pulumi.Output<string>;
  /** `Kind/namespace/name` of every Kubernetes object created, once created. */
  readonly created!: pulumi.Output<string[]>;
  /** Address the ingress controller reports for the Ingress (IP or host name), when it does. */
  readonly ingressAddress!: pulumi.Output<string | undefined>;

  constructor(name: string, args: IflearnerJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:IflearnerJob", name, {}, opts);
    try {
      const emit = emitMode("IflearnerJob", name, args.emit, "native", this);
      // The component's dependsOn (e.g. a federation's Secret and ConfigMaps) reaches every child.
      const fam = family(this, name, opts, args);
      const { object, emitted } = settle(
        this,
        args,
        (a, secret) => admitOrThrow("IflearnerJob", name, iflearnerJobResource(name, a), this, "", secret),
        (job, _secret, argDeps) => this.emit(emit, job, argDeps ? { ...fam, dependsOn: mergeDependsOn(fam.dependsOn, argDeps) } : fam),
        { kind: "IflearnerJob", name, review: (a) => reviewFindings(iflearnerJobResource(name, a as pulumi.Unwrap<IflearnerJobArgs>)) },
      );
      this.object = object;
      this.host = object.apply((o) => o.spec.host);
      this.created = emitted.apply((e) => e.created);
      this.ingressAddress = emitted.apply((e) => e.ingressAddress);
      this.registerOutputs({ object: this.object, host: this.host, created: this.created, ingressAddress: this.ingressAddress });
    } catch (e) {
      refused(this, e, ["object", "host", "created", "ingressAddress"]);
    }
  }

  private emit(emit: Emit, job: IflearnerJobResource, f: Family): pulumi.Output<Emitted> {
    const resources: pulumi.CustomResource[] = [];
    const refs: string[] = [];
    let address: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (emitsNative(emit)) {
      for (const o of expandIflearnerJob(job)) {
        const r = createObject(f, o as KubeObject);
        resources.push(r);
        refs.push(objectRef(o));
        if (o.kind === "Ingress") {
          address = (r as k8s.networking.v1.Ingress).status.apply((s) => {
            const lb = s?.loadBalancer?.ingress?.[0];
            return lb?.ip || lb?.hostname || undefined;
          });
        }
      }
    }
    if (emitsCustomResource(emit)) {
      resources.push(createCustomResource(f, job as never));
      refs.push(objectRef(job));
    }
    return pulumi.all([whenCreated(resources, refs), address]).apply(([created, ingressAddress]) => ({ created, ingressAddress }));
  }
}

export function iflearnerJobResource(name: string, a: pulumi.Unwrap<IflearnerJobArgs>): IflearnerJobResource {
  return {
    apiVersion: IFLEARNER_API_VERSION,
    kind: "IflearnerJob",
    metadata: compact({ name: a.name ?? name, namespace: a.namespace, labels: a.labels, annotations: a.annotations }),
    spec: { role: a.role, host: a.host, template: a.template },
  };
}
