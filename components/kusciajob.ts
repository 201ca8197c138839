import * as pulumi from "@pulumi/pulumi";
import { refused } from "./refusal";
import { CROSS_DOMAIN, KUSCIA_API_VERSION } from "../policy/expand";
import { expandKusciaJob, type KusciaJobResource } from "../policy/expand/kusciajob";
import { createCustomResource, family, objectRef, whenCreated, type ReadinessArgs } from "./children";
import { isKnown, judgeLater } from "./known";
import { admitOrThrow, compact, KusciaValidationError, reviewFindings } from "./validate";

export interface KusciaJobPartyArgs {
  /** Domain ID of the party. */
  domainID: pulumi.Input<string>;
  /** The party's role in the task, e.g. `host`/`guest`. */
  role?: pulumi.Input<string>;
  /** Per-destination bandwidth limits. */
  bandwidthLimits?: pulumi.Input<pulumi.Input<{ destinationID: pulumi.Input<string>; limitKBps: pulumi.Input<number> }>[]>;
  /** Compute resources of the party's pods (a Kubernetes `ResourceRequirements`, split over the AppImage's containers). */
  resources?: pulumi.Input<Record<string, unknown>>;
}

export interface KusciaJobTaskArgs {
  /** The task's alias in the job (unique; dependencies name it). */
  alias: pulumi.Input<string>;
  /** The KusciaTask's name (a DNS-1123 label, unique). Default `<job>-<generated>`. */
  taskID?: pulumi.Input<string>;
  /** Aliases of the tasks this one waits for. */
  dependencies?: pulumi.Input<pulumi.Input<string>[]>;
  /** A failure of this task does not fail the job. */
  tolerable?: pulumi.Input<boolean>;
  /** The AppImage the task runs. */
  appImage: pulumi.Input<string>;
  /** The engine's task configuration (a string, usually JSON). */
  taskInputConfig: pulumi.Input<string>;
  /** Higher starts first among ready tasks. */
  priority?: pulumi.Input<number>;
  /** Scheduling settings of the KusciaTask (`scheduleConfig`). */
  scheduleConfig?: pulumi.Input<Record<string, unknown>>;
  /** The domains taking part. */
  parties: pulumi.Input<pulumi.Input<KusciaJobPartyArgs>[]>;
}

export interface KusciaJobArgs extends ReadinessArgs {
  /** The job ID (the object's name, in namespace `cross-domain`). Default: the resource name. Plain. */
  jobId?: string;
  /** Domain ID of the initiator (a party of the tasks). */
  initiator: pulumi.Input<string>;
  /** `Strict` (default: a failed critical task fails the job) or `BestEffort`. */
  scheduleMode?: pulumi.Input<"Strict" | "BestEffort">;
  /** Most tasks running at once (1-128; default 1). */
  maxParallelism?: pulumi.Input<number>;
  /** Flow the job belongs to. */
  flowID?: pulumi.Input<string>;
  /** The tasks (1-128), a DAG by alias. */
  tasks: pulumi.Input<pulumi.Input<KusciaJobTaskArgs>[]>;
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A KusciaJob in namespace `cross-domain`, for Kuscia's job controller to run: the custom resource,
 * reviewed by the rule book (aliases, dependencies, cycles, initiator, parties). A job has no native
 * form (the controller makes the KusciaTasks as the DAG advances), so only the custom resource is
 * created. `taskOrder` is the order the controller starts the tasks in.
 */
export class KusciaJob extends pulumi.ComponentResource {
  /** The job ID. */
  readonly jobId!: pulumi.Output<string>;
  /**
   * Task aliases in the batches Kuscia's job controller starts them in (policy/expand/kusciajob.ts,
   * after pkg/controllers/kusciajob/handler/scheduler.go): ready tasks highest priority first, at most
   * `maxParallelism` at a time, assuming every task succeeds and a batch finishes together.
   */
  readonly taskOrder!: pulumi.Output<string[][]>;
  /** The KusciaJob as validated, with the rule book's defaults. */
  readonly object!: pulumi.Output<KusciaJobResource>;
  /** `Kind/namespace/name` of the custom resource, once created. */
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: KusciaJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:KusciaJob", name, {}, opts);
    try {
      const kind = "KusciaJob";
      const jobId = args.jobId ?? name;
      if (typeof jobId !== "string") throw new KusciaValidationError(kind, name, ["jobId: must be a plain string, not an Output: it names the object, and so the Pulumi resource"], this);
      const fam = family(this, name, opts, args);
      const identity = { apiVersion: KUSCIA_API_VERSION, kind, metadata: { name: jobId, namespace: CROSS_DOMAIN } };
      const { jobId: _j, skipAwait: _s, timeoutSeconds: _t, waitFor: _w, ...rest } = args;
      const build = (a: pulumi.Unwrap<typeof rest>): KusciaJobResource => ({
        apiVersion: KUSCIA_API_VERSION,
        kind,
        metadata: compact({ name: jobId, namespace: CROSS_DOMAIN, labels: a.labels, annotations: a.annotations }),
        spec: compact({ initiator: a.initiator, scheduleMode: a.scheduleMode, maxParallelism: a.maxParallelism, flowID: a.flowID, tasks: (a.tasks ?? []).map((t) => compact({ ...t })) as KusciaJobResource["spec"]["tasks"] }),
      });
      const check = (a: pulumi.Unwrap<typeof rest>, secret: boolean): { job: KusciaJobResource; order: string[][] } => {
        const job = admitOrThrow(kind, name, build(a), this, "", secret);
        const ex = expandKusciaJob(job);
        if (ex.errors.length > 0) throw new KusciaValidationError(kind, name, ex.errors, this, secret);
        return { job, order: ex.schedule };
      };
      // Everything known at preview is judged then, even while other fields are unknown (components/partial.ts).
      const review = (a: unknown) => {
        const r = reviewFindings(build(a as pulumi.Unwrap<typeof rest>));
        // The job controller's own checks (cycles, unknown aliases) only on an object the rule book allows.
        const errors = r.findings.length === 0 ? expandKusciaJob(r.object).errors.map((message) => ({ message })) : [];
        return { object: r.object, findings: [...r.findings, ...errors] };
      };
      const checked = isKnown(rest) ? pulumi.output(check(rest as pulumi.Unwrap<typeof rest>, false)) : judgeLater(this, rest, check, { kind, name, review });
      const object = checked.apply((c) => c.job) as unknown as pulumi.Output<KusciaJobResource>;
      const cr = createCustomResource(fam, object as never, {}, false, identity);
      this.object = object;
      this.created = whenCreated([cr], [objectRef(identity)]);
      this.taskOrder = checked.apply((c) => c.order) as unknown as pulumi.Output<string[][]>;
      this.jobId = pulumi.all([pulumi.output(jobId), this.created]).apply(([x]) => x);
      this.registerOutputs({ jobId: this.jobId, taskOrder: this.taskOrder, object: this.object, created: this.created });
    } catch (e) {
      refused(this, e, ["jobId", "taskOrder", "object", "created"]);
    }
  }
}
