import * as pulumi from "@pulumi/pulumi";
import { refused } from "./refusal";
import type * as k8s from "@pulumi/kubernetes";
import {
  CROSS_DOMAIN,
  KUSCIA_API_VERSION,
  deploymentName,
  expandKusciaDeployment,
  kusciaDeploymentStatus,
  type AppImageResource,
  type KusciaDeploymentContext,
  type KusciaDeploymentPhase,
  type KusciaDeploymentResource,
  type PartyStatus,
} from "../policy/expand";
import { createCustomResource, createNative, family, mergeDependsOn, objectRef, whenCreated, type Family, type ReadinessArgs } from "./children";
import { emitMode, emitsCustomResource, emitsNative, type Emit } from "./emit";
import { isKnown, settle } from "./known";
import { checkGivenTargets } from "./references";
import { APPIMAGE } from "../policy/preflight";
import { KusciaValidationError, admitOrThrow, compact, reviewFindings, warnAll, withoutSubject } from "./validate";

export interface PartyContainerArgs {
  /** Name of the AppImage deploy template container to override; containers are matched by name. */
  name: pulumi.Input<string>;
  /** Requests and limits replacing the AppImage's for that container. */
  resources?: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
}

export interface PartyPodSpecArgs {
  /** Per-container overrides (only `resources` is used by Kuscia). */
  containers?: pulumi.Input<pulumi.Input<PartyContainerArgs>[]>;
  /** Pod affinity replacing the AppImage's; pod (anti-)affinity terms are pinned to this deployment's pods. */
  affinity?: pulumi.Input<k8s.types.input.core.v1.Affinity>;
}

export interface PartyTemplateArgs {
  /** Replicas of the party's Deployment. Default: the AppImage deploy template's, else 1. */
  replicas?: pulumi.Input<number>;
  /** Deployment strategy. Default: RollingUpdate with maxSurge and maxUnavailable 25%. */
  strategy?: pulumi.Input<k8s.types.input.apps.v1.DeploymentStrategy>;
  /** Pod overrides. */
  spec?: pulumi.Input<PartyPodSpecArgs>;
}

export interface KusciaDeploymentPartyArgs {
  /** The party's domain ID; its Deployment goes to the namespace of that name. */
  domainID: pulumi.Input<string>;
  /** Name of the AppImage the party runs. */
  appImageRef: pulumi.Input<string>;
  /** Role of the party; selects the AppImage deploy template and suffixes the Deployment name (`<name>-<role>`). */
  role?: pulumi.Input<string>;
  /** Prefix of the party's Service names instead of the Deployment name; `^[a-z]([-a-z0-9]{0,46}[a-z0-9])?$`. */
  serviceNamePrefix?: pulumi.Input<string>;
  /** Overrides of the AppImage deploy template. */
  template?: pulumi.Input<PartyTemplateArgs>;
}

export interface KusciaDeploymentArgs extends ReadinessArgs {
  /** Name of the KusciaDeployment (and of each party's Deployment). Default: the resource name. */
  name?: pulumi.Input<string>;
  /** Namespace of the custom resource; Kuscia only reconciles `cross-domain` (the default). */
  namespace?: pulumi.Input<string>;
  /** Labels of the custom resource; `kuscia.secretflow/app-type: serving` also gives pods SERVING_ID. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations of the custom resource (`kuscia.secretflow/affinity-mode: none` drops the default anti-affinity). */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Domain ID of the initiating party; must be one of the parties. */
  initiator: pulumi.Input<string>;
  /** Application input, a JSON document serialised as a string (`JSON.stringify(...)`); default empty. */
  inputConfig?: pulumi.Input<string>;
  /** The parties; one Deployment per party of this cluster. */
  parties: pulumi.Input<pulumi.Input<KusciaDeploymentPartyArgs>[]>;
  /** AppImages the parties refer to, as plain objects (an AppImage component's `object`); required for `native`. */
  appImages?: pulumi.Input<pulumi.Input<AppImageResource>[]>;
  /** Domain IDs that are partner domains in this cluster: their parties are deployed by the partner, not here. */
  partnerDomains?: pulumi.Input<pulumi.Input<string>[]>;
  /** Fill the config templates' `{{.VAR}}` placeholders in the ConfigMaps (default true; false keeps them verbatim for Kuscia's agent). */
  renderConfigTemplates?: pulumi.Input<boolean>;
  /** What to create (default `native`): see {@link Emit}. */
  emit?: Emit;
}

interface Validated {
  kd: KusciaDeploymentResource;
  context: KusciaDeploymentContext & { appImages: AppImageResource[] };
}

interface Emitted {
  created: string[];
  parties: PartyStatus[];
  phase: KusciaDeploymentPhase;
}

/**
 * A Kuscia deployment: a long-running application across parties. `native`
 * creates, per party of this cluster, what the KusciaDeployment controller
 * creates (Services per Cluster/Domain port, the `<deployment>-configtemplate`
 * ConfigMap, the Deployment); `custom-resource` creates the KusciaDeployment.
 * The phase and per-party status come from the Deployments (native, both) or
 * from the custom resource's status (custom-resource).
 */
export class KusciaDeployment extends pulumi.ComponentResource {
  /** The KusciaDeployment custom resource as validated, with the rule book's defaults. */
  readonly object!: pulumi.Output<KusciaDeploymentResource>;
  /** `Kind/namespace/name` of every Kubernetes object created, once created. */
  readonly created!: pulumi.Output<string[]>;
  /** Per party of this cluster: phase, replicas and available replicas of its Deployment. */
  readonly partyStatuses!: pulumi.Output<PartyStatus[]>;
  /** Overall phase: Progressing, PartialAvailable, Available (or Failed, reported by Kuscia). */
  readonly phase!: pulumi.Output<KusciaDeploymentPhase>;

  constructor(name: string, args: KusciaDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:KusciaDeployment", name, {}, opts);
    try {
      const emit = emitMode("KusciaDeployment", name, args.emit, "native", this);
      const fam = family(this, name, opts, args);
      const early = emit === "custom-resource" && !isKnown(args) && (args.name === undefined || typeof args.name === "string") && (args.namespace === undefined || typeof args.namespace === "string");
      const { object, emitted } = settle(
        this,
        args,
        (a, secret): Validated => {
          const kd = admitOrThrow("KusciaDeployment", name, kusciaDeploymentResource(name, a), this, "", secret);
          const images = emitsNative(emit) ? (a.appImages ?? []).map((img) => admittedImage(name, img, this)) : [];
          return { kd, context: { appImages: images, partnerDomains: a.partnerDomains, renderConfigTemplates: a.renderConfigTemplates } };
        },
        (v, secret, argDeps) =>
          early ? pulumi.output({ created: [], parties: [], phase: "Progressing" } as Emitted) : this.emit(name, emit, v, secret, argDeps ? { ...fam, dependsOn: mergeDependsOn(fam.dependsOn, argDeps) } : fam),
        { kind: "KusciaDeployment", name, review: (a) => reviewFindings(kusciaDeploymentResource(name, a as pulumi.Unwrap<KusciaDeploymentArgs>)) },
      );
      this.object = object.apply((o) => o.kd);
      let result = emitted;
      if (early) {
        // The custom resource alone, named by plain values: made now, in every preview, its contents following the Output.
        const identity = { apiVersion: KUSCIA_API_VERSION, kind: "KusciaDeployment", metadata: { name: (args.name as string | undefined) ?? name, namespace: (args.namespace as string | undefined) ?? CROSS_DOMAIN } };
        const cr = createCustomResource(fam, this.object, {}, false, identity);
        const status = pulumi
          .all([this.object, (cr as unknown as { status: pulumi.Output<CrStatus | undefined> }).status])
          .apply(([kd, st]) => statusFromCustomResource(kd, st));
        result = pulumi.all([whenCreated([cr], [objectRef(identity)]), status]).apply(([created, st]) => ({ created, ...st }));
      }
      this.created = result.apply((e) => e.created);
      this.partyStatuses = result.apply((e) => e.parties);
      this.phase = result.apply((e) => e.phase);
      this.registerOutputs({ object: this.object, created: this.created, partyStatuses: this.partyStatuses, phase: this.phase });
    } catch (e) {
      refused(this, e, ["object", "created", "partyStatuses", "phase"]);
    }
  }

  private emit(name: string, emit: Emit, { kd, context }: Validated, secret: boolean, f: Family): pulumi.Output<Emitted> {
    const resources: pulumi.CustomResource[] = [];
    const refs: string[] = [];
    let status: pulumi.Output<Omit<Emitted, "created">> | undefined;
    if (emitsNative(emit)) {
      const ex = expandKusciaDeployment(kd, context);
      if (ex.errors.length > 0) throw new KusciaValidationError("KusciaDeployment", name, ex.errors.map((e) => withoutSubject("KusciaDeployment", e)), this, secret);
      warnAll("KusciaDeployment", name, ex.warnings, this);
      // The AppImages given are all the expansion uses: the checks that read them (ref.kd.template-container) run on them here when the program's own cannot (the provider).
      checkGivenTargets(kd, context.appImages, [APPIMAGE], { component: "KusciaDeployment", name, fieldPrefix: "", parent: this });
      const parties: pulumi.Output<Omit<PartyStatus, "phase">>[] = [];
      for (const o of ex.objects) {
        const r = createNative(f, o, {}, secret);
        resources.push(r);
        refs.push(objectRef(o));
        if (o.kind === "Deployment") {
          const party = kd.spec.parties.find((p) => p.domainID === o.metadata.namespace && deploymentName(kd.metadata.name, p.role) === o.metadata.name);
          const st = (r as k8s.apps.v1.Deployment).status;
          parties.push(
            st.apply((s) => ({
              domainID: o.metadata.namespace!,
              role: party?.role ?? "",
              deployment: o.metadata.name,
              replicas: s?.replicas ?? 0,
              availableReplicas: s?.availableReplicas ?? 0,
            })),
          );
        }
      }
      status = pulumi.all(parties).apply((ps) => {
        const s = kusciaDeploymentStatus({ parties: ps });
        return { parties: s.parties, phase: s.phase };
      });
    }
    if (emitsCustomResource(emit)) {
      const cr = createCustomResource(f, kd, {}, secret);
      resources.push(cr);
      refs.push(objectRef(kd));
      status ??= (cr as unknown as { status: pulumi.Output<CrStatus | undefined> }).status.apply((s) => statusFromCustomResource(kd, s));
    }
    return pulumi.all([whenCreated(resources, refs), status!]).apply(([created, s]) => ({ created, ...s }));
  }
}

interface CrStatus {
  phase?: string;
  reason?: string;
  message?: string;
  totalParties?: number;
  partyDeploymentStatuses?: Record<string, Record<string, { replicas?: number; availableReplicas?: number }>>;
}

/** Party statuses from what Kuscia reports in the custom resource's status. */
export function statusFromCustomResource(kd: KusciaDeploymentResource, s: CrStatus | undefined): Omit<Emitted, "created"> {
  const reported = s?.partyDeploymentStatuses ?? {};
  const parties = kd.spec.parties.flatMap((p) => {
    const dep = deploymentName(kd.metadata.name, p.role);
    const r = reported[p.domainID]?.[dep];
    return r ? [{ domainID: p.domainID, role: p.role ?? "", deployment: dep, replicas: r.replicas ?? 0, availableReplicas: r.availableReplicas ?? 0 }] : [];
  });
  const failed = s?.phase === "Failed" ? [s.message || s.reason || "Kuscia reports the deployment as Failed"] : [];
  const st = kusciaDeploymentStatus({ parties, totalParties: s?.totalParties ?? kd.spec.parties.length, errors: failed });
  return { parties: st.parties, phase: st.phase };
}

// The same AppImage object is typically handed to many KusciaDeployments; review it once.
const imageVerdicts = new WeakMap<object, AppImageResource>();

function admittedImage(kdName: string, img: AppImageResource, parent: pulumi.Resource): AppImageResource {
  const cached = imageVerdicts.get(img);
  if (cached) return cached;
  const admitted = admitOrThrow("KusciaDeployment", kdName, img, parent, `appImages[${JSON.stringify(img?.metadata?.name ?? "?")}].`);
  imageVerdicts.set(img, admitted);
  return admitted;
}

export function kusciaDeploymentResource(name: string, a: pulumi.Unwrap<KusciaDeploymentArgs>): KusciaDeploymentResource {
  return {
    apiVersion: KUSCIA_API_VERSION,
    kind: "KusciaDeployment",
    metadata: compact({ name: a.name ?? name, namespace: a.namespace ?? CROSS_DOMAIN, labels: a.labels, annotations: a.annotations }),
    spec: {
      initiator: a.initiator,
      inputConfig: a.inputConfig ?? "",
      parties: (a.parties ?? []).map((p) =>
        compact({
          domainID: p.domainID,
          appImageRef: p.appImageRef,
          role: p.role,
          serviceNamePrefix: p.serviceNamePrefix,
          template: p.template
            ? compact({
                replicas: p.template.replicas,
                strategy: p.template.strategy,
                spec: p.template.spec
                  ? compact({
                      containers: p.template.spec.containers?.map((c) => compact({ name: c.name, resources: c.resources })),
                      affinity: p.template.spec.affinity,
                    })
                  : undefined,
              })
            : undefined,
        }),
      ),
    },
  };
}
