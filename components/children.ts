/**
 * Turning expanded plain objects into Pulumi Kubernetes resources parented to a component.
 *
 * Naming (see {@link nameChild}). A child's Pulumi name is the identity of the object it
 * manages, `<namespace>/<name>` or `<name>` (the kind is already in the URN's type): never the
 * component's name, and never the Kubernetes provider's. So, as for a plain pulumi-kubernetes
 * resource, the same cluster object keeps its URN whichever provider object reaches it: moving a
 * component from the default provider to an explicit one for the same cluster, or renaming the
 * provider, updates the children's provider in place (the Kubernetes provider's DiffConfig decides,
 * and replaces only when the cluster changes); renaming the component, with or without an alias,
 * updates their parent in place. Where one program manages objects of one name in two clusters
 * through components of one type, the later child carries `@<provider name>`: that is the one case
 * where the provider is in a name, and there the provider's own aliases become the child's.
 * Children made under every earlier scheme are found again through aliases: `<component>/<id>`
 * (native objects) and `<component>` (custom resources) from the first release, `<id>@<provider>`
 * from the release that named children by identity.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KusciaResource, NativeObject } from "../policy/expand";
import { defaultWaitFor, READINESS, readinessFailure } from "./ready";
import { secretType } from "./secrets/host";
import type { SecretKind } from "./secrets/generate";
import { isolateEngineChannels } from "./engine-channels";

// Every component reaches this module: from here on, no engine client of this process can pick up
// a dead engine's connection and end a program silently (engine-channels.ts says how).
isolateEngineChannels();

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped): how components list what they manage. */
export function objectRef(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

interface Named {
  metadata: { name: string; namespace?: string };
}

/** The identity of a Kubernetes object in its cluster: `<namespace>/<name>`, or `<name>` when cluster-scoped. */
export function objectId(o: Named): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** The name children had in the first release, `<component>/<namespace>/<name>` (native objects; for the migration alias). */
export function legacyChildName(component: string, o: Named): string {
  return `${component}/${objectId(o)}`;
}

/** Readiness options every component takes; they become the Kubernetes provider's annotations on each child. */
export interface ReadinessArgs {
  /** Do not wait for the objects to become ready (`pulumi.com/skipAwait`), e.g. a cluster that cannot run the image; also drops the Kuscia custom resources' default `waitFor`. */
  skipAwait?: boolean;
  /** Seconds to wait for each object to become ready (`pulumi.com/timeoutSeconds`); default the provider's (10 minutes). */
  timeoutSeconds?: number;
  /**
   * A readiness condition instead of the provider's own (`pulumi.com/waitFor`), e.g. `condition=Ready` or `jsonpath={.status.phase}=Running`.
   * Default for the Kuscia custom resources a component emits: the status upstream writes when they are ready
   * (components/ready.ts: a ClusterDomainRoute's condition Ready, a KusciaDeployment's phase Available, a DomainDataGrant's
   * phase Ready, a non-partner Domain's Ready node); other kinds and native objects: the provider's own.
   */
  waitFor?: string;
}

/** Annotations of the readiness options. */
export function readinessAnnotations(r: ReadinessArgs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (r?.skipAwait) out["pulumi.com/skipAwait"] = "true";
  if (r?.timeoutSeconds !== undefined) out["pulumi.com/timeoutSeconds"] = String(r.timeoutSeconds);
  if (r?.waitFor !== undefined) out["pulumi.com/waitFor"] = r.waitFor;
  return out;
}

/** What a component hands to each child: parent, the component's own dependsOn, the provider reaching them, readiness. */
export interface Family {
  parent: pulumi.ComponentResource;
  /** The component's resource name (for the first release's names, kept as aliases). */
  component: string;
  /** The component's dependsOn, which Pulumi does not apply to children by itself. */
  dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined;
  /** The Kubernetes provider given explicitly to the component or an ancestor; undefined: the default provider. */
  provider?: pulumi.ProviderResource;
  /**
   * A label every child's name carries, `<id>@<label>`, when one component reaches objects of one
   * name in several clusters (IflearnerFederation: the member). Never the provider's name.
   */
  label?: string;
  readiness: Record<string, string>;
}

/** The family of a component, right after its `super(...)` call. */
export function family(parent: pulumi.ComponentResource, component: string, opts: pulumi.ComponentResourceOptions | undefined, readiness?: ReadinessArgs): Family {
  return { parent, component, dependsOn: opts?.dependsOn, provider: kubernetesProvider(parent, opts), readiness: readinessAnnotations(readiness) };
}

/** The Kubernetes provider given to the component or one of its ancestors explicitly, if any. */
function kubernetesProvider(parent: pulumi.ComponentResource, opts: pulumi.ComponentResourceOptions | undefined): pulumi.ProviderResource | undefined {
  const explicit = opts?.provider ?? (Array.isArray(opts?.providers) ? opts?.providers.find((p) => (p as unknown as { pkg?: string }).pkg === "kubernetes") : (opts?.providers as Record<string, pulumi.ProviderResource> | undefined)?.kubernetes);
  const p = (explicit ?? parent.getProvider("kubernetes::x")) as (pulumi.ProviderResource & { pkg?: string }) | undefined;
  if (!p || (p.pkg !== undefined && p.pkg !== "kubernetes")) return undefined;
  return p;
}

/** The logical name of a provider (its Pulumi resource name). */
function providerName(p: pulumi.ProviderResource | undefined): string | undefined {
  return (p as unknown as { __name?: string } | undefined)?.__name;
}

/** The names a renamed provider had, from its `aliases` (each resolves to a URN; its last part is the name). */
function formerProviderNames(p: pulumi.ProviderResource | undefined): pulumi.Output<string>[] {
  const aliases = (p as unknown as { __aliases?: pulumi.Input<string>[] } | undefined)?.__aliases ?? [];
  return aliases.map((a) => pulumi.output(a).apply((urn) => String(urn).split("::").slice(3).join("::")));
}

// ---------------------------------------------------------------------------------------------
// Names already given in this program, to tell one object in two clusters apart (nameChild).
// ---------------------------------------------------------------------------------------------

const DEFAULT_PROVIDER = {};
const claimsByStack = new WeakMap<object, Map<string, object>>();
let claimsWithoutStack = new Map<string, object>();

function claims(): Map<string, object> {
  const stack = pulumi.runtime.getStackResource() as object | undefined;
  if (!stack) return claimsWithoutStack;
  let m = claimsByStack.get(stack);
  if (!m) claimsByStack.set(stack, (m = new Map()));
  return m;
}

/** Forgets the names given so far (tests: each test is a program of its own). */
export function resetChildNames(): void {
  claimsWithoutStack = new Map();
}

/** The types of `r` and its ancestors below the stack, as a URN qualifies a child's type. */
function typeChain(r: pulumi.Resource | undefined): string {
  const types: string[] = [];
  for (let x = r as unknown as { __pulumiType?: string; __parentResource?: unknown } | undefined; x && x.__pulumiType && x.__pulumiType !== "pulumi:pulumi:Stack"; x = x.__parentResource as typeof x) types.unshift(x.__pulumiType);
  return types.join("$");
}

/** A child's Pulumi name and the aliases of every name it had before. */
export interface ChildNaming {
  name: string;
  aliases: pulumi.Input<pulumi.Alias>[];
}

export interface ChildIdentity {
  /** What the child stands for in its cluster: `<namespace>/<name>` of an object, `<namespace>/<domain>` of a node's key... */
  id: string;
  /** The child's Pulumi type token (with the parent's type chain it decides whether two names collide). */
  type: string;
  /** Appended after the scope, for resources named after another (`-key` of a CA's key). */
  suffix?: string;
  /** Names the child had in the first release (`<component>/<id>`, `<component>`, `<component>-domain-key`...). */
  former?: readonly string[];
  /** The child was named `<id>@<provider>` under an explicit provider in the releases before this one (default true; false for names that never carried it). */
  providerScoped?: boolean;
}

/**
 * The Pulumi name of a child of `f`: `<id>` (`<id>@<label>` for a labelled family), the same
 * whichever provider object reaches the cluster. When an earlier child of this program, of the
 * same type under the same component types, already has that name through another provider (one
 * object name in two clusters), this one is `<id>@<provider name>` (`@default` for the default
 * provider) instead, and the provider's former names give it aliases: keep such components in
 * their order in the program. Through the same provider the name is kept, and Pulumi refuses the
 * duplicate URN as it would for any two resources of one name.
 *
 * Aliases: the first release's names (`former`), and under an explicit provider the previous
 * release's `<id>@<provider>` and `<id>@<former provider name>`.
 */
export function nameChild(f: Family, c: ChildIdentity): ChildNaming {
  const suffix = c.suffix ?? "";
  const labelled = f.label !== undefined ? `${c.id}@${f.label}` : c.id;
  const base = `${labelled}${suffix}`;
  const chain = typeChain(f.parent);
  const table = claims();
  const reach = f.provider ?? DEFAULT_PROVIDER;
  const key = (n: string) => `${chain}$${c.type}::${n}`;
  let name = base;
  let scoped = false;
  const holder = table.get(key(base));
  if (holder === undefined) table.set(key(base), reach);
  else if (holder !== reach) {
    name = `${labelled}@${providerName(f.provider) ?? "default"}${suffix}`;
    scoped = true;
    if (!table.has(key(name))) table.set(key(name), reach);
  }
  const aliases: pulumi.Input<pulumi.Alias>[] = [];
  const seen = new Set<string>([name]);
  const add = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    aliases.push({ name: n });
  };
  // A former name another child of this program now has is that child's, not this one's.
  for (const n of c.former ?? []) if (!table.has(key(n))) add(n);
  const pname = providerName(f.provider);
  if (f.provider && pname !== undefined && (scoped || (f.label === undefined && c.providerScoped !== false))) {
    add(`${labelled}@${pname}${suffix}`);
    for (const former of formerProviderNames(f.provider)) aliases.push({ name: former.apply((p) => `${labelled}@${p}${suffix}`) });
  }
  return { name, aliases };
}

/**
 * Names of a generated certificate (of `kind`) and its key (`<name>-key`), children of `f` standing
 * for `id`; `formerly` the first release's name of the certificate. `providerScoped`: the previous
 * release added `@<provider>` to this name (see {@link ChildIdentity}).
 */
export function pairNaming(f: Family, id: string, kind: Extract<SecretKind, "SelfSignedCertificate" | "IssuedCertificate">, formerly?: string, providerScoped = true): { cert: ChildNaming; key: ChildNaming } {
  return {
    key: nameChild(f, { id, suffix: "-key", type: secretType("RsaKey"), former: formerly ? [`${formerly}-key`] : [], providerScoped }),
    cert: nameChild(f, { id, type: secretType(kind), former: formerly ? [formerly] : [], providerScoped }),
  };
}

/** Options of a child named by `naming`: parent, the component's dependsOn plus `extra`'s, the naming's aliases plus `extra`'s. */
export function childOptions(f: Family, naming: ChildNaming, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  const aliases = [...naming.aliases, ...(extra.aliases ?? [])];
  return { ...extra, parent: f.parent, dependsOn: mergeDependsOn(f.dependsOn, extra.dependsOn), ...(aliases.length > 0 ? { aliases } : {}) };
}

type DependsOn = pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined;

/** Both lists of dependencies as one (plain when both are plain). */
export function mergeDependsOn(a: DependsOn, b: DependsOn): DependsOn {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const plain = (d: DependsOn): pulumi.Input<pulumi.Resource>[] | undefined => (Array.isArray(d) ? d : pulumi.Resource.isInstance(d) ? [d] : undefined);
  const pa = plain(a);
  const pb = plain(b);
  if (pa && pb) return [...pa, ...pb];
  return pulumi.all([pulumi.output(a as pulumi.Input<unknown>), pulumi.output(b as pulumi.Input<unknown>)]).apply(([x, y]) => [...([] as unknown[]).concat(x), ...([] as unknown[]).concat(y)]) as pulumi.Output<pulumi.Resource[]>;
}

/** `o` with the readiness annotations added (a no-op without any). */
export function withReadiness<T extends { metadata: { annotations?: unknown } }>(f: Family, o: T): T {
  if (Object.keys(f.readiness).length === 0) return o;
  return { ...o, metadata: { ...o.metadata, annotations: { ...((o.metadata.annotations as Record<string, string> | undefined) ?? {}), ...f.readiness } } };
}

/**
 * A Kuscia custom resource with the readiness annotations: the component's, and where it gives
 * neither `skipAwait` nor `waitFor`, the `pulumi.com/waitFor` of the kind's upstream status
 * (ready.ts), so `pulumi up` waits for a route or a Domain to become ready.
 */
export function withCustomResourceReadiness<T extends { kind: string; spec?: unknown; metadata: { annotations?: unknown } }>(f: Family, o: T): T {
  const given = f.readiness["pulumi.com/skipAwait"] !== undefined || f.readiness["pulumi.com/waitFor"] !== undefined;
  const waitFor = given ? undefined : defaultWaitFor(o);
  const ready = withReadiness(f, o);
  if (waitFor === undefined) return ready;
  return { ...ready, metadata: { ...ready.metadata, annotations: { ...((ready.metadata.annotations as Record<string, string> | undefined) ?? {}), "pulumi.com/waitFor": waitFor } } };
}

/**
 * `v` as a secret once it is known; while unknown (a fresh preview) a plain unknown. A transform
 * (a stack-wide one, or `transforms` on a component) cannot hand back an unknown secret with
 * @pulumi/pulumi 3.248: the SDK gives the transform `{<secret sig>, value: undefined}` and
 * serializes it back without its value, which the engine refuses (`malformed RPC secret: missing
 * value`), failing the preview. Nothing unknown can leak, and once known the value is a secret
 * before it is sent, so the state and the outputs are as with `pulumi.secret`.
 */
export function secretOnceKnown<T>(v: pulumi.Input<T>): pulumi.Output<pulumi.Unwrap<T>> {
  return pulumi.unsecret(pulumi.output(v)).apply((x) => pulumi.secret(x)) as unknown as pulumi.Output<pulumi.Unwrap<T>>;
}

/**
 * With `secret`, every field but apiVersion, kind and metadata becomes a secret
 * Input, so contents derived from secret arguments stay encrypted in the state.
 */
function guard<T extends object>(o: T, secret: boolean): T {
  if (!secret) return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = k === "apiVersion" || k === "kind" || k === "metadata" || v === undefined ? v : secretOnceKnown(v);
  return out as T;
}

/** The top-level fields `guard` makes secret. */
export function secretFields(o: object): string[] {
  return Object.entries(o)
    .filter(([k, v]) => k !== "apiVersion" && k !== "kind" && k !== "metadata" && v !== undefined)
    .map(([k]) => k);
}

/** How a native object child is named: its identity, the first release's `<component>/<id>` as an alias. */
export function nativeNaming(f: Family, o: Named & { apiVersion: string; kind: string }): ChildNaming {
  return nameChild(f, { id: objectId(o), type: kubeType(o), former: [legacyChildName(f.component, o)] });
}

export function createNative(f: Family, native: NativeObject, extra: pulumi.CustomResourceOptions = {}, secret = false): pulumi.CustomResource {
  const naming = nativeNaming(f, native);
  const name = naming.name;
  const o = guard(withReadiness(f, native), secret);
  const opts = childOptions(f, naming, extra);
  if (secret) keepSecret(kubeType(native), name, secretFields(o));
  switch (o.kind) {
    case "Namespace":
      return new k8s.core.v1.Namespace(name, o, opts);
    case "ResourceQuota":
      return new k8s.core.v1.ResourceQuota(name, o, opts);
    case "ConfigMap":
      return new k8s.core.v1.ConfigMap(name, o, opts);
    case "ServiceAccount":
      return new k8s.core.v1.ServiceAccount(name, o, opts);
    case "Service":
      return new k8s.core.v1.Service(name, o, opts);
    case "Deployment":
      return new k8s.apps.v1.Deployment(name, o, opts);
    case "Role":
      return new k8s.rbac.v1.Role(name, o, opts);
    case "RoleBinding":
      return new k8s.rbac.v1.RoleBinding(name, o, opts);
    case "ClusterRoleBinding":
      return new k8s.rbac.v1.ClusterRoleBinding(name, o, opts);
  }
}

/**
 * The Kuscia custom resource itself; `status` is requested as an output so components can read it back.
 * `identity` names it when the object is only known later (an Output): the resource then exists from
 * construction, in every preview, and its properties follow the Output.
 */
export function createCustomResource(
  f: Family,
  cr: KusciaResource | pulumi.Output<KusciaResource>,
  extra: pulumi.CustomResourceOptions = {},
  secret = false,
  identity?: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } },
): k8s.apiextensions.CustomResource {
  const id = identity ?? (cr as KusciaResource);
  // The first release named a component's custom resource after the component itself.
  const naming = nameChild(f, { id: objectId(id), type: `kubernetes:${id.apiVersion}:${id.kind}`, former: [f.component] });
  const name = naming.name;
  const opts = childOptions(f, naming, withReadinessHook(f, id.kind, extra));
  let props: Record<string, unknown>;
  if (pulumi.Output.isInstance(cr)) {
    const o = cr as pulumi.Output<KusciaResource>;
    const field = (k: string) => (secret ? secretOnceKnown(o.apply((x) => (x as unknown as Record<string, unknown>)[k])) : o.apply((x) => (x as unknown as Record<string, unknown>)[k]));
    // The identity plain, known at preview: a transform that rebuilds `metadata` (a team's labels)
    // sees it whole. As one Output it is unknown in a fresh preview, the transform gets an unknown
    // `metadata`, and the object loses its name (the provider then auto-names it after the child);
    // derived from secret arguments it is a secret, which a transform hands back malformed (its
    // fields spread into the secret's wire form). Labels and annotations hold no secret.
    const meta = o.apply((x) => withCustomResourceReadiness(f, x).metadata as { labels?: Record<string, string>; annotations?: Record<string, string> });
    const metadata = { name: id.metadata.name, ...(id.metadata.namespace !== undefined ? { namespace: id.metadata.namespace } : {}), labels: pulumi.unsecret(meta.apply((m) => m.labels)), annotations: pulumi.unsecret(meta.apply((m) => m.annotations)) };
    props = { apiVersion: id.apiVersion, kind: id.kind, metadata, spec: field("spec") };
    if (secret) keepSecret(`kubernetes:${id.apiVersion}:${id.kind}`, name, ["spec"]);
  } else {
    props = guard(withCustomResourceReadiness(f, cr as KusciaResource), secret) as unknown as Record<string, unknown>;
    if (secret) keepSecret(`kubernetes:${id.apiVersion}:${id.kind}`, name, secretFields(props));
  }
  return new k8s.apiextensions.CustomResource(name, { ...props, status: undefined } as unknown as k8s.apiextensions.CustomResourceArgs, opts);
}

// ---------------------------------------------------------------------------------------------
// Saying which condition a readiness wait waited for. The Kubernetes provider ends a wait that
// times out with `timed out waiting for the condition`; an error hook (the engine calls it when a
// create or update fails) adds which condition, what it means and what to do (ready.ts).
// ---------------------------------------------------------------------------------------------

const WAITING_KINDS = new Set(READINESS.map((r) => r.kind));
const hooksByStack = new WeakMap<object, pulumi.ErrorHook>();
let hookWithoutStack: pulumi.ErrorHook | undefined;

/**
 * Whether an engine that takes error hooks runs this program (it said so at start-up). Pulumi's
 * mocks claim to take them but never answer their registration, and a resource whose hook is not
 * registered is never registered itself: no hook then. Internal to the SDK, read defensively.
 */
function engineTakesErrorHooks(): boolean {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const state = require("@pulumi/pulumi/runtime/state") as { getStore?(): { supportsErrorHooks?: boolean } | undefined };
    const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor?(): unknown };
    const mocks = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor?: new (...a: never[]) => unknown };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const monitor = settings.getMonitor?.();
    if (monitor === undefined || (mocks.MockMonitor && monitor instanceof mocks.MockMonitor)) return false;
    return state.getStore?.()?.supportsErrorHooks === true;
  } catch {
    return false;
  }
}

/**
 * Runs a function in the program's context as it is now. The engine calls a hook through the
 * SDK's callback server, outside the program's asynchronous context: in an Automation API inline
 * program (each run has its own store of settings, kept in an AsyncLocalStorage) the hook would
 * find no engine and `pulumi.log` would print to the console instead of the engine. Internal to
 * the SDK (runtime/state.ts keeps the store in `global.asyncLocalStorage`), read defensively.
 */
function programContext(): (fn: () => void) => void {
  const storage = (globalThis as { asyncLocalStorage?: { getStore(): unknown; run(store: unknown, fn: () => void): void } }).asyncLocalStorage;
  const store = storage?.getStore();
  return store === undefined || !storage ? (fn) => fn() : (fn) => storage.run(store, fn);
}

/** The program's error hook explaining a readiness wait that failed, if the engine takes hooks. */
function readinessHook(): pulumi.ErrorHook | undefined {
  if (!engineTakesErrorHooks()) return undefined;
  const stack = pulumi.runtime.getStackResource() as object | undefined;
  const known = stack ? hooksByStack.get(stack) : hookWithoutStack;
  if (known) return known;
  const inProgram = programContext();
  const hook = new pulumi.ErrorHook("kuscia-iac-readiness", (args) => {
    const inputs = (args.newInputs ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; annotations?: Record<string, unknown> } };
    const meta = inputs.metadata ?? {};
    const name = typeof meta.namespace === "string" ? `${meta.namespace}/${String(meta.name)}` : String(meta.name);
    const message = readinessFailure(String(inputs.kind), name, meta.annotations, args.errors[0] ?? "");
    if (!message) return false;
    // Awaited: the engine ends the step once the hook answers, and a message sent after it is lost.
    return new Promise<boolean>((resolve) =>
      inProgram(() => {
        pulumi.log.error(message, new pulumi.DependencyResource(args.urn)).then(
          () => resolve(false), // never retry: the message is all
          () => resolve(false),
        );
      }),
    );
  });
  if (stack) hooksByStack.set(stack, hook);
  else hookWithoutStack = hook;
  return hook;
}

/** `extra` with the readiness hook added, for a custom resource of `kind` that waits. */
function withReadinessHook(f: Family, kind: string, extra: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  const waits = f.readiness["pulumi.com/skipAwait"] === undefined && (f.readiness["pulumi.com/waitFor"] !== undefined || WAITING_KINDS.has(kind));
  const hook = waits ? readinessHook() : undefined;
  if (!hook) return extra;
  return { ...extra, hooks: { ...(extra.hooks ?? {}), onError: [...(extra.hooks?.onError ?? []), hook] } };
}

/** Resolves to `refs` once every resource has been created (an id known), for the `created` output. */
export function whenCreated(resources: readonly pulumi.CustomResource[], refs: readonly string[]): pulumi.Output<string[]> {
  return pulumi.all(resources.map((r) => r.id)).apply(() => [...refs]);
}

/** The Pulumi type token of a native object's @pulumi/kubernetes class. */
export function kubeType(o: { apiVersion: string; kind: string }): string {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["core", o.apiVersion];
  return `kubernetes:${group}/${version}:${o.kind}`;
}

// ---------------------------------------------------------------------------------------------
// Secrets through `transforms`.
//
// @pulumi/pulumi 3.248 runs a `transforms` callback (ResourceOptions.transforms, or
// registerResourceTransform) in a context where Outputs are serialized back without their secret
// flag: a transform that only adds an annotation makes every secret field of the resource plain
// text in the state. The engine runs a resource's own transforms, then its ancestors', then the
// stack's; so the components register, once per program, a stack transform that runs after every
// transform given on a component or its ancestors and marks the fields this module made secret
// as secret again, in the wire form the engine reads.
// ---------------------------------------------------------------------------------------------

const secretKeys = new Map<string, Set<string>>();
const guarded = new WeakSet<object>();

/** Records that `fields` of the child `type::name` are secret, and makes sure the guard runs. */
export function keepSecret(type: string, name: string, fields: readonly string[]): void {
  if (fields.length === 0) return;
  const key = `${type}::${name}`;
  const set = secretKeys.get(key) ?? new Set<string>();
  for (const f of fields) set.add(f);
  secretKeys.set(key, set);
  installSecretGuard();
}

/** The fields recorded secret for `type::name` (tests). */
export function keptSecret(type: string, name: string): string[] {
  return [...(secretKeys.get(`${type}::${name}`) ?? [])];
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** The wire form of an Output (`specialOutputValueSig`); without `value` it is an unknown. */
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** The wire form of a plain unknown (`unknownValue`). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** `v` as a secret in the wire form (what the SDK itself sends for a secret). */
export function wireSecret(v: unknown): unknown {
  if (v && typeof v === "object" && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) return v;
  return { [SIG_KEY]: SECRET_SIG, value: v };
}

/**
 * An unknown in the wire form every later transform hands back as an unknown: an Output value
 * without a value. (A plain unknown is read back as `undefined`, and the property dropped, by a
 * transform the SDK runs outside the program's context, as in an Automation API inline program:
 * there it does not know it is a preview.)
 */
export function wireUnknown(): unknown {
  return { [SIG_KEY]: OUTPUT_VALUE_SIG };
}

/** Whether `v`, a property as a transform receives it, is (or wraps) a value not known yet. */
async function unknownProperty(v: unknown): Promise<boolean> {
  if (v === UNKNOWN || pulumi.isUnknown(v)) return true;
  if (pulumi.Output.isInstance(v)) return !(await (v as unknown as { isKnown: Promise<boolean> }).isKnown);
  if (v && typeof v === "object" && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) {
    const inner = (v as Record<string, unknown>).value;
    return inner === undefined || (await unknownProperty(inner));
  }
  if (v && typeof v === "object" && (v as Record<string, unknown>)[SIG_KEY] === OUTPUT_VALUE_SIG) return (v as Record<string, unknown>).value === undefined;
  return false;
}

/**
 * The stack transform re-marking recorded fields secret. A field known is handed back as a secret;
 * a field not known yet (a fresh preview) as an unknown, never as a secret: an unknown secret reaches
 * a later transform as a secret without a value, which the SDK sends back malformed (`malformed RPC
 * secret: missing value`, failing the preview). An unknown reveals nothing. In a preview (`preview`,
 * read in the program's context when the guard was installed), a recorded field an earlier transform
 * dropped is an unknown the SDK read back as `undefined` (see {@link wireUnknown}): it is restored as
 * an unknown.
 */
export async function resecret(args: pulumi.ResourceTransformArgs, preview = false): Promise<pulumi.ResourceTransformResult | undefined> {
  const keys = secretKeys.get(`${args.type}::${args.name}`);
  if (!keys) return undefined;
  const props: Record<string, unknown> = { ...args.props };
  for (const k of keys) {
    const v = props[k];
    if (v === undefined || v === null) {
      if (preview && v === undefined) props[k] = wireUnknown();
      continue;
    }
    if (await unknownProperty(v)) props[k] = wireUnknown();
    else if (pulumi.Output.isInstance(v)) props[k] = wireSecret(await (v as unknown as { promise(): Promise<unknown> }).promise());
    else props[k] = wireSecret(v);
  }
  // No opts: the SDK then keeps the resource's options exactly as they were.
  return { props } as unknown as pulumi.ResourceTransformResult;
}

function installSecretGuard(): void {
  const stack = pulumi.runtime.getStackResource() as object | undefined;
  if (!stack || guarded.has(stack)) return;
  guarded.add(stack);
  try {
    // Whether this is a preview, read now: the SDK may run the transform outside the program's context.
    const preview = pulumi.runtime.isDryRun();
    pulumi.runtime.registerResourceTransform((args) => resecret(args, preview));
  } catch {
    // No transforms in this engine (or under mocks): then no transform can drop a secret either.
  }
}
