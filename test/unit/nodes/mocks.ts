/**
 * Pulumi mocks for the node components: like the components' harness, but
 * dynamic resources (keys, certificates) run their real provider's `create`,
 * so tests see real keys and certificates. Services get a ClusterIP and
 * Ingresses the address a test chooses, as a cluster would report them.
 */
import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_PROVIDERS } from "../../../components/secrets";
import { resetChildNames } from "../../../components/children";
import { notifyRegistered } from "../components/harness";

export interface Registered {
  type: string;
  name: string;
  inputs: any;
  provider?: string;
}

export interface NodeMocks {
  registered: Registered[];
  /** Address an Ingress reports, keyed `namespace/name`. */
  ingressAddress: Map<string, string>;
  ofType(type: string): Registered[];
  /** The registration of a Kubernetes object by kind and `namespace/name` (or name). */
  object(kind: string, ref: string): Registered | undefined;
  /** Kubernetes registrations as `Kind namespace/name`, sorted. */
  kubeObjects(): string[];
}

/** The marker Pulumi's wire format puts on a secret value: mocks see secret inputs in that form. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export function isSecretInput(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The plain value of an input that may be a wire-format secret. */
export function plain<T = any>(v: unknown): T {
  return (isSecretInput(v) ? (v as { value: unknown }).value : v) as T;
}

/** Inputs with every wire-format secret replaced by its value, at any depth. */
export function reveal<T = any>(v: unknown): T {
  const p = plain(v);
  if (Array.isArray(p)) return p.map(reveal) as T;
  if (p && typeof p === "object") return Object.fromEntries(Object.entries(p).map(([k, x]) => [k, reveal(x)])) as T;
  return p as T;
}

export interface NodeMockOptions {
  /**
   * What the mocks make up for a resource (a dynamic resource's keys and certificates,
   * a Service's ClusterIP) is made once per resource and given again when the same
   * resource is registered again, as a real update keeps them: two builds of one
   * component then register the same inputs and can be compared.
   */
  repeatable?: boolean;
}

export function useNodeMocks(options: NodeMockOptions = {}): NodeMocks {
  let clusterIp = 10;
  const madeUp = new Map<string, Promise<{ id: string; state: Record<string, any> }>>();
  const ips = new Map<string, string>();
  const m: NodeMocks = {
    registered: [],
    ingressAddress: new Map(),
    ofType: (type) => m.registered.filter((r) => r.type === type),
    object: (kind, ref) =>
      m.registered.find((r) => r.type.startsWith("kubernetes:") && r.type.endsWith(`:${kind}`) && refOf(r) === ref),
    kubeObjects: () =>
      m.registered
        .filter((r) => r.type.startsWith("kubernetes:"))
        .map((r) => `${r.type.split(":").pop()} ${refOf(r)}`)
        .sort(),
  };
  const refOf = (r: Registered) => {
    const meta = reveal(r.inputs.metadata) ?? {};
    return meta.namespace ? `${meta.namespace}/${meta.name}` : `${meta.name}`;
  };
  before(() => {
    pulumi.runtime.setMocks(
      {
        async newResource(args) {
          m.registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
          notifyRegistered({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
          const dynamic = DYNAMIC_PROVIDERS[args.type];
          if (dynamic) {
            const { __provider, ...inputs } = reveal(args.inputs);
            const create = async () => {
              const made = await dynamic.create(inputs);
              return { id: made.id, state: made.outs };
            };
            if (!options.repeatable) return create();
            const key = `${args.type}::${args.name}::${JSON.stringify(inputs)}`;
            if (!madeUp.has(key)) madeUp.set(key, create());
            return madeUp.get(key)!;
          }
          const state: Record<string, any> = { ...args.inputs };
          const meta = reveal(args.inputs?.metadata) ?? {};
          if (args.type === "kubernetes:core/v1:Service") {
            const key = `${args.type}::${args.name}`;
            const ip = (options.repeatable && ips.get(key)) || `10.96.0.${clusterIp++}`;
            if (options.repeatable) ips.set(key, ip);
            state.spec = { ...reveal(args.inputs.spec), clusterIP: ip };
          }
          if (args.type === "kubernetes:networking.k8s.io/v1:Ingress") {
            const ip = m.ingressAddress.get(`${meta.namespace}/${meta.name}`);
            state.status = ip ? { loadBalancer: { ingress: [{ ip }] } } : {};
          }
          return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
      },
      "kuscia-iac",
      "test",
      false,
    );
  });
  beforeEach(() => {
    resetChildNames(); // each test is a program of its own
    m.registered.length = 0;
    m.ingressAddress.clear();
  });
  return m;
}
