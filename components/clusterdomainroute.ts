import * as pulumi from "@pulumi/pulumi";
import { refused } from "./refusal";
import { KUSCIA_API_VERSION, type ClusterDomainRouteResource, type ClusterDomainRouteSpec } from "../policy/expand";
import { createCustomResource, family, mergeDependsOn, objectRef, whenCreated, type ReadinessArgs } from "./children";
import { emitMode, type Emit } from "./emit";
import { isKnown, settle } from "./known";
import { admitOrThrow, compact, reviewFindings } from "./validate";

export interface ClusterDomainRouteTokenConfigArgs {
  /** `RSA-GEN` (what join_to_host.sh uses) or `UID-RSA-GEN`. */
  tokenGenMethod: pulumi.Input<"RSA-GEN" | "UID-RSA-GEN">;
  /** Seconds between token rotations. */
  rollingUpdatePeriod?: pulumi.Input<number>;
  /** Base64 public key of the source; filled by Kuscia when unset. */
  sourcePublicKey?: pulumi.Input<string>;
  /** Base64 public key of the destination; filled by Kuscia when unset. */
  destinationPublicKey?: pulumi.Input<string>;
}

export interface ClusterDomainRouteMtlsArgs {
  /** Base64 of the source node's PEM client certificate; required for MTLS. */
  sourceClientCert?: pulumi.Input<string>;
  /** Base64 of the source node's private key (kept secret in state). */
  sourceClientPrivateKey?: pulumi.Input<string>;
  /** Base64 of the CA certificate that signs the destination. */
  tlsCA?: pulumi.Input<string>;
}

export interface ClusterDomainRouteEndpointArgs {
  /** Host name or address of the destination's gateway. */
  host?: pulumi.Input<string>;
  /** Named ports of the destination's gateway (distinct names). */
  ports?: pulumi.Input<pulumi.Input<{ name: pulumi.Input<string>; port: pulumi.Input<number>; protocol: pulumi.Input<"HTTP" | "GRPC">; isTLS?: pulumi.Input<boolean>; pathPrefix?: pulumi.Input<string> }>[]>;
}

export interface ClusterDomainRouteArgs extends ReadinessArgs {
  /** Route name. Default `<source>-<destination>`, the name Kuscia's scripts use. */
  name?: pulumi.Input<string>;
  /** Domain ID the traffic comes from. */
  source: pulumi.Input<string>;
  /** Domain ID the traffic goes to (different from source). */
  destination: pulumi.Input<string>;
  /** `Token` (needs `tokenConfig`), `MTLS` (needs `mTLSConfig.sourceClientCert`) or `None`. */
  authenticationType: pulumi.Input<"Token" | "MTLS" | "None">;
  /** `kuscia` or `bfia`. */
  interConnProtocol?: pulumi.Input<"kuscia" | "bfia">;
  /** Token authentication settings. */
  tokenConfig?: pulumi.Input<ClusterDomainRouteTokenConfigArgs>;
  /** Mutual TLS settings. */
  mTLSConfig?: pulumi.Input<ClusterDomainRouteMtlsArgs>;
  /** Where the destination is reached. */
  endpoint?: pulumi.Input<ClusterDomainRouteEndpointArgs>;
  /** Route through a third domain or a reverse tunnel. */
  transit?: pulumi.Input<{ transitMethod?: pulumi.Input<"THIRD-DOMAIN" | "REVERSE-TUNNEL">; domain?: pulumi.Input<{ domainID: pulumi.Input<string> }> }>;
  /** Body encryption (needs `tokenConfig`): `AES` or `SM4`. */
  bodyEncryption?: pulumi.Input<{ algorithm: pulumi.Input<"AES" | "SM4"> }>;
  /** Headers added to every request over the route. */
  requestHeadersToAdd?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Source addresses allowed to use the route. */
  sourceWhiteIPList?: pulumi.Input<pulumi.Input<string>[]>;
  /** Labels of the custom resource. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations of the custom resource. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** `custom-resource` (default) or `both`; a ClusterDomainRoute has no native form, so `native` is refused. */
  emit?: Emit;
}

/** The authorization between two domains' nodes. It stays a Kuscia custom resource: there is no native form. */
export class ClusterDomainRoute extends pulumi.ComponentResource {
  /** The route's name. */
  readonly routeName!: pulumi.Output<string>;
  /** The ClusterDomainRoute as validated, with defaults. */
  readonly object!: pulumi.Output<ClusterDomainRouteResource>;
  /** `Kind/name` of the custom resource, once created. */
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: ClusterDomainRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:ClusterDomainRoute", name, {}, opts);
    try {
      const emit = emitMode("ClusterDomainRoute", name, args.emit, "custom-resource", this);
      if (emit === "native") {
        throw new pulumi.ResourceError(
          `ClusterDomainRoute ${JSON.stringify(name)}: emit: "native" is not possible: a ClusterDomainRoute has no native Kubernetes form and stays a Kuscia custom resource; use emit "custom-resource"`,
          this,
          true,
        );
      }
      const fam = family(this, name, opts, args);
      // Named now when the name is: the route then exists from construction, in every preview.
      const knownName = typeof args.name === "string" ? args.name : args.name === undefined && typeof args.source === "string" && typeof args.destination === "string" ? `${args.source}-${args.destination}` : undefined;
      const early = !isKnown(args) && knownName !== undefined;
      const { object, emitted } = settle(
        this,
        args,
        (a, secret) => admitOrThrow("ClusterDomainRoute", name, clusterDomainRouteResource(name, a), this, "", secret),
        // A private key must not sit in the state in clear text, even when given as a plain string.
        (cdr, secret, argDeps) =>
          early
            ? pulumi.output([] as string[])
            : whenCreated([createCustomResource(argDeps ? { ...fam, dependsOn: mergeDependsOn(fam.dependsOn, argDeps) } : fam, cdr, {}, secret || !!cdr.spec.mTLSConfig?.sourceClientPrivateKey)], [objectRef(cdr)]),
        { kind: "ClusterDomainRoute", name, review: (a) => reviewFindings(clusterDomainRouteResource(name, a as pulumi.Unwrap<ClusterDomainRouteArgs>)) },
      );
      const made: pulumi.Output<string[]>[] = [emitted];
      if (early) {
        const identity = { apiVersion: KUSCIA_API_VERSION, kind: "ClusterDomainRoute", metadata: { name: knownName } };
        // Secret whenever a private key may be in it: its contents are not known yet.
        const secret = (args.mTLSConfig as { sourceClientPrivateKey?: unknown } | undefined)?.sourceClientPrivateKey !== undefined || pulumi.Output.isInstance(args.mTLSConfig);
        made.push(whenCreated([createCustomResource(fam, object, {}, secret, identity)], [objectRef(identity)]));
      }
      this.object = object;
      this.created = pulumi.all(made).apply((l) => l.flat());
      this.routeName = pulumi.all([object, this.created]).apply(([o]) => o.metadata.name);
      this.registerOutputs({ routeName: this.routeName, object: this.object, created: this.created });
    } catch (e) {
      refused(this, e, ["routeName", "object", "created"]);
    }
  }
}

export function clusterDomainRouteResource(name: string, a: pulumi.Unwrap<ClusterDomainRouteArgs>): ClusterDomainRouteResource {
  const spec: ClusterDomainRouteSpec = compact({
    source: a.source,
    destination: a.destination,
    interConnProtocol: a.interConnProtocol,
    authenticationType: a.authenticationType,
    tokenConfig: a.tokenConfig,
    mTLSConfig: a.mTLSConfig,
    endpoint: a.endpoint,
    transit: a.transit,
    bodyEncryption: a.bodyEncryption,
    requestHeadersToAdd: a.requestHeadersToAdd,
    sourceWhiteIPList: a.sourceWhiteIPList,
  });
  return {
    apiVersion: KUSCIA_API_VERSION,
    kind: "ClusterDomainRoute",
    metadata: compact({ name: a.name ?? (typeof a.source === "string" && typeof a.destination === "string" ? `${a.source}-${a.destination}` : name), labels: a.labels, annotations: a.annotations }),
    spec,
  };
}
