import * as pulumi from "@pulumi/pulumi";
import { refused } from "./refusal";
import type * as k8s from "@pulumi/kubernetes";
import { KUSCIA_API_VERSION, type AppImageResource } from "../policy/expand";
import { createCustomResource, family, mergeDependsOn, objectRef, whenCreated, type ReadinessArgs } from "./children";
import { emitMode, emitsCustomResource, type Emit } from "./emit";
import { settle } from "./known";
import { admitOrThrow, compact, reviewFindings } from "./validate";

export interface AppImageImageArgs {
  /** Image repository, e.g. `secretflow/serving-anolis8`. */
  name: pulumi.Input<string>;
  /** Image tag, e.g. `latest` (a string: quote numeric tags). */
  tag: pulumi.Input<string>;
  /** Image ID; set as the pods' `kuscia.secretflow/image-id` annotation. */
  id?: pulumi.Input<string>;
  /** Image signature. */
  sign?: pulumi.Input<string>;
}

export interface AppImagePortArgs {
  /** Port name, unique in the deploy template; names the port's Service `<deployment>-<name>`. */
  name: pulumi.Input<string>;
  /** Port number the application listens on. */
  port?: pulumi.Input<number>;
  /** `HTTP` (default) or `GRPC`. */
  protocol?: pulumi.Input<"HTTP" | "GRPC">;
  /** Who may reach it: `Cluster` (other domains, through the gateway), `Domain` (the domain's namespace) or `Local` (the pod only, the default, no Service). */
  scope?: pulumi.Input<"Cluster" | "Domain" | "Local">;
}

export interface AppImageConfigMountArgs {
  /** Where the rendered file appears in the container. */
  mountPath: pulumi.Input<string>;
  /** Key of `configTemplates` to mount. */
  subPath: pulumi.Input<string>;
}

export interface AppImageContainerArgs {
  /** Container name; party overrides refer to it. */
  name: pulumi.Input<string>;
  /** Entrypoint. */
  command?: pulumi.Input<pulumi.Input<string>[]>;
  /** Arguments. */
  args?: pulumi.Input<pulumi.Input<string>[]>;
  /** Working directory (required, as in the AppImage CRD). */
  workingDir: pulumi.Input<string>;
  /** Config templates mounted as files, rendered for each party. */
  configVolumeMounts?: pulumi.Input<pulumi.Input<AppImageConfigMountArgs>[]>;
  /** Named ports; Cluster and Domain ports get a headless Service each. */
  ports?: pulumi.Input<pulumi.Input<AppImagePortArgs>[]>;
  /** Environment variables (Kuscia appends its own: KUSCIA_DOMAIN_ID, CLUSTER_DEFINE, ...). */
  env?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.EnvVar>[]>;
  /** Environment sources. */
  envFrom?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.EnvFromSource>[]>;
  /** Requests and limits (a party may override them). */
  resources?: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
  /** Liveness probe. */
  livenessProbe?: pulumi.Input<k8s.types.input.core.v1.Probe>;
  /** Readiness probe. */
  readinessProbe?: pulumi.Input<k8s.types.input.core.v1.Probe>;
  /** Startup probe. */
  startupProbe?: pulumi.Input<k8s.types.input.core.v1.Probe>;
  /** Metrics endpoint (`path`, and `port`: a port name) for Prometheus scraping annotations. */
  metricProbe?: pulumi.Input<{ path?: pulumi.Input<string>; port?: pulumi.Input<string> }>;
  /** Image pull policy; default IfNotPresent. */
  imagePullPolicy?: pulumi.Input<string>;
  /** Security context (Kuscia honours `privileged` only). */
  securityContext?: pulumi.Input<k8s.types.input.core.v1.SecurityContext>;
}

export interface AppImageNetworkPolicyArgs {
  /** Which party roles may reach which ports (by port name). */
  ingresses: pulumi.Input<pulumi.Input<{ from: pulumi.Input<{ roles: pulumi.Input<pulumi.Input<string>[]> }>; ports: pulumi.Input<pulumi.Input<{ port: pulumi.Input<string> }>[]> }>[]>;
}

export interface AppImageDeployTemplateArgs {
  /** Template name, unique per role. */
  name: pulumi.Input<string>;
  /** Comma-separated party roles this template serves; unset serves every role. */
  role?: pulumi.Input<string>;
  /** Default replicas of the Deployment (default 1). */
  replicas?: pulumi.Input<number>;
  /** Access of other parties' roles to Cluster ports. */
  networkPolicy?: pulumi.Input<AppImageNetworkPolicyArgs>;
  /** The pod. */
  spec: pulumi.Input<{
    /** Containers (at least one). */
    containers?: pulumi.Input<pulumi.Input<AppImageContainerArgs>[]>;
    /** Pod affinity (a party may override it). */
    affinity?: pulumi.Input<k8s.types.input.core.v1.Affinity>;
    /** Restart policy as written in upstream AppImages; Deployments ignore it. */
    restartPolicy?: pulumi.Input<string>;
  }>;
}

export interface AppImageArgs extends ReadinessArgs {
  /** AppImage name, a DNS-1123 subdomain; parties refer to it in `appImageRef`. Default: the resource name. */
  name?: pulumi.Input<string>;
  /** Labels of the AppImage custom resource. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations of the AppImage custom resource. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The container image. */
  image: pulumi.Input<AppImageImageArgs>;
  /** Config file templates by file name, with `{{.VAR}}` placeholders Kuscia fills per party. */
  configTemplates?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Deploy templates (at least one). */
  deployTemplates: pulumi.Input<pulumi.Input<AppImageDeployTemplateArgs>[]>;
  /** What to create (default `native`): see {@link Emit}. */
  emit?: Emit;
}

/**
 * An application image and how to deploy it. An AppImage has no native form of
 * its own: with `native` nothing is created and the validated AppImage is
 * only data (`object`) for KusciaDeployment components to expand; with
 * `custom-resource` or `both` the AppImage custom resource is created.
 */
export class AppImage extends pulumi.ComponentResource {
  /** The AppImage name. */
  readonly imageName!: pulumi.Output<string>;
  /** The AppImage as validated, with defaults; pass it in a KusciaDeployment's `appImages`. */
  readonly object!: pulumi.Output<AppImageResource>;
  /** `Kind/name` of the objects created (empty with `native`), once created. */
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:AppImage", name, {}, opts);
    try {
      const emit = emitMode("AppImage", name, args.emit, "native", this);
      const fam = family(this, name, opts, args);
      const { object, emitted } = settle(
        this,
        args,
        (a, secret) => admitOrThrow("AppImage", name, appImageResource(name, a), this, "", secret),
        (img, secret, argDeps) =>
          emitsCustomResource(emit)
            ? whenCreated([createCustomResource(argDeps ? { ...fam, dependsOn: mergeDependsOn(fam.dependsOn, argDeps) } : fam, img, {}, secret)], [objectRef(img)])
            : pulumi.output([] as string[]),
        { kind: "AppImage", name, review: (a) => reviewFindings(appImageResource(name, a as pulumi.Unwrap<AppImageArgs>)) },
      );
      this.object = object;
      this.imageName = object.apply((o) => o.metadata.name);
      this.created = emitted;
      this.registerOutputs({ imageName: this.imageName, object: this.object, created: this.created });
    } catch (e) {
      refused(this, e, ["imageName", "object", "created"]);
    }
  }
}

export function appImageResource(name: string, a: pulumi.Unwrap<AppImageArgs>): AppImageResource {
  return {
    apiVersion: KUSCIA_API_VERSION,
    kind: "AppImage",
    metadata: compact({ name: a.name ?? name, labels: a.labels, annotations: a.annotations }),
    spec: compact({ image: compact(a.image), configTemplates: a.configTemplates, deployTemplates: a.deployTemplates as AppImageResource["spec"]["deployTemplates"] }),
  };
}
