/**
 * Pulumi mocks for the component tests: records every resource registration
 * (type, name, inputs, provider) and answers with the inputs as state, plus a
 * Deployment status a test can choose. Each test file calls `useMocks()` at
 * its top so it does not depend on another file having set mocks.
 */
import * as pulumi from "@pulumi/pulumi";
/** Resolves once every resource registration (RPC) in flight has finished: the event tests wait for. */
export const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
import { resetProgramReferences } from "../../../components/references";
import { resetChildNames } from "../../../components/children";

export interface Registered {
  type: string;
  name: string;
  inputs: any;
  provider?: string;
}

export interface Mocks {
  registered: Registered[];
  /** Status a mocked Deployment reports, keyed `namespace/name`. */
  deploymentStatus: Map<string, { replicas?: number; availableReplicas?: number }>;
  /** Status a mocked custom resource reports, keyed `Kind/name`. */
  customResourceStatus: Map<string, unknown>;
  /** Registrations of one type, by Pulumi name. */
  ofType(type: string): Registered[];
}

export function useMocks(): Mocks {
  const m: Mocks = {
    registered: [],
    deploymentStatus: new Map(),
    customResourceStatus: new Map(),
    ofType: (type) => m.registered.filter((r) => r.type === type),
  };
  before(() => {
    pulumi.runtime.setMocks(
      {
        newResource(args) {
          m.registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
          notifyRegistered({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
          const state: Record<string, unknown> = { ...args.inputs };
          const meta = args.inputs?.metadata ?? {};
          if (args.type === "kubernetes:apps/v1:Deployment") state.status = m.deploymentStatus.get(`${meta.namespace}/${meta.name}`) ?? {};
          if (args.type.startsWith("kubernetes:kuscia.secretflow/v1alpha1:")) state.status = m.customResourceStatus.get(`${args.inputs.kind}/${meta.name}`);
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
    resetProgramReferences(); // each test is a program of its own
    resetChildNames();
    m.registered.length = 0;
    m.deploymentStatus.clear();
    m.customResourceStatus.clear();
  });
  return m;
}

/** The value of an Output; rejects when it fails (Output.promise is internal to the SDK, but stable and the only way to see a failure). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}

/** Type token of the resource a refusal found after construction registers (components/refusal.ts). */
export const REFUSAL = "pulumi-nodejs:dynamic/kuscia-iac:Refusal";

const waiters: { match: (r: Registered) => boolean; resolve: (r: Registered) => void }[] = [];

/** Tells the waiters of {@link registration} about a registration (each harness's mocks call it). */
export function notifyRegistered(r: Registered): void {
  for (const w of [...waiters]) {
    if (!w.match(r)) continue;
    waiters.splice(waiters.indexOf(w), 1);
    w.resolve(r);
  }
}

/** The first registration `match` accepts, among those made already or, waiting for it, the next ones. */
export function registration(registered: readonly Registered[], match: (r: Registered) => boolean): Promise<Registered> {
  const found = registered.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => waiters.push({ match, resolve }));
}

/**
 * The message of the refusal of component `name` found after construction: the operation ends with
 * it (components/refusal.ts). Waits for the refusal to be registered.
 */
export async function refusalOf(registered: readonly Registered[], name: string, since = 0): Promise<string> {
  const match = (x: Registered) => x.type === REFUSAL && x.name === `${name}-refused`;
  const earlier = registered.slice(since).find(match);
  const r = earlier ?? (await registration([], match));
  return String(r.inputs.message);
}

/**
 * Constructs a component that must be refused: the constructor returns (a refusal ends the
 * operation instead of throwing, components/refusal.ts), its refusal is registered, and its
 * message passes `expected` (a RegExp, or a function given an Error that returns true or throws).
 * Returns the message.
 */
export async function assertRefused(registered: readonly Registered[], construct: () => pulumi.Resource, expected: RegExp | ((e: Error) => boolean)): Promise<string> {
  const since = registered.length;
  const c = construct();
  const name = (c as unknown as { __name: string }).__name;
  const message = await refusalOf(registered, name, since);
  const ok = expected instanceof RegExp ? expected.test(message) : expected(new Error(message));
  if (!ok) throw new Error(`the refusal of ${name}, ${JSON.stringify(message)}, does not match ${expected}`);
  return message;
}

/**
 * Collects unhandled promise rejections while `fn` runs: a component whose
 * arguments are refused at apply time fails its outputs, and Pulumi reports
 * that through the rejected registration of those outputs.
 */
export async function collectRejections(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (reason: unknown) => seen.push(reason instanceof Error ? reason.message : String(reason));
  process.on("unhandledRejection", listener);
  try {
    await fn();
    // Every registration done (the event), then one more turn of the event loop, after which
    // Node has reported the rejections those registrations left unhandled.
    await waitForRPCs();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off("unhandledRejection", listener);
  }
  return seen;
}

/** Options each resource was registered with, seen through a (SDK-side) transformation children inherit. */
export function recordOptions(into: Map<string, pulumi.CustomResourceOptions>, props?: Map<string, Record<string, unknown>>): pulumi.ResourceTransformation {
  return (a) => {
    into.set(`${a.type}::${a.name}`, a.opts);
    props?.set(`${a.type}::${a.name}`, a.props);
    return undefined;
  };
}

/** Warnings components log while `fn` runs (under mocks Pulumi's log.warn writes through console.warn). */
export async function captureWarnings(fn: () => Promise<void>, live?: (seen: string[]) => void): Promise<string[]> {
  const seen: string[] = [];
  live?.(seen);
  const original = console.warn;
  console.warn = (...args: unknown[]) => void seen.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.warn = original;
  }
  return seen;
}

/** For assert.throws: the error's message (not its `Name: message` string) matches. */
export function messageMatches(re: RegExp): (e: unknown) => boolean {
  return (e) => {
    const m = e instanceof Error ? e.message : String(e);
    if (!re.test(m)) throw new Error(`message ${JSON.stringify(m)} does not match ${re}`);
    return true;
  };
}
