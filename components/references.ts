/**
 * Cross-object references over what the same Pulumi program declares: every custom
 * resource a component builds goes through admitOrThrow (validate.ts), which records it
 * here. A referring object (a KusciaDeployment's AppImages and party Domains, a route's
 * Domains, an InteropConfig's Domains, a KusciaJob's, a DomainDataGrant's, a DomainData's
 * DomainDataSource: policy/references.ts) is checked against the targets declared anywhere
 * in the program, before or after it, whatever the component's `emit` (a Domain emitted
 * "native" still declares its Domain); so are the pre-flight checks that read those targets
 * (policy/preflight.ts: a party's role without a deploy template in its AppImage, a job's
 * partners mixing protocols, a task above its Domain's podMaxCount).
 *
 * When: once the program's synchronous construction is over (a setImmediate after the
 * first declaration) and no component is still waiting for Output arguments (judgeLater() in
 * known.ts counts them), so a target declared later in the program, or whose arguments
 * resolve later, is seen. In a preview where some component's arguments are unknown, that
 * component is declared with placeholders for them (components/partial.ts) once they have all
 * settled: a finding about a placeholder is left out, and so is a missing target of a kind one
 * of whose declared objects has a name not known yet (it may be that one).
 *
 * The state is the program run's (one per stack resource), so a preview and an update run in
 * one process (the Automation API) each check their own program.
 *
 * What: a warning on the referring component per missing target, with the rule id
 * (`ref.*`); the policy configuration's action applies: `deny` logs an error (which fails
 * the update), `audit` a debug line, `off` nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { ReferenceIndex, referencedKinds, referringKinds, refKey, refOf, type PolicyConfig, type ReferenceResult } from "../policy";
import type { KindRef } from "../policy/preflight";
import { componentPolicy } from "./policy";
import { UNKNOWN_PREFIX } from "./partial";

interface Referring {
  component: string;
  name: string;
  fieldPrefix: string;
  parent?: pulumi.Resource;
}

const kindKey = (k: { apiVersion: string; kind: string }) => `${k.apiVersion}/${k.kind}`;
const TARGETS = new Set(referencedKinds().map(kindKey));
const SOURCES = new Set(referringKinds().map(kindKey));

interface ProgramState {
  targets: Map<string, unknown>;
  unchecked: { obj: unknown; who: Referring }[];
  /** Target kinds (`apiVersion/kind`) one of whose declared objects is named by a value not known yet. */
  unknownTargets: Set<string>;
  pending: number;
  scheduled: boolean;
  /** Forgotten (tests): a check scheduled before must not run. */
  dead?: boolean;
}

const fresh = (): ProgramState => ({ targets: new Map(), unchecked: [], unknownTargets: new Set(), pending: 0, scheduled: false });
const byStack = new WeakMap<object, ProgramState>();
let withoutStack = fresh();
let enabled = true;

/** The state of the program now running (each `pulumi preview` or `up` has a stack resource of its own). */
function state(): ProgramState {
  const stack = pulumi.runtime.getStackResource() as object | undefined;
  if (!stack) return withoutStack;
  let s = byStack.get(stack);
  if (!s) byStack.set(stack, (s = fresh()));
  return s;
}

/**
 * Turns the program-level checks on or off. The component provider turns them off: for a
 * program in another language each component arrives in a request of its own, so what the
 * program declares later cannot be known when the first ones are checked.
 */
export function setProgramReferenceChecks(on: boolean): void {
  enabled = on;
}

/** Records one admitted custom resource of the program (admitOrThrow calls it). */
export function declared(obj: unknown, who: Referring): void {
  if (!enabled) return;
  const ref = refOf(obj);
  if (!ref) return;
  const st = state();
  const key = kindKey(ref);
  // Kept whole: the pre-flight checks read a target's spec (an AppImage's deploy template roles, a Domain's role).
  if (TARGETS.has(key)) {
    if (`${ref.namespace}/${ref.name}`.includes(UNKNOWN_PREFIX)) st.unknownTargets.add(key);
    else st.targets.set(refKey(ref), obj);
  }
  if (SOURCES.has(key)) st.unchecked.push({ obj, who });
  schedule(st);
}

/** A component whose objects are admitted once its Output arguments resolve: call the returned function then. */
export function deferred(): () => void {
  if (!enabled) return () => undefined;
  const st = state();
  st.pending++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    st.pending--;
    schedule(st);
  };
}

function schedule(st: ProgramState): void {
  if (st.scheduled) return;
  st.scheduled = true;
  setImmediate(() => {
    st.scheduled = false;
    if (st.dead || st.pending > 0 || st.unchecked.length === 0) return;
    checkNow(st);
  });
}

/** Checks the referring objects not checked yet against every target declared so far, and logs the findings. */
export function checkNow(st: ProgramState = state()): void {
  const batch = st.unchecked;
  st.unchecked = [];
  if (batch.length === 0) return;
  const index = new ReferenceIndex();
  // A referring object of the batch can be a target too (a route other checks read): added once.
  const inBatch = new Set(batch.map((b) => refKey(refOf(b.obj)!)));
  for (const [key, t] of st.targets) if (!inBatch.has(key)) index.add(t);
  const who = new Map<string, Referring[]>();
  for (const b of batch) {
    index.add(b.obj);
    const ref = refOf(b.obj)!;
    who.set(refKey(ref), [...(who.get(refKey(ref)) ?? []), b.who]);
  }
  const config = policyOrLog();
  if (!config) return;
  // A kind one of whose objects is named by a value not known yet: a name missing from it may be that one.
  const complete = new Set([...TARGETS].filter((k) => !st.unknownTargets.has(k)));
  logResults(index.results({ config, complete }), (r) => who.get(refKey(r.object)) ?? []);
}

/** The components' policy configuration, or undefined (and an error logged) when it cannot be read. */
function policyOrLog(): PolicyConfig | undefined {
  try {
    return componentPolicy();
  } catch (e) {
    pulumi.log.error(`kuscia-iac: reference checks skipped: ${(e as Error).message}`);
    return undefined;
  }
}

/** Logs each finding against the components that declared the object: deny as an error (the update fails), warn as a warning, audit as a debug line. */
function logResults(results: readonly ReferenceResult[], whoOf: (r: ReferenceResult) => readonly Referring[]): void {
  const say = (w: Referring, f: { rule: string; message: string }) =>
    `${w.component} ${JSON.stringify(w.name)}: ${w.fieldPrefix}${f.message.replace(", which does not exist;", ", which this Pulumi program does not declare; if the cluster does not have it either,")} [${f.rule}]`;
  const known = (f: { message: string }) => !f.message.includes(UNKNOWN_PREFIX);
  for (const r0 of results) {
    const r = { ...r0, violations: r0.violations.filter(known), warnings: r0.warnings.filter(known), audits: r0.audits.filter(known) };
    for (const w of whoOf(r)) {
      for (const v of r.violations) logged.push(pulumi.log.error(say(w, v), w.parent));
      for (const x of r.warnings) logged.push(pulumi.log.warn(say(w, x), w.parent));
      for (const a of r.audits) logged.push(pulumi.log.debug(`${say(w, a)} (${a.reason})`, w.parent));
    }
  }
}

/**
 * Checks `subject` against `given`, the targets one component's arguments carry and takes as
 * all there are of their kinds (a KusciaDeployment's `appImages`, which its native expansion
 * uses), now: `ref.kd.template-container` and the other checks of policy/references.ts whose
 * targets are only of the kinds in `complete`. Only while the program-level checks are off (the
 * component provider, where each component arrives in a request of its own); with them on,
 * checkNow sees the same objects and says it once.
 */
export function checkGivenTargets(subject: unknown, given: Iterable<unknown>, complete: readonly KindRef[], who: Referring): void {
  if (enabled) return;
  const config = policyOrLog();
  if (!config) return;
  const index = new ReferenceIndex();
  for (const t of given) index.add(t);
  index.add(subject);
  const ref = refOf(subject);
  const results = index.results({ config, complete: new Set(complete.map(kindKey)) });
  logResults(results, (r) => (ref && refKey(r.object) === refKey(ref) ? [who] : []));
}

/** Log calls of the checks so far (pulumi.log delivers through a promise chain). */
let logged: Promise<void>[] = [];

/**
 * Resolves once the program's reference checks have run and their findings are logged:
 * nothing unchecked, no check scheduled, no component still waiting for its Output
 * arguments. For tests, which wait for this event rather than for a guessed time.
 */
export async function referenceChecksSettled(): Promise<void> {
  for (;;) {
    await new Promise((r) => setImmediate(r));
    const st = state();
    if (st.dead || (!st.scheduled && st.pending === 0 && st.unchecked.length === 0)) break;
  }
  const done = logged;
  logged = [];
  await Promise.all(done);
}

/** Forgets the program's declarations and turns the checks back on (tests: each test is a program). */
export function resetProgramReferences(): void {
  enabled = true;
  withoutStack.dead = true;
  withoutStack = fresh();
  logged = [];
}
