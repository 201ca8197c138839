/**
 * Refusals that end the operation, at whatever phase they are found.
 *
 * A refusal is never thrown, whether found at construction or later (the arguments were
 * Outputs, judged once they resolve, or judged in part at preview: partial.ts): a throw from a
 * constructor is printed twice (on the component and on the stack), and a later one reaches no one: the @pulumi/pulumi SDK (3.248) never settles the URN and ID of a
 * resource whose inputs fail, so every resource, component output and stack output depending on
 * it waits forever, and so does the engine, which waits for the program before it ends an
 * operation (seen: `pulumi up` and preview hanging from 90 s to 9.5 min, leaving the stack
 * locked). So a later refusal registers a {@link Refusal}: a resource whose Check fails with the
 * refusal's message. The engine prints that message against the component and ends the
 * operation there and then, non-zero, without waiting for the program (pkg/resource/deploy:
 * step_generator.go reports an invalid resource as a bail, and deployment_executor.go skips
 * waiting for the program after one). The value that was refused never settles instead of
 * failing, so no resource is ever registered from it and nothing prints it a second time.
 */
import * as pulumi from "@pulumi/pulumi";
import { secretsHostedByPlugin } from "./secrets/host";

/** Type token of a refusal inside the component provider plugin, whose `check` fails it (provider/provider.ts). */
export const HOSTED_REFUSAL_TYPE = "kuscia-iac:internal:Refusal";

/** The dynamic provider of a refusal in a Node.js program: Check fails with the message; nothing is ever created. */
const refusalProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { inputs: news, failures: [{ property: "", reason: String(news.message) }] };
  },
  async create(): Promise<pulumi.dynamic.CreateResult> {
    throw new Error("a kuscia-iac refusal is never created");
  },
};

/** The dynamic resource of a refusal in a Node.js program. */
class DynamicRefusal extends pulumi.dynamic.Resource {}

/** Registers a resource that exists only to fail the operation with `message` (see the module comment). */
function registerRefusal(name: string, message: string, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  // Inside the component provider plugin: a resource of this package, which the plugin's check fails.
  if (secretsHostedByPlugin()) return Reflect.construct(pulumi.CustomResource, [HOSTED_REFUSAL_TYPE, name, { message }, opts]) as pulumi.CustomResource;
  return new DynamicRefusal(refusalProvider, name, { message }, opts, "kuscia-iac", "Refusal");
}

const counts = new WeakMap<pulumi.Resource, number>();
const messages = new WeakMap<pulumi.Resource, string>();

/** The message `component` was refused with, if it was (tests, and programs that want to know). */
export function refusalMessage(component: pulumi.Resource): string | undefined {
  return messages.get(component);
}

/** A promise that never settles: what a refused value becomes (see the module comment). */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/**
 * Ends the operation with `error`'s message, reported against `component`; returns a promise that
 * never settles, for the refused value. Under Pulumi mocks (unit tests) the refusal is a
 * registration like any other, which tests can find.
 */
export function refuse<T = never>(component: pulumi.Resource, error: Error): Promise<T> {
  const n = (counts.get(component) ?? 0) + 1;
  counts.set(component, n);
  if (!messages.has(component)) messages.set(component, error.message);
  const name = (component as unknown as { __name?: string }).__name ?? "component";
  registerRefusal(`${name}-refused${n > 1 ? `-${n}` : ""}`, error.message, { parent: component });
  return never<T>();
}

/** True for the errors a component's own review throws (refusals), as opposed to a bug. */
export function isRefusal(e: unknown): e is pulumi.ResourceError {
  return pulumi.ResourceError.isInstance(e);
}

/**
 * `fn`, for an `apply` whose result feeds a resource: a refusal it throws ends the operation
 * ({@link refuse}) and its result never settles, instead of failing the resource's inputs.
 */
export function refusing<A extends unknown[], R>(parent: pulumi.Resource, fn: (...a: A) => R): (...a: A) => R | Promise<R> {
  return (...a: A) => {
    try {
      return fn(...a);
    } catch (e) {
      if (isRefusal(e)) return refuse<R>(parent, e);
      throw e;
    }
  };
}

/**
 * What a component's constructor does with an error thrown while it builds: a refusal ends the
 * operation (see {@link refuse}) and each of the component's `outputs` becomes an Output that never
 * settles (so nothing is made from refused arguments, and the program reads its fields as usual);
 * anything else, a bug, is thrown on. A refusal at construction is reported like one found later,
 * once, against the component: thrown, it would be printed twice by an Automation API program
 * (as an unhandled error on the component, then as the program's failure on the stack).
 */
export function refused(component: pulumi.ComponentResource, e: unknown, outputs: readonly string[]): void {
  if (!isRefusal(e)) throw e;
  void refuse(component, e);
  const fields = component as unknown as Record<string, unknown>;
  for (const k of outputs) fields[k] = pulumi.output(never());
}
