import type { KusciaJob, KusciaJobArgs } from "../../components";
import { any, arrayOf, bool, enumOf, int, objectOf, required, str, type ComponentSpec, type ElementOf } from "../spec";
import { CREATED, OBJECT, READINESS, annotations, labels, strings } from "./common";

type Task = ElementOf<KusciaJobArgs["tasks"]>;
type Party = ElementOf<Task["parties"]>;

export const kusciaJobSpec: ComponentSpec<KusciaJobArgs, KusciaJob> = {
  name: "KusciaJob",
  description:
    "A KusciaJob in namespace `cross-domain` for Kuscia's job controller: the custom resource, reviewed by the rule book (aliases, dependencies, cycles, initiator, parties). `taskOrder` is the order the controller starts its tasks in.",
  inputs: {
    ...READINESS,
    jobId: str("The job ID (the object's name). Default: the resource name.", { plain: true }),
    initiator: required(str("Domain ID of the initiator.")),
    scheduleMode: enumOf("ScheduleMode", ["Strict", "BestEffort"], "How a KusciaJob reacts to a failed task.", { doc: "`Strict` (default) or `BestEffort`." }),
    maxParallelism: int("Most tasks running at once (1-128; default 1)."),
    flowID: str("Flow the job belongs to."),
    tasks: required(
      arrayOf(
        objectOf<Task>("KusciaJobTask", "A task of a KusciaJob.", {
          alias: required(str("The task's alias (unique; dependencies name it).")),
          taskID: str("The KusciaTask's name (a DNS-1123 label). Default `<job>-<generated>`."),
          dependencies: strings("Aliases of the tasks this one waits for."),
          tolerable: bool("A failure of this task does not fail the job."),
          appImage: required(str("The AppImage the task runs.")),
          taskInputConfig: required(str("The engine's task configuration.")),
          priority: int("Higher starts first among ready tasks."),
          scheduleConfig: any("Scheduling settings of the KusciaTask."),
          parties: required(
            arrayOf(
              objectOf<Party>("KusciaJobParty", "A domain taking part in a task.", {
                domainID: required(str("Domain ID.")),
                role: str("Role in the task."),
                bandwidthLimits: arrayOf(
                  objectOf<ElementOf<Party["bandwidthLimits"]>>("BandwidthLimit", "A bandwidth limit towards one domain.", { destinationID: required(str("Destination domain ID.")), limitKBps: required(int("Limit in KB/s.")) }),
                  "Per-destination bandwidth limits.",
                ),
                resources: any("Compute resources of the party's pods (a Kubernetes `ResourceRequirements`)."),
              }),
              "The domains taking part.",
            ),
          ),
        }),
        "The tasks (1-128), a DAG by alias.",
      ),
    ),
    labels: labels("KusciaJob"),
    annotations: annotations("KusciaJob"),
  },
  example: {
    initiator: "alice",
    tasks: [
      { alias: "psi", appImage: "secretflow-image", taskInputConfig: "{}", parties: [{ domainID: "alice" }, { domainID: "bob" }] },
      { alias: "train", dependencies: ["psi"], appImage: "secretflow-image", taskInputConfig: "{}", parties: [{ domainID: "alice" }, { domainID: "bob" }] },
    ],
  },
  outputs: {
    jobId: required(str("The job ID.")),
    taskOrder: required(arrayOf({ kind: "array", items: { kind: "string", description: "alias" }, description: "a batch" }, "Task aliases in the batches Kuscia's job controller starts them in (ready tasks by priority, at most maxParallelism at a time, every task succeeding).")),
    object: OBJECT,
    created: CREATED,
  },
};
