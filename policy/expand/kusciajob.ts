/**
 * KusciaJob → the KusciaTasks the KusciaJob controller creates for it, and the
 * order it creates them in (pkg/controllers/kusciajob/handler/scheduler.go at e909d9f6).
 * Pure: plain objects in, plain objects out.
 *
 * - Each task becomes a KusciaTask in cross-domain named by its taskID; a task
 *   without one gets `<job>-<last 12 hex digits of a random UUID>` (generateTaskID),
 *   shown here as `<job>-<generated>`.
 * - Metadata (buildWillStartKusciaTask): owned by the job (controller reference; its uid
 *   is shown as `<job uid>` unless the job carries one), labels `controller: kuscia-job`
 *   and `job-uid`, annotations `job-id`, `task-alias` and `self-cluster-as-participant`
 *   (true when a party's domain is not a partner here: its Namespace has no
 *   `kuscia.secretflow/role: partner`, so the partner Domains must be given).
 * - Spec (createTaskSpec, buildPartiesFromTaskInputConfig, buildPartyTemplate): the job's
 *   initiator, the task's taskInputConfig and scheduleConfig (`{}` without one), and per party domainID,
 *   appImageRef (the task's appImage), role, bandwidth limits and a template. The template
 *   is empty unless the party gives resources; then it holds the containers of the AppImage
 *   deploy template for the party's role, each with the party's cpu, memory and bandwidth
 *   requests and limits divided over containers x replicas (SplitRSC). That needs the
 *   AppImage: without it Kuscia, too, leaves the template empty (and logs a warning).
 * - Not rendered: the annotations of an interconnection job (partners over the kuscia or
 *   BFIA protocol), which the controller copies from annotations it writes on the job itself.
 * - Order (readyTasksOf, willStartTasksOf): a task is ready when every dependency has
 *   succeeded; ready tasks start highest priority first, at most maxParallelism at a
 *   time. The schedule assumes every task succeeds and tasks started together finish
 *   together. Upstream sorts with Go's sort.Slice, which is not stable: tasks of equal
 *   priority may start in another order than listed here (job order).
 */
import { findCycle } from "../checks/dag";
import { selectDeployTemplate } from "./kusciadeployment";
import { splitQuantity } from "./quantity";
import { KUSCIA_API_VERSION, type AppImageResource, type KusciaContainer, type OwnerReference, type ResourceRequirements } from "./types";

type BandwidthLimits = { destinationID: string; limitKBps: number }[];

export interface KusciaJobTaskTemplate {
  alias: string;
  taskID?: string;
  dependencies?: string[];
  tolerable?: boolean;
  appImage: string;
  taskInputConfig: string;
  scheduleConfig?: Record<string, unknown>;
  priority?: number;
  parties: { domainID: string; role?: string; resources?: ResourceRequirements; bandwidthLimits?: BandwidthLimits }[];
}

export interface KusciaJobResource {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "KusciaJob";
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { initiator: string; scheduleMode?: "Strict" | "BestEffort"; maxParallelism?: number; flowID?: string; tasks: KusciaJobTaskTemplate[] };
}

export interface KusciaTaskParty {
  domainID: string;
  appImageRef: string;
  role?: string;
  /** `{ spec: {} }` unless the party gives resources (Go always writes the struct). */
  template: { spec: { containers?: KusciaContainer[] } };
  bandwidthLimits?: BandwidthLimits;
}

export interface KusciaTaskObject {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "KusciaTask";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: OwnerReference[];
  };
  spec: { initiator: string; taskInputConfig: string; scheduleConfig: Record<string, unknown>; parties: KusciaTaskParty[] };
}

export interface KusciaJobExpansion {
  tasks: KusciaTaskObject[];
  /** Task aliases in the batches the controller would start them in (every task succeeding). */
  schedule: string[][];
  warnings: string[];
  errors: string[];
}

export interface KusciaJobContext {
  /** AppImages the tasks run; needed for the template of a party that gives resources. */
  appImages?: Iterable<AppImageResource>;
  /** Domain IDs that are partners in this cluster (self-cluster-as-participant is false for a task of partners only). */
  partnerDomains?: Iterable<string>;
}

export const ANNOTATION_JOB_ID = "kuscia.secretflow/job-id";
export const ANNOTATION_TASK_ALIAS = "kuscia.secretflow/task-alias";
export const ANNOTATION_SELF_PARTICIPANT = "kuscia.secretflow/self-cluster-as-participant";
/** Shown where only the API server knows the job's uid. */
export const JOB_UID_PLACEHOLDER = "<job uid>";

export function kusciaTaskName(job: string, t: Pick<KusciaJobTaskTemplate, "taskID">): string {
  return t.taskID ? t.taskID : `${job}-<generated>`;
}

export function expandKusciaJob(job: KusciaJobResource, ctx: KusciaJobContext = {}): KusciaJobExpansion {
  const name = job.metadata.name;
  const tasks = job.spec.tasks ?? [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const images = new Map([...(ctx.appImages ?? [])].map((a) => [a.metadata.name, a]));
  const partners = new Set(ctx.partnerDomains ?? []);
  const uid = job.metadata.uid ?? JOB_UID_PLACEHOLDER;
  const cycle = findCycle(tasks.map((t) => ({ alias: t.alias, dependencies: t.dependencies ?? [] })));
  if (cycle) errors.push(`KusciaJob ${JSON.stringify(name)}: tasks depend on each other in a cycle: ${cycle.join(" -> ")}`);
  const objects = tasks.map((t): KusciaTaskObject => {
    const selfParticipant = (t.parties ?? []).some((p) => !partners.has(p.domainID));
    return {
      apiVersion: KUSCIA_API_VERSION,
      kind: "KusciaTask",
      metadata: {
        name: kusciaTaskName(name, t),
        namespace: "cross-domain",
        ownerReferences: [{ apiVersion: KUSCIA_API_VERSION, kind: "KusciaJob", name, uid, controller: true, blockOwnerDeletion: true }],
        annotations: { [ANNOTATION_JOB_ID]: name, [ANNOTATION_TASK_ALIAS]: t.alias, [ANNOTATION_SELF_PARTICIPANT]: String(selfParticipant) },
        labels: { "kuscia.secretflow/controller": "kuscia-job", "kuscia.secretflow/job-uid": uid },
      },
      spec: {
        initiator: job.spec.initiator,
        taskInputConfig: t.taskInputConfig,
        // KusciaTaskSpec.ScheduleConfig is a struct: Go writes it, empty when the task gives none.
        scheduleConfig: t.scheduleConfig ? structuredClone(t.scheduleConfig) : {},
        parties: (t.parties ?? []).map((p) => ({
          domainID: p.domainID,
          appImageRef: t.appImage,
          ...(p.role ? { role: p.role } : {}),
          template: partyTemplate(p, images.get(t.appImage), t.alias, warnings),
          ...(p.bandwidthLimits?.length ? { bandwidthLimits: p.bandwidthLimits } : {}),
        })),
      },
    };
  });
  return { tasks: errors.length ? [] : objects, schedule: errors.length ? [] : schedule(job), warnings, errors };
}

const SPLIT_RESOURCES = ["cpu", "memory", "kuscia.secretflow/bandwidth"];

/** buildPartyTemplate: the deploy template's containers, each with an equal share of the party's resources. */
function partyTemplate(p: KusciaJobTaskTemplate["parties"][number], image: AppImageResource | undefined, alias: string, warnings: string[]): KusciaTaskParty["template"] {
  // IsEmpty(p.Resources): only an absent resources block leaves the template empty.
  if (p.resources === undefined || p.resources === null) return { spec: {} };
  if (!image) {
    warnings.push(`task ${JSON.stringify(alias)}: party ${JSON.stringify(p.domainID)} gives resources, but its AppImage was not given; the template Kuscia writes (the AppImage's containers with a share of the resources each) is left out`);
    return { spec: {} };
  }
  const tpl = selectDeployTemplate(image.spec.deployTemplates ?? [], p.role ?? "");
  if (!tpl) return { spec: {} }; // Kuscia logs "Can not get suitable deployTemplate" and leaves it empty
  const containers = structuredClone(tpl.spec?.containers ?? []);
  const n = containers.length * (tpl.replicas ?? 1);
  const share = (from: Record<string, unknown> | undefined) => {
    const out: Record<string, string> = {};
    for (const r of SPLIT_RESOURCES) {
      const v = from?.[r];
      if (v === undefined || v === null || v === "" || v === 0) continue;
      const part = splitQuantity(String(v), n);
      if (part !== undefined) out[r] = part;
    }
    return out;
  };
  const limits = share(p.resources.limits as Record<string, unknown> | undefined);
  const requests = share(p.resources.requests as Record<string, unknown> | undefined);
  for (const c of containers) {
    c.resources = { ...(Object.keys(limits).length > 0 ? { limits: { ...limits } } : {}), ...(Object.keys(requests).length > 0 ? { requests: { ...requests } } : {}) };
    // Go writes workingDir even when empty (no omitempty).
    c.workingDir ??= "";
  }
  return { spec: { containers } };
}

/** The batches readyTasksOf/willStartTasksOf start, every task succeeding and a batch finishing together. */
export function schedule(job: KusciaJobResource): string[][] {
  const tasks = job.spec.tasks ?? [];
  const max = Math.max(1, job.spec.maxParallelism ?? 1);
  const known = new Set(tasks.map((t) => t.alias));
  const remaining = new Map<string, number>(); // alias -> dependencies not yet succeeded
  const dependents = new Map<string, string[]>();
  const order = new Map<string, number>();
  tasks.forEach((t, i) => {
    order.set(t.alias, i);
    const deps = [...new Set((t.dependencies ?? []).filter((d) => known.has(d)))];
    remaining.set(t.alias, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), t.alias]);
  });
  const priority = new Map(tasks.map((t) => [t.alias, t.priority ?? 0]));
  const ready = tasks.filter((t) => remaining.get(t.alias) === 0).map((t) => t.alias);
  const out: string[][] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => priority.get(b)! - priority.get(a)! || order.get(a)! - order.get(b)!);
    const batch = ready.splice(0, max);
    out.push(batch);
    for (const a of batch) {
      for (const d of dependents.get(a) ?? []) {
        const n = remaining.get(d)! - 1;
        remaining.set(d, n);
        if (n === 0) ready.push(d);
      }
    }
  }
  return out;
}

/** One line: `1. psi; 2. split, stats; 3. train`. */
export function describeSchedule(job: KusciaJobResource, batches: string[][]): string {
  const mode = job.spec.scheduleMode ?? "Strict";
  const failing = mode === "Strict" ? "a failed critical task fails the job at once" : "after a failed critical task, tasks not depending on it still run";
  return `schedule (maxParallelism ${job.spec.maxParallelism ?? 1}, ${mode}: ${failing}; every task succeeding): ${batches.map((b, i) => `${i + 1}. ${b.join(", ")}`).join("; ")}`;
}
