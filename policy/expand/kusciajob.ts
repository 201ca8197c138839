/**
 * KusciaJob → the KusciaTasks the KusciaJob controller creates for it, and the
 * order it creates them in (pkg/controllers/kusciajob/handler/scheduler.go).
 * Pure: plain objects in, plain objects out.
 *
 * - Each task becomes a KusciaTask in cross-domain named by its taskID; a task
 *   without one gets `<job>-<last 12 hex digits of a random UUID>` (generateTaskID),
 *   shown here as `<job>-<generated>`.
 * - Spec: the job's initiator, the task's taskInputConfig and scheduleConfig, and
 *   per party domainID, appImageRef (the task's appImage), role and bandwidth limits
 *   (createTaskSpec, buildPartiesFromTaskInputConfig). A party's resources are split
 *   over the AppImage's containers (buildPartyTemplate), which needs the AppImage:
 *   not rendered here.
 * - Order (readyTasksOf, willStartTasksOf): a task is ready when every dependency has
 *   succeeded; ready tasks start highest priority first, at most maxParallelism at a
 *   time. The schedule assumes every task succeeds and tasks started together finish
 *   together. Upstream sorts with Go's sort.Slice, which is not stable: tasks of equal
 *   priority may start in another order than listed here (job order).
 */
import { findCycle } from "../checks/dag";
import { KUSCIA_API_VERSION } from "./types";

export interface KusciaJobTaskTemplate {
  alias: string;
  taskID?: string;
  dependencies?: string[];
  tolerable?: boolean;
  appImage: string;
  taskInputConfig: string;
  scheduleConfig?: Record<string, unknown>;
  priority?: number;
  parties: { domainID: string; role?: string; resources?: unknown; bandwidthLimits?: { destinationID: string; limitKBps: number }[] }[];
}

export interface KusciaJobResource {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "KusciaJob";
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { initiator: string; scheduleMode?: "Strict" | "BestEffort"; maxParallelism?: number; flowID?: string; tasks: KusciaJobTaskTemplate[] };
}

export interface KusciaTaskObject {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "KusciaTask";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { initiator: string; taskInputConfig: string; scheduleConfig?: Record<string, unknown>; parties: { domainID: string; appImageRef: string; role?: string; bandwidthLimits?: { destinationID: string; limitKBps: number }[] }[] };
}

export interface KusciaJobExpansion {
  tasks: KusciaTaskObject[];
  /** Task aliases in the batches the controller would start them in (every task succeeding). */
  schedule: string[][];
  warnings: string[];
  errors: string[];
}

/** Annotation (ours, informational) listing a rendered task's dependencies by alias. */
export const RENDER_DEPENDENCIES_ANNOTATION = "kuscia-iac/dependencies";

export function kusciaTaskName(job: string, t: Pick<KusciaJobTaskTemplate, "taskID">): string {
  return t.taskID ? t.taskID : `${job}-<generated>`;
}

export function expandKusciaJob(job: KusciaJobResource): KusciaJobExpansion {
  const name = job.metadata.name;
  const tasks = job.spec.tasks ?? [];
  const errors: string[] = [];
  const cycle = findCycle(tasks.map((t) => ({ alias: t.alias, dependencies: t.dependencies ?? [] })));
  if (cycle) errors.push(`KusciaJob ${JSON.stringify(name)}: tasks depend on each other in a cycle: ${cycle.join(" -> ")}`);
  const objects = tasks.map((t): KusciaTaskObject => {
    const annotations: Record<string, string> = { "kuscia.secretflow/job-id": name, "kuscia.secretflow/task-alias": t.alias };
    if ((t.dependencies ?? []).length > 0) annotations[RENDER_DEPENDENCIES_ANNOTATION] = (t.dependencies ?? []).join(",");
    return {
      apiVersion: KUSCIA_API_VERSION,
      kind: "KusciaTask",
      metadata: {
        name: kusciaTaskName(name, t),
        namespace: "cross-domain",
        labels: { "kuscia.secretflow/controller": "kuscia-job", "kuscia.secretflow/job-uid": job.metadata.uid ?? "<job uid>" },
        annotations,
      },
      spec: {
        initiator: job.spec.initiator,
        taskInputConfig: t.taskInputConfig,
        ...(t.scheduleConfig ? { scheduleConfig: t.scheduleConfig } : {}),
        parties: (t.parties ?? []).map((p) => ({
          domainID: p.domainID,
          appImageRef: t.appImage,
          ...(p.role ? { role: p.role } : {}),
          ...(p.bandwidthLimits?.length ? { bandwidthLimits: p.bandwidthLimits } : {}),
        })),
      },
    };
  });
  return { tasks: errors.length ? [] : objects, schedule: errors.length ? [] : schedule(job), warnings: [], errors };
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
