/** Telling arguments known at construction from those that only resolve later, and judging the latter. */
import * as pulumi from "@pulumi/pulumi";
import { deferred, declared } from "./references";
import { certainFindings, resolveKnown, withPlaceholders, type Finding, type Resolved } from "./partial";
import { isRefusal, refuse } from "./refusal";
import { KusciaValidationError } from "./validate";

/** True when `v` holds no Output or promise at any depth, so it can be validated right away. */
export function isKnown(v: unknown): boolean {
  if (v === null || typeof v !== "object") return true;
  if (pulumi.Output.isInstance(v)) return false;
  if (typeof (v as { then?: unknown }).then === "function") return false;
  if (Array.isArray(v)) return v.every(isKnown);
  return Object.values(v).every(isKnown);
}

/**
 * What the rule book says about a component's object built from arguments that may hold
 * placeholders for values not known yet (partial.ts): the object, for the program's reference
 * checks, and its findings. Never throws for a finding; may throw when the arguments cannot be
 * built into an object at all (an unknown list, say), which proves nothing.
 */
export interface PartialReview {
  /** Component kind and resource name, for the messages. */
  kind: string;
  name: string;
  review(args: unknown): { object: unknown; findings: readonly Finding[] };
}

/**
 * The judge of a component whose arguments are not all known at construction. `validate` runs
 * once they resolve; its refusal (a ResourceError) ends the operation (refusal.ts) and the Output
 * never settles, so nothing is made from refused arguments and nothing waits for a rejection.
 * With `partial`, what is known is judged as soon as every argument has settled, known or not (a
 * preview before the resources the arguments come from exist): a finding that holds whatever the
 * unknown values are refuses then, and the object is declared for the program's reference checks
 * with its unknown parts left out.
 */
export function judgeLater<A, T>(parent: pulumi.Resource, args: A, validate: (a: pulumi.Unwrap<A>, secret: boolean) => T, partial?: PartialReview): pulumi.Output<T> {
  const given = pulumi.output(args);
  const secret = pulumi.output(pulumi.isSecret(given));
  // The program's reference checks wait for this component's object (components/references.ts).
  const done = deferred();
  void (async () => {
    try {
      const r = await resolveKnown(args);
      if (r.unknowns === 0) return; // judged in full below
      if (partial) {
        const findings = certainFindings(r, partial.review);
        if (findings.length > 0) {
          await refuse(parent, new KusciaValidationError(partial.kind, partial.name, findings.map((f) => f.message), parent, r.secret));
          return;
        }
        declarePartial(r, partial, parent);
      }
      done();
    } catch (e) {
      // A bug here must not stop the full judgement, which runs whatever happens to this one.
      pulumi.log.debug(`kuscia-iac: partial review skipped: ${(e as Error).message}`, parent);
      done();
    }
  })();
  return pulumi.all([given, secret]).apply(([a, s]) => {
    try {
      return validate(a as pulumi.Unwrap<A>, s);
    } catch (e) {
      if (isRefusal(e)) return refuse<T>(parent, e);
      throw e;
    } finally {
      done();
    }
  }) as unknown as pulumi.Output<T>;
}

/** Declares the object built with placeholders to the program's reference checks (which leave their findings out). */
function declarePartial(r: Resolved, partial: PartialReview, parent: pulumi.Resource): void {
  let object: unknown;
  try {
    object = partial.review(withPlaceholders(r)).object;
  } catch {
    return;
  }
  declared(object, { component: partial.kind, name: partial.name, fieldPrefix: "", parent });
}

/**
 * Runs `validate` on the arguments and `emit` on its result: at construction
 * when every argument is known (a refusal then throws from the constructor),
 * else once the Outputs resolve (a refusal ends the operation: {@link judgeLater}).
 * Children created in the second case appear in a preview only when
 * their inputs are known at preview time, and get plain values: `emit` is told
 * whether any argument was secret so it can keep their contents secret.
 * Components whose objects are known by name before their contents (the custom
 * resource of `emit: "custom-resource"` with a plain name) create them at
 * construction instead, with the validated object as an Output.
 */
export function settle<A, T, E>(
  parent: pulumi.Resource,
  args: A,
  validate: (a: pulumi.Unwrap<A>, secret: boolean) => T,
  emit: (t: T, secret: boolean, argDeps?: pulumi.Output<pulumi.Resource[]>) => pulumi.Output<E>,
  partial?: PartialReview,
): { object: pulumi.Output<T>; emitted: pulumi.Output<E> } {
  if (isKnown(args)) {
    const t = validate(args as pulumi.Unwrap<A>, false);
    return { object: pulumi.output(t) as unknown as pulumi.Output<T>, emitted: emit(t, false) };
  }
  const given = pulumi.output(args);
  const secret = pulumi.output(pulumi.isSecret(given));
  const object = judgeLater(parent, args, validate, partial);
  // Children made from resolved values carry no dependency of their own: this Output, given as their
  // dependsOn, brings every resource the arguments came from (e.g. the Namespace behind a domain ID).
  const argDeps = given.apply(() => [] as pulumi.Resource[]);
  return {
    object,
    emitted: pulumi.all([object, secret]).apply(([t, s]) => {
      try {
        return emit(t as T, s, argDeps);
      } catch (e) {
        // An expansion's own errors, found only once the values are known.
        if (isRefusal(e)) return refuse<E>(parent, e);
        throw e;
      }
    }) as unknown as pulumi.Output<E>,
  };
}
