/** Telling arguments known at construction from those that only resolve later. */
import * as pulumi from "@pulumi/pulumi";
import { deferred } from "./references";

/** True when `v` holds no Output or promise at any depth, so it can be validated right away. */
export function isKnown(v: unknown): boolean {
  if (v === null || typeof v !== "object") return true;
  if (pulumi.Output.isInstance(v)) return false;
  if (typeof (v as { then?: unknown }).then === "function") return false;
  if (Array.isArray(v)) return v.every(isKnown);
  return Object.values(v).every(isKnown);
}

/**
 * Runs `validate` on the arguments and `emit` on its result: at construction
 * when every argument is known (a refusal then throws from the constructor),
 * else once the Outputs resolve (a refusal fails the deployment with the same
 * message). Children created in the second case appear in a preview only when
 * their inputs are known at preview time, and get plain values: `emit` is told
 * whether any argument was secret so it can keep their contents secret.
 * Components whose objects are known by name before their contents (the custom
 * resource of `emit: "custom-resource"` with a plain name) create them at
 * construction instead, with the validated object as an Output.
 */
export function settle<A, T, E>(
  args: A,
  validate: (a: pulumi.Unwrap<A>, secret: boolean) => T,
  emit: (t: T, secret: boolean, argDeps?: pulumi.Output<pulumi.Resource[]>) => pulumi.Output<E>,
): { object: pulumi.Output<T>; emitted: pulumi.Output<E> } {
  if (isKnown(args)) {
    const t = validate(args as pulumi.Unwrap<A>, false);
    return { object: pulumi.output(t) as unknown as pulumi.Output<T>, emitted: emit(t, false) };
  }
  const given = pulumi.output(args);
  const secret = pulumi.output(pulumi.isSecret(given));
  // Told whether any argument was secret, so a refusal can leave every value it quotes out.
  // The program's reference checks wait for this validation (components/references.ts).
  const done = deferred();
  const object = pulumi.all([given, secret]).apply(([a, s]) => {
    try {
      return validate(a as pulumi.Unwrap<A>, s);
    } finally {
      done();
    }
  }) as unknown as pulumi.Output<T>;
  // Children made from resolved values carry no dependency of their own: this Output, given as their
  // dependsOn, brings every resource the arguments came from (e.g. the Namespace behind a domain ID).
  const argDeps = given.apply(() => [] as pulumi.Resource[]);
  return { object, emitted: pulumi.all([object, secret]).apply(([t, s]) => emit(t as T, s, argDeps)) as unknown as pulumi.Output<E> };
}
