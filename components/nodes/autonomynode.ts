import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { review } from "../../policy";
import type { ConfigMapObject } from "../../policy/expand";
import {
  nodeNames,
  domainKeyData,
  domainKeyPem,
  expandAutonomyNode,
  kubeconfigSecret,
  nodeConfigMap,
  nodeEndpoint,
  type AutonomyNodeSpec,
  type NodeCapacity,
  type NodeLogLevel,
  type NodeMode,
  type NodeProtocol,
  type NodeRuntime,
  type NodeSecrets,
} from "../../policy/expand/autonomy";
import { family, mergeDependsOn, nameChild, objectRef, secretOnceKnown, whenCreated, type ReadinessArgs } from "../children";
import { isKnown, judgeLater } from "../known";
import { refusing, refused } from "../refusal";
import { KusciaValidationError } from "../validate";
import { componentPolicy } from "../policy";
import { DeployToken, RsaKey, SelfSignedCertificate, secretType } from "../secrets";
import { createObject, skippingAwait, type KubeObject } from "./objects";

/** Rule of the rule book that needs the domain key; skipped while the key is still to be generated. */
const KEY_RULE = "nodeconfig.domain-key";
/** Pod template annotation that changes with kuscia.yaml, so the node restarts on a new configuration (subPath mounts never update). */
export const CONFIG_HASH_ANNOTATION = "kuscia-iac/config-sha256";

export interface KusciaAutonomyNodeArgs extends ReadinessArgs {
  /**
   * The node's domain ID (kuscia.yaml `domainID`). Plain, not an Input: it names the node's objects
   * and so the Pulumi resources, which must be known at construction to appear in every preview.
   */
  domainId: string;
  /** Namespace of the node and, with runk, of its task pods. Default `autonomy-<domainId>`. Plain. */
  namespace?: string;
  /** Create the namespace (default true); false reuses an existing one. */
  createNamespace?: boolean;
  /** Kuscia image; default the upstream `kuscia:latest`. */
  image?: pulumi.Input<string>;
  /**
   * MySQL DSN (`mysql://user:password@tcp(host:3306)/database?charset=utf8mb4&parseTime=True&loc=Local`);
   * the database name must not contain `-`. Kept secret. Unset: Kuscia's embedded SQLite in the pod.
   */
  datastore?: pulumi.Input<string>;
  /** Gateway and KusciaAPI protocol: NOTLS (default, as upstream), TLS or MTLS. */
  protocol?: pulumi.Input<NodeProtocol>;
  /** Where tasks run: `runk` (default: pods in `namespace`) or `runp` (processes in the Kuscia pod). Plain: it decides the RBAC objects. */
  runtime?: NodeRuntime;
  /** runk only: a kubeconfig for the cluster tasks run in, instead of this pod's service account (no Role is created then). Kept secret. */
  kubeconfig?: pulumi.Input<string>;
  /** Capacity Kuscia schedules against; runk default cpu 4, memory 4Gi, storage 100Gi, ephemeralStorage 200Gi. */
  capacity?: pulumi.Input<NodeCapacity>;
  /** The node's RSA private key, PEM or base64 of the PEM; PKCS#1 only (Kuscia refuses PKCS#8). Kept secret. Default: generated once and kept in the state. */
  domainKey?: pulumi.Input<string>;
  /** runk only: DNS servers of task pods. Default: the node Service's ClusterIP, as the upstream guide says to set. */
  dnsServers?: pulumi.Input<pulumi.Input<string>[]>;
  /** Log level; default INFO. */
  logLevel?: pulumi.Input<NodeLogLevel>;
  /**
   * Keep the Namespace when the node is deleted (default true: the task pods runk made and the node's
   * data live there, and deleting a namespace deletes them). false deletes it with everything in it.
   */
  retainNamespace?: boolean;
}

/** What lite and master nodes add to (or take from) an autonomy node's arguments, for the shared constructor. */
export interface NodeVariant {
  /** Component name in messages, e.g. `KusciaLiteNode`. */
  component: string;
  mode: NodeMode;
  /** lite: the master's gateway URL. */
  masterEndpoint?: pulumi.Input<string>;
  /** lite: the deploy token given; generated (a DeployToken) when undefined. */
  deployToken?: pulumi.Input<string>;
}

/** The arguments every node takes (an autonomy node's; lite and master nodes pass the subset they accept). */
export type NodeArgs = Omit<KusciaAutonomyNodeArgs, "runtime"> & { runtime?: NodeRuntime };

/** The node's outputs, made by its children. */
interface Built {
  created: pulumi.Output<string[]>;
  certificate: pulumi.Output<string>;
  certificatePem: pulumi.Output<string>;
  keyPem: pulumi.Output<string>;
  yaml: pulumi.Output<string>;
  /** lite: the deploy token (empty otherwise). */
  token: pulumi.Output<string>;
}

/** What {@link buildNode} hands back: the outputs every node has. */
export interface NodeOutputs {
  domainId: pulumi.Output<string>;
  namespace: pulumi.Output<string>;
  endpoint: pulumi.Output<string>;
  certificate: pulumi.Output<string>;
  certificatePem: pulumi.Output<string>;
  domainKeyPem: pulumi.Output<string>;
  kusciaYaml: pulumi.Output<string>;
  created: pulumi.Output<string[]>;
  /** lite: the deploy token. Secret. */
  deployToken: pulumi.Output<string>;
}

/** What a partner needs to know about a node, plus the provider for that node's own Kuscia API server. */
export interface PeerNode {
  domainId: pulumi.Input<string>;
  /** base64 of the node's PEM certificate. */
  certificate: pulumi.Input<string>;
  /** URL of the node's gateway, e.g. http://kuscia-autonomy-alice.autonomy-alice.svc.cluster.local:1080. */
  endpoint: pulumi.Input<string>;
  /** Provider for the node's Kuscia API server (the K3s inside the Kuscia pod). */
  provider: k8s.Provider;
}

/** The names of the outputs every Kuscia node component has (what a refused node's fields become, components/refusal.ts). */
export const NODE_OUTPUTS = ["domainId", "namespace", "endpoint", "certificate", "certificatePem", "domainKeyPem", "kusciaYaml", "created"] as const;

/**
 * The outputs every Kuscia node component has (autonomy, master, lite), set from
 * {@link buildNode}'s by {@link KusciaNode.publish}, which also registers them.
 */
export abstract class KusciaNode extends pulumi.ComponentResource {
  /** The node's domain ID; depends on the node's objects. */
  declare readonly domainId: pulumi.Output<string>;
  /** The node's namespace; depends on the Namespace when the node creates it. */
  declare readonly namespace: pulumi.Output<string>;
  /** The node's gateway URL: `http(s)://<node Service>.<namespace>.svc.cluster.local:1080`. */
  declare readonly endpoint: pulumi.Output<string>;
  /** base64 of the node certificate's PEM, as Domain.spec.cert wants it. */
  declare readonly certificate: pulumi.Output<string>;
  /** The node certificate's PEM (Kuscia's domain.crt). */
  declare readonly certificatePem: pulumi.Output<string>;
  /** The domain key's PEM. Secret. */
  declare readonly domainKeyPem: pulumi.Output<string>;
  /** The rendered kuscia.yaml. Secret: it holds the key (and the DSN or the deploy token). */
  declare readonly kusciaYaml: pulumi.Output<string>;
  /** `Kind/namespace/name` of every Kubernetes object created, once created. */
  declare readonly created: pulumi.Output<string[]>;

  /** Sets the outputs above from `out` (and `extra`, the variant's own), and registers them. */
  protected publish(out: NodeOutputs, extra: Record<string, pulumi.Output<unknown>> = {}): void {
    const outputs = {
      domainId: out.domainId,
      namespace: out.namespace,
      endpoint: out.endpoint,
      certificate: out.certificate,
      certificatePem: out.certificatePem,
      domainKeyPem: out.domainKeyPem,
      kusciaYaml: out.kusciaYaml,
      created: out.created,
      ...extra,
    };
    // The fields are `declare`d: assigned here once, for every variant, instead of in three constructors.
    Object.assign(this, outputs);
    this.registerOutputs(outputs);
  }
}

/**
 * A Kuscia autonomy node, as the upstream Kubernetes manifests deploy it:
 * Namespace, runk Role and RoleBinding (or a kubeconfig Secret), the
 * `kuscia.yaml` ConfigMap (labelled for the webhook, its data a secret),
 * Service and Deployment. The domain key is generated once unless given, and
 * a long-lived self-signed certificate (CN = domain ID) is made for it for
 * partners. The configuration is reviewed by the rule book: at construction
 * when the arguments are known, else before anything is created. Its
 * `endpoint` (`http(s)://kuscia-autonomy-<id>.<namespace>.svc.cluster.local:1080`)
 * is the gateway URL partners route to.
 */
export class KusciaAutonomyNode extends KusciaNode {
  private readonly plainDomainId: string;

  constructor(name: string, args: KusciaAutonomyNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:KusciaAutonomyNode", name, {}, opts);
    this.plainDomainId = args.domainId;
    try {
      this.publish(buildNode(this, name, args, opts, { component: "KusciaAutonomyNode", mode: "autonomy" }));
    } catch (e) {
      refused(this, e, NODE_OUTPUTS);
    }
  }

  /** This node as a peer for {@link NodePeering}, reached through `provider` (its own Kuscia API server). */
  asPeer(provider: k8s.Provider): PeerNode {
    // The plain ID: NodePeering names its objects with it, so they exist from construction.
    return { domainId: this.plainDomainId, certificate: this.certificate, endpoint: this.endpoint, provider };
  }
}

export function buildNode(self: pulumi.ComponentResource, name: string, args: NodeArgs, opts: pulumi.ComponentResourceOptions | undefined, v: NodeVariant): NodeOutputs {
    const COMPONENT = v.component;
    const fam = family(self, name, opts, args);
    const names = nodeNames(v.mode, args.domainId, args.namespace);
    const runtime: NodeRuntime | undefined = v.mode === "master" ? undefined : args.runtime ?? "runk";
    const runkKubeconfig = runtime === "runk" && args.kubeconfig !== undefined;
    if (args.kubeconfig !== undefined && runtime !== "runk") {
      throw new KusciaValidationError(COMPONENT, name, [`kubeconfig: is only used with runtime runk (the cluster runk creates task pods in); runtime is ${JSON.stringify(runtime)}`], self);
    }
    const publicArgs = { image: args.image, protocol: args.protocol, capacity: args.capacity, logLevel: args.logLevel, dnsServers: args.dnsServers, masterEndpoint: v.masterEndpoint };
    const spec = (p: pulumi.Unwrap<typeof publicArgs>): AutonomyNodeSpec => ({
      ...(v.mode === "autonomy" ? {} : { mode: v.mode }),
      ...(p.masterEndpoint === undefined ? {} : { masterEndpoint: p.masterEndpoint }),
      domainId: args.domainId,
      namespace: names.namespace,
      createNamespace: args.createNamespace,
      runtime,
      runkKubeconfig,
      image: p.image,
      protocol: p.protocol,
      capacity: p.capacity,
      logLevel: p.logLevel,
      dnsServers: p.dnsServers,
    });
    const given = args.domainKey !== undefined;

    // First review: everything but a key still to be generated and the default DNS server (the Service's
    // address). Children are made only once it passes: at construction when the arguments are known,
    // else when they resolve, so a refusal at apply time creates nothing (as `settle` does).
    const lite = v.mode === "lite";
    const first = { publicArgs, datastore: args.datastore, domainKey: args.domainKey, deployToken: v.deployToken };
    const admit = (a: pulumi.Unwrap<typeof first>): AutonomyNodeSpec => {
      const s = spec(a.publicArgs);
      const secrets: NodeSecrets = { datastoreEndpoint: a.datastore, domainKeyData: a.domainKey === undefined ? undefined : domainKeyData(a.domainKey) };
      // A token still to be generated is reviewed with the final ConfigMap.
      if (lite) secrets.liteDeployToken = a.deployToken ?? "to-be-generated";
      reviewNode(COMPONENT, name, s, secrets, { skipKeyRule: !given, warnOn: self, on: self });
      return s;
    };

    let namespaceOutput: pulumi.Output<string> | undefined;
    const build = (s: AutonomyNodeSpec, argDeps?: pulumi.Output<pulumi.Resource[]>): Built => {
      const f = argDeps ? { ...fam, dependsOn: mergeDependsOn(fam.dependsOn, argDeps) } : fam;
      // Named after the node's identity, not the component nor the provider: a rename keeps the key (see children.ts).
      const id = `${names.namespace}/${s.domainId}`;
      const child = (kind: "RsaKey" | "SelfSignedCertificate" | "DeployToken", formerly?: string): [string, pulumi.CustomResourceOptions] => {
        const n = nameChild(f, { id, type: secretType(kind), former: formerly ? [formerly] : [] });
        return [n.name, { parent: self, dependsOn: f.dependsOn, ...(n.aliases.length > 0 ? { aliases: n.aliases } : {}) }];
      };
      const key = given ? undefined : new RsaKey(...withArgs(child("RsaKey", `${name}-domain-key`), {}));
      const keyPem = pulumi.secret(key ? key.privateKeyPem : pulumi.output(args.domainKey!).apply(domainKeyPem));
      const keyData = pulumi.secret(key ? key.privateKeyBase64 : pulumi.output(args.domainKey!).apply(domainKeyData));
      // lite: the deploy token, given or generated once (named as the key is: `<namespace>/<domain>`).
      const token = lite ? pulumi.secret(v.deployToken !== undefined ? pulumi.output(v.deployToken) : new DeployToken(...withArgs(child("DeployToken"), {})).token) : undefined;

      const resources: pulumi.CustomResource[] = [];
      const refs: string[] = [];
      const add = (o: KubeObject, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResource => {
        const r = createObject(f, o, extra, o.kind === "Secret" ? ["stringData", "data"] : o.kind === "ConfigMap" ? ["data"] : []);
        resources.push(r);
        refs.push(objectRef(o));
        return r;
      };
      const objects = expandAutonomyNode(s, {}) as KubeObject[];
      const of = (kind: string) => objects.find((o) => o.kind === kind)!;

      const ns = objects.some((o) => o.kind === "Namespace") ? add(of("Namespace"), { retainOnDelete: args.retainNamespace ?? true }) : undefined;
      if (ns) namespaceOutput = (ns as k8s.core.v1.Namespace).metadata.name;
      const inNamespace: pulumi.CustomResourceOptions = ns ? { dependsOn: [ns] } : {};
      for (const o of objects.filter((x) => x.kind === "Role" || x.kind === "RoleBinding")) add(o, inNamespace);
      if (runkKubeconfig) add(kubeconfigSecret(s, pulumi.secret(args.kubeconfig!)) as unknown as KubeObject, inNamespace);
      // No await on the Service: it has no endpoints until the Deployment runs, and the ConfigMap the
      // Deployment mounts needs the Service's ClusterIP first (the task pods' DNS server).
      const service = add(skippingAwait(of("Service")), inNamespace) as k8s.core.v1.Service;

      const dns: pulumi.Output<string[] | undefined> =
        s.dnsServers !== undefined ? pulumi.output(s.dnsServers) : service.spec.apply((x) => (x?.clusterIP && x.clusterIP !== "None" ? [x.clusterIP] : undefined));
      // The final review: the ConfigMap exactly as applied, generated key and DNS server included.
      // Secret once known: see secretOnceKnown (a transform cannot hand back an unknown secret).
      const data = secretOnceKnown(
        pulumi.all([keyData, pulumi.output(args.datastore), dns, pulumi.output(token)]).apply(refusing(self, ([k, dsn, servers, t]: [string, string | undefined, string[] | undefined, string | undefined]) => {
          const secrets: NodeSecrets = { domainKeyData: k, datastoreEndpoint: dsn };
          if (t !== undefined) secrets.liteDeployToken = t;
          const cm = nodeConfigMap({ ...s, dnsServers: runtime === "runk" ? servers : undefined }, secrets);
          reviewNode(COMPONENT, name, s, secrets, { configMap: cm, on: self });
          return cm.data!;
        })),
      );
      add({ ...of("ConfigMap"), data }, { ...inNamespace, additionalSecretOutputs: ["data"] });

      // A digest reveals nothing of the configuration it is taken from, so it needs no secrecy.
      const hash = pulumi.unsecret(data.apply((d) => createHash("sha256").update(JSON.stringify(d)).digest("hex")));
      const dep = of("Deployment") as KubeObject & { spec: { template: { metadata: { annotations?: Record<string, string> } } } };
      const template = dep.spec.template;
      const depSpec = { ...dep.spec, template: { ...template, metadata: { ...template.metadata, annotations: hash.apply((h) => ({ ...(template.metadata.annotations ?? {}), [CONFIG_HASH_ANNOTATION]: h })) } } };
      add({ ...dep, spec: depSpec }, inNamespace);

      const cert = new SelfSignedCertificate(...withArgs(child("SelfSignedCertificate", `${name}-domain-cert`), { privateKeyPem: keyPem, commonName: s.domainId }));
      return { created: whenCreated(resources, refs), certificate: cert.certBase64, certificatePem: cert.certPem, keyPem, yaml: data.apply((d) => d["kuscia.yaml"]), token: token ?? pulumi.output("") };
    };

    let built: Built;
    let gate: pulumi.Output<AutonomyNodeSpec>;
    if (isKnown(first)) {
      const s = admit(first as pulumi.Unwrap<typeof first>);
      gate = pulumi.output(s);
      built = build(s);
    } else {
      // The verdict carries only the public spec: the secrets it read stay in the ConfigMap's data.
      // Made once the arguments resolve (documented): the objects' contents, and whether the rule book
      // allows them at all, are only known then. They depend on whatever the arguments came from.
      const given = pulumi.output(first);
      // What is known at preview is judged then (components/partial.ts), the rest once it resolves;
      // a refusal ends the operation (components/refusal.ts).
      const partial = {
        kind: COMPONENT,
        name,
        review: (a: unknown) => {
          const x = a as pulumi.Unwrap<typeof first>;
          const secrets: NodeSecrets = { datastoreEndpoint: x.datastore, domainKeyData: x.domainKey === undefined ? undefined : domainKeyData(x.domainKey) };
          if (lite) secrets.liteDeployToken = x.deployToken ?? "to-be-generated";
          const cm = nodeConfigMap(spec(x.publicArgs), secrets);
          const findings = review(cm, { config: componentPolicy() }).violations.filter((f) => !(!given && f.rule === KEY_RULE));
          return { object: cm, findings };
        },
      };
      gate = pulumi.unsecret(judgeLater(self, first, (a) => admit(a as pulumi.Unwrap<typeof first>), partial));
      const argDeps = given.apply(() => [] as pulumi.Resource[]);
      let once: Built | undefined;
      const later = <K extends keyof Built>(k: K) => gate.apply((s) => (once ??= build(s, argDeps))[k]) as unknown as Built[K];
      built = { created: later("created"), certificate: later("certificate"), certificatePem: later("certificatePem"), keyPem: later("keyPem"), yaml: later("yaml"), token: later("token") };
    }

    // Both carry the dependencies of the node's objects, so whatever uses them waits for the node.
    return {
      domainId: pulumi.all([pulumi.output(args.domainId), built.created]).apply(([d]) => d),
      namespace: namespaceOutput ? pulumi.all([namespaceOutput, built.created]).apply(([n]) => n) : pulumi.all([pulumi.output(names.namespace), built.created]).apply(([n]) => n),
      endpoint: gate.apply((s) => nodeEndpoint(s)),
      certificate: built.certificate,
      certificatePem: built.certificatePem,
      domainKeyPem: pulumi.secret(built.keyPem),
      kusciaYaml: pulumi.secret(built.yaml),
      created: built.created,
      deployToken: pulumi.secret(built.token),
    };
}

/** `[name, args, opts]` for a resource constructor, from `[name, opts]`. */
function withArgs<A>([name, opts]: [string, pulumi.CustomResourceOptions], args: A): [string, A, pulumi.CustomResourceOptions] {
  return [name, args, opts];
}

/**
 * Reviews the node ConfigMap with the rule book and throws its messages.
 * `skipKeyRule` leaves out the key rule while the key is still to be generated
 * (the generated key is reviewed with the final ConfigMap); `warnOn` logs the
 * rule book's warnings against that resource.
 */
function reviewNode(COMPONENT: string, name: string, spec: AutonomyNodeSpec, secrets: NodeSecrets, o: { skipKeyRule?: boolean; warnOn?: pulumi.Resource; on?: pulumi.Resource; configMap?: ConfigMapObject }): void {
  const result = review(o.configMap ?? nodeConfigMap(spec, secrets), { config: componentPolicy() });
  const violations = result.violations.filter((v) => !(o.skipKeyRule && v.rule === KEY_RULE));
  if (violations.length > 0) throw new KusciaValidationError(COMPONENT, name, violations.map((v) => v.message), o.on ?? o.warnOn);
  if (o.warnOn) for (const w of result.warnings) pulumi.log.warn(`${COMPONENT} ${JSON.stringify(name)}: ${w.message}`, o.warnOn);
}
