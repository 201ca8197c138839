/** A front end `kuscia-iac test --frontend` replays cases through. */
import type { FrontendView } from "../compare";
import type { TestCase } from "../load";
import type { Observation } from "../observe";
import type { PatchOperation } from "../../policy/types";

export interface Frontend {
  readonly name: string;
  /** What it can show of a verdict (compare.ts). */
  readonly view: FrontendView;
  /**
   * Its verdict on a case, or why it cannot give one (a policy pack sees no UPDATE, no
   * requester). `patched`: for a view that compares objects, the object after admission.
   * Throws when the front end itself fails (the run exits 2).
   */
  observe(c: TestCase): Promise<(Observation & { patched?: unknown }) | { notApplicable: string }>;
  /**
   * For a view that compares objects: the object the front end should return after admission,
   * given the rule book's patch, in the form `observe` returns it (default: the case's object
   * with the patch applied).
   */
  expectedObject?(c: TestCase, patch: readonly PatchOperation[]): unknown;
  /**
   * Cases with the same key share a set-up that is costly to change (the policies installed in
   * a cluster): the runner replays a file's cases grouped by it, reporting them in file order.
   */
  groupKey?(c: TestCase): string;
  /** Called once after the last case: stop servers, remove what was installed. */
  close(): Promise<void>;
}
