/**
 * KusciaJob: a DAG of tasks the KusciaJob controller turns into KusciaTasks
 * (pkg/controllers/kusciajob). The controller validates a job once, when it is
 * first reconciled (handler/scheduler.go: kusciaJobValidate), and fails it
 * with ValidateFailed; KusciaAPI validates its CreateJob requests first
 * (pkg/kusciaapi/service/job_service.go: validateCreateJobRequest). These rules
 * refuse at admission what either would refuse later.
 */
import type { KindPolicy } from "../engine";
import { schema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_KusciaJob";
import { KUSCIA, checkDomainId } from "./common";
import { CROSS_DOMAIN, checkAppImageRef, checkParties, checkTaskName, crossDomainRule, initiatorCel, k3sName } from "./crossdomain";
import { findCycle } from "../checks/dag";
import { placeholder, taskServiceDot } from "../checks/names";
import { arr, at, show } from "../checks/values";
import { appImageRefWhy, domainIdOk, domainIdWhy, firstBad, k3sOk, k3sWhy, labelOk, labelWhy, lit, show as celShow, subdomainOk, taskNameWhy, taskServiceDotCel } from "../vap/cel";
import { domainIdField, firstBad2, hasSpec, nameField, o as O, parties as celParties } from "../vap/forms";
import { NO_CEL } from "../vap/reasons";

const SCHEDULER = "pkg/controllers/kusciajob/handler/scheduler.go";
export const KJ_INTERCONN = {
  label: "kuscia.secretflow/interconn-protocol-type",
  bfia: "kuscia.secretflow/interconn-bfia-parties",
  kuscia: "kuscia.secretflow/interconn-kuscia-parties",
};

/** The reason a dotted job name fails when tasks[`task`] has no taskID (the CEL form in vap/rules.ts says the same). */
export function generatedTaskIdWhy(job: string, task: number): string {
  return `${show(job)} contains '.', and tasks[${task}] has no taskID: the KusciaJob controller names that task ${JSON.stringify(`${job}-<12 hex digits>`)} (generateTaskID), which ${taskServiceDot(`${job}-<12 hex digits>`)} (or give every task a taskID)`;
}

function tasksOf(o: unknown): unknown[] {
  return arr(at(o, "spec", "tasks")) ?? [];
}

function aliasIndex(o: unknown): Map<string, number> {
  const m = new Map<string, number>();
  tasksOf(o).forEach((t, i) => {
    const a = at(t, "alias");
    if (typeof a === "string" && a !== "" && !m.has(a)) m.set(a, i);
  });
  return m;
}

// CEL pieces of the rules' `vap` below: tasks, aliases, taskIDs, parties, bandwidth limits, tolerable dependencies.
const tasks = `${O}.spec.tasks`;
const guard = `!(${hasSpec("tasks")}) || `;
const idx = (t: string) => `string(${tasks}.indexOf(${t}))`;
// Aliases and taskIDs as lists parallel to the tasks ('\u0000' where a task has none).
const aliases = `${tasks}.map(t, has(t.alias) ? t.alias : '\\u0000')`;
const known = `${tasks}.filter(t, has(t.alias) && t.alias != '').map(t, t.alias)`;
const ids = `${tasks}.map(t, has(t.taskID) ? t.taskID : '\\u0000')`;
const emptyAlias = firstBad(tasks, "t", "has(t.alias) && t.alias == ''");
const dupAlias = `${known}.filter(a, ${aliases}.indexOf(a) != ${aliases}.lastIndexOf(a))[0]`;
const badId = firstBad(tasks, "t", `has(t.taskID) && t.taskID != '' && !${labelOk("t.taskID")}`);
const dupId = `${tasks}.filter(t, has(t.taskID) && t.taskID != '' && ${ids}.indexOf(t.taskID) != ${ids}.lastIndexOf(t.taskID))[0].taskID`;
const unnamed = firstBad(tasks, "t", "!has(t.taskID) || t.taskID == ''");
const dep = firstBad2(tasks, "t", "dependencies", "d", `!(d in ${known})`);
const emptyParties = firstBad(tasks, "t", "has(t.parties) && size(t.parties) == 0");
const idsTask = `${tasks}.filter(t, has(t.parties) && !(${celParties("t.parties").idsOk}))[0]`;
const dupTask = `${tasks}.filter(t, has(t.parties) && !(${celParties("t.parties").unique}))[0]`;
const roleTask = `${tasks}.filter(t, has(t.parties) && !(${celParties("t.parties").rolesOk}))[0]`;
const path = (t: string) => `'spec.tasks[' + ${idx(t)} + '].parties'`;
// Bandwidth limits: tasks[i].parties[j].bandwidthLimits[k].
const bw = (bad: string) => {
  const t = firstBad(tasks, "t", `has(t.parties) && t.parties.exists(p, has(p.bandwidthLimits) && p.bandwidthLimits.exists(b, ${bad}))`);
  const p = firstBad(`${t.item}.parties`, "p", `has(p.bandwidthLimits) && p.bandwidthLimits.exists(b, ${bad})`);
  const b = firstBad(`${p.item}.bandwidthLimits`, "b", bad);
  return {
    ok: `${guard}!${tasks}.exists(t, has(t.parties) && t.parties.exists(p, has(p.bandwidthLimits) && p.bandwidthLimits.exists(b, ${bad})))`,
    path: `'spec.tasks[' + ${t.index} + '].parties[' + ${p.index} + '].bandwidthLimits[' + ${b.index} + ']'`,
    item: b.item,
  };
};
const destEmpty = bw("has(b.destinationID) && b.destinationID == ''");
const destBad = bw(`has(b.destinationID) && b.destinationID != '' && !${domainIdOk("b.destinationID")}`);
const rate = bw("has(b.limitKBps) && b.limitKBps <= 0");
const tolerable = `${tasks}.filter(t, has(t.tolerable) && t.tolerable && has(t.alias)).map(t, t.alias)`;
const tol = firstBad2(tasks, "t", "dependencies", "d", `d in ${tolerable}`);

export const kusciaJob: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "KusciaJob",
  id: "kj",
  schema,
  schemaSource: "crds/kuscia/kuscia.secretflow_kusciajobs.yaml (upstream crds/v1alpha1): scheduleMode Strict|BestEffort (default Strict), maxParallelism 1-128 (default 1), 1-128 tasks",
  rules: [
    crossDomainRule("kj", "KusciaJob", "pkg/controllers/kusciajob/controller.go: syncHandler (looks the job up by name in common.KusciaCrossDomain only); pkg/kusciaapi/service/job_service.go: CreateJob (creates jobs in cross-domain)"),
    {
      id: "kj.name",
      source: "pkg/kusciaapi/service/job_service.go: validateCreateJobRequest (resources.ValidateK8sName(job_id), pkg/common/constants.go: K3sRegex); scheduler.go: generateTaskID (task names are <job>-<12 hex digits>)",
      severity: "error",
      summary: "metadata.name is a job ID KusciaAPI accepts (K3sRegex: at most 63 of [a-z0-9.-])",
      vap: { cel: [nameField(k3sOk, k3sWhy)] },
      check(o, ctx) {
        const n = at(o, "metadata", "name");
        if (typeof n !== "string") return;
        const why = placeholder(n) ?? k3sName(n);
        if (why) ctx.fail(["metadata", "name"], `${show(n)} ${why}`);
      },
    },
    {
      id: "kj.tasks",
      source: `pkg/kusciaapi/service/job_service.go: validateCreateJobRequest (task alias can not be empty), CreateJob (task_id may be empty); ${SCHEDULER}: kusciaJobDependenciesExits, buildJobSubTaskStatus (tasks and their status are keyed by alias), buildWillStartKusciaTask (taskID names the KusciaTask), setJobTaskID and generateTaskID (a task without taskID gets <job>-<12 hex digits>); pkg/controllers/kusciatask/handler/pending_handler.go: generatePodName, generatePortServices and pkg/utils/resources/service.go: GenerateServiceName (a Service <task>-<role>-<index>-<port> per serviced port: no '.'); docs/reference/concepts/kusciajob_cn.md (taskID is an RFC 1123 label)`,
      severity: "error",
      summary: "tasks have non-empty, unique aliases, and unique taskIDs that are DNS-1123 labels; a job with tasks without taskID has a name without '.' (the generated taskIDs name Services)",
      vap: { cel: [
        { expression: `${guard}!${tasks}.exists(t, has(t.alias) && t.alias == '')`, message: `'spec.tasks[' + ${emptyAlias.index} + '].alias: is empty; every task needs an alias (dependencies refer to tasks by alias)'` },
        {
          // The second task of the first repeated alias (exact unless an alias is used three times).
          expression: `${guard}${known}.all(a, ${aliases}.indexOf(a) == ${aliases}.lastIndexOf(a))`,
          message: `'spec.tasks[' + string(${aliases}.lastIndexOf(${dupAlias})) + '].alias: ' + ${celShow(dupAlias)} + ' is also the alias of tasks[' + string(${aliases}.indexOf(${dupAlias})) + ']; aliases must be unique (dependencies and task status are keyed by alias)'`,
        },
        {
          expression: `${guard}!${tasks}.exists(t, has(t.taskID) && t.taskID != '' && !${labelOk("t.taskID")})`,
          message: `'spec.tasks[' + ${badId.index} + '].taskID: ' + ${celShow(`${badId.item}.taskID`)} + ' ' + ${taskNameWhy(`${badId.item}.taskID`)}`,
        },
        {
          expression: `${guard}!${tasks}.exists(t, has(t.taskID) && t.taskID != '' && ${ids}.indexOf(t.taskID) != ${ids}.lastIndexOf(t.taskID))`,
          message: `'spec.tasks[' + string(${ids}.lastIndexOf(${dupId})) + '].taskID: ' + ${celShow(dupId)} + ' is also the taskID of tasks[' + string(${ids}.indexOf(${dupId})) + ']; each task becomes a KusciaTask named by its taskID'`,
        },
        {
          // generatedTaskIdWhy: a task without taskID is named <job>-<12 hex digits>.
          expression: `!(has(${O}.metadata.name) && ${O}.metadata.name.contains('.')) || ${guard}${tasks}.all(t, has(t.taskID) && t.taskID != '')`,
          message:
            `'metadata.name: ' + ${celShow(`${O}.metadata.name`)} + ' contains \\'.\\', and tasks[' + ${unnamed.index} + '] has no taskID: the KusciaJob controller names that task "' + ${O}.metadata.name + '-<12 hex digits>" (generateTaskID), which ' + ` +
            `${taskServiceDotCel(`${O}.metadata.name + '-<12 hex digits>'`)} + ' (or give every task a taskID)'`,
        },
      ] },
      check(o, ctx) {
        const seenAlias = new Map<string, number>();
        const seenId = new Map<string, number>();
        tasksOf(o).forEach((t, i) => {
          const a = at(t, "alias");
          if (a === "") ctx.fail(["spec", "tasks", i, "alias"], "is empty; every task needs an alias (dependencies refer to tasks by alias)");
          else if (typeof a === "string") {
            if (seenAlias.has(a)) ctx.fail(["spec", "tasks", i, "alias"], `${show(a)} is also the alias of tasks[${seenAlias.get(a)}]; aliases must be unique (dependencies and task status are keyed by alias)`);
            else seenAlias.set(a, i);
          }
          const id = at(t, "taskID");
          if (typeof id === "string" && id !== "") {
            checkTaskName(ctx, ["spec", "tasks", i, "taskID"], id);
            if (seenId.has(id)) ctx.fail(["spec", "tasks", i, "taskID"], `${show(id)} is also the taskID of tasks[${seenId.get(id)}]; each task becomes a KusciaTask named by its taskID`);
            else seenId.set(id, i);
          }
        });
        // A task without taskID is named after the job: a dot in the job's name reaches its Services.
        const name = at(o, "metadata", "name");
        const unnamed = tasksOf(o).findIndex((t) => at(t, "taskID") === undefined || at(t, "taskID") === "");
        if (typeof name === "string" && name.includes(".") && unnamed >= 0) ctx.fail(["metadata", "name"], generatedTaskIdWhy(name, unnamed));
      },
    },
    {
      id: "kj.dependencies",
      source: `${SCHEDULER}: kusciaJobDependenciesExits ("task %s has not exist dependency task %s")`,
      severity: "error",
      summary: "every tasks[].dependencies entry is the alias of a task of the job",
      vap: { cel: [
        {
          expression: `${guard}${tasks}.all(t, !has(t.dependencies) || t.dependencies.all(d, d in ${known}))`,
          // The webhook lists each alias once, at most 10; here an alias used twice is listed twice, and all are listed.
          message:
            `'spec.tasks[' + ${dep.outer.index} + '].dependencies[' + ${dep.inner.index} + ']: ' + ${celShow(dep.inner.item)} + ' is not the alias of any task of this job (aliases: ' + ` +
            `(size(${known}) == 0 ? 'none' : ${known}.map(a, ${celShow("a")}).join(', ')) + '); the controller fails the job with ValidateFailed'`,
        },
      ] },
      check(o, ctx) {
        const known = aliasIndex(o);
        tasksOf(o).forEach((t, i) => {
          (arr(at(t, "dependencies")) ?? []).forEach((d, j) => {
            if (typeof d === "string" && !known.has(d)) {
              const list = [...known.keys()].slice(0, 10).map((x) => JSON.stringify(x)).join(", ");
              ctx.fail(["spec", "tasks", i, "dependencies", j], `${show(d)} is not the alias of any task of this job (aliases: ${list || "none"}); the controller fails the job with ValidateFailed`);
            }
          });
        });
      },
    },
    {
      id: "kj.cycle",
      source: `${SCHEDULER}: kusciaJobHasTaskCycle ("cycled dependencies")`,
      severity: "error",
      summary: "the task dependencies form no cycle (the job is a DAG)",
      vap: { unexpressible: "finds a cycle in the task dependency graph: that needs a traversal of unbounded depth, and CEL has no recursion or loops" },
      check(o, ctx) {
        const known = aliasIndex(o);
        const tasks = tasksOf(o).flatMap((t) => {
          const a = at(t, "alias");
          return typeof a === "string" && a !== "" ? [{ alias: a, dependencies: (arr(at(t, "dependencies")) ?? []).filter((d): d is string => typeof d === "string") }] : [];
        });
        const cycle = findCycle(tasks);
        if (!cycle) return;
        const q = (xs: string[]) => xs.map((a) => JSON.stringify(a));
        const shown = cycle.length > 12 ? [...q(cycle.slice(0, 6)), `... (${cycle.length - 12} more)`, ...q(cycle.slice(-6))] : q(cycle);
        ctx.fail(["spec", "tasks", known.get(cycle[0]) ?? 0, "dependencies"], `tasks depend on each other in a cycle: ${shown.join(" -> ")}; none of them could ever start, and the controller fails the job with ValidateFailed`);
      },
    },
    {
      id: "kj.initiator",
      source: `pkg/kusciaapi/service/job_service.go: validateInitiator (initiator can not be empty); ${SCHEDULER}: kusciaJobValidate (the initiator names a namespace, a domain ID)`,
      severity: "error",
      summary: "spec.initiator is a valid domain ID",
      vap: initiatorCel("job"),
      emits: [
        {
          id: "kj.initiator.not-party",
          severity: "warning",
          summary: "spec.initiator is not a party of any task",
          source: `${SCHEDULER}: annotateKusciaJob (supports a job whose initiator does not participate, as in centralized deployments); pkg/kusciaapi/service/job_service.go: authHandlerJobCreate (a domain's KusciaAPI creates only jobs it participates in)`,
          vap: { unexpressible: "its message lists the distinct party domains across all tasks, which needs a flatten of lists of lists the CEL of Kubernetes 1.30 lacks; not written in CEL yet" },
        },
      ],
      check(o, ctx) {
        const init = at(o, "spec", "initiator");
        if (init === "") return ctx.fail(["spec", "initiator"], "is empty: set it to the domain ID that starts the job");
        if (!checkDomainId(ctx, ["spec", "initiator"], init)) return;
        const parties = new Set<string>();
        for (const t of tasksOf(o)) for (const p of arr(at(t, "parties")) ?? []) if (typeof at(p, "domainID") === "string") parties.add(at(p, "domainID") as string);
        if (parties.size > 0 && !parties.has(init as string)) {
          ctx.warn(["spec", "initiator"], `${show(init)} is not a party of any task (parties: ${[...parties].slice(0, 10).map((d) => JSON.stringify(d)).join(", ")}); only a centralized master schedules such a job, a domain's KusciaAPI would refuse it`, "kj.initiator.not-party");
        }
      },
    },
    {
      id: "kj.parties",
      source: "pkg/kusciaapi/service/job_service.go: validateCreateJobRequest (parties can not be empty, party domain id can not be empty), CreateJob (bandwidth limit kbps can not be zero or negative, destination id can not be empty); pkg/controllers/kusciatask/handler/pending_handler.go: generatePodName (<task>-<role>-<index> in the party's namespace: a (domain, role) pair twice collides), generatePortServices (<pod>-<port> Services: the role must fit a DNS-1035 label)",
      severity: "error",
      summary: "every task has parties with valid, unique (domainID, role), roles that fit the pod and Service names, and bandwidth limits with a destination and a positive rate",
      vap: { cel: [
        { expression: `${guard}!${tasks}.exists(t, has(t.parties) && size(t.parties) == 0)`, message: `'spec.tasks[' + ${emptyParties.index} + '].parties: is empty; a task runs on at least one party'` },
        { expression: `${guard}${tasks}.all(t, !has(t.parties) || (${celParties("t.parties").idsOk}))`, message: celParties(`${idsTask}.parties`).idsMessage(path(idsTask)) },
        { expression: `${guard}${tasks}.all(t, !has(t.parties) || (${celParties("t.parties").rolesOk}))`, message: celParties(`${roleTask}.parties`).rolesMessage(path(roleTask)) },
        { expression: `${guard}${tasks}.all(t, !has(t.parties) || (${celParties("t.parties").unique}))`, message: celParties(`${dupTask}.parties`).uniqueMessage(path(dupTask), `'tasks[' + ${idx(dupTask)} + ']'`) },
        { expression: destEmpty.ok, message: `${destEmpty.path} + '.destinationID: is empty; name the domain the limit applies to'` },
        { expression: destBad.ok, message: `${destBad.path} + '.destinationID: ' + ${celShow(`${destBad.item}.destinationID`)} + ' ' + ${domainIdWhy(`${destBad.item}.destinationID`)}` },
        { expression: rate.ok, message: `${rate.path} + '.limitKBps: is ' + string(${rate.item}.limitKBps) + '; a bandwidth limit must be positive'` },
      ] },
      check(o, ctx) {
        tasksOf(o).forEach((t, i) => {
          const base = ["spec", "tasks", i, "parties"];
          const parties = arr(at(t, "parties"));
          if (parties && parties.length === 0) ctx.fail(base, "is empty; a task runs on at least one party");
          checkParties(ctx, base, parties, `tasks[${i}]`);
          (parties ?? []).forEach((p, j) => {
            (arr(at(p, "bandwidthLimits")) ?? []).forEach((b, k) => {
              const dest = at(b, "destinationID");
              const rate = at(b, "limitKBps");
              if (dest === "") ctx.fail([...base, j, "bandwidthLimits", k, "destinationID"], "is empty; name the domain the limit applies to");
              else checkDomainId(ctx, [...base, j, "bandwidthLimits", k, "destinationID"], dest);
              if (typeof rate === "number" && rate <= 0) ctx.fail([...base, j, "bandwidthLimits", k, "limitKBps"], `is ${rate}; a bandwidth limit must be positive`);
            });
          });
        });
      },
    },
    {
      id: "kj.app-image",
      source: "pkg/controllers/kusciajob/handler/scheduler.go: buildPartiesFromTaskInputConfig (appImage becomes each party's appImageRef); pkg/controllers/kusciatask/handler/pending_handler.go: buildPartyKitInfo (appImagesLister.Get)",
      severity: "error",
      summary: "tasks[].appImage names an AppImage (a DNS-1123 subdomain)",
      vap: { cel: [
        (() => {
          const l = `${O}.spec.tasks`;
          const b = firstBad(l, "t", `has(t.appImage) && !${subdomainOk("t.appImage")}`);
          return {
            expression: `!(${hasSpec("tasks")}) || ${l}.all(t, !has(t.appImage) || ${subdomainOk("t.appImage")})`,
            message: `'spec.tasks[' + ${b.index} + '].appImage: ' + ${celShow(`${b.item}.appImage`)} + ' ' + ${appImageRefWhy(`${b.item}.appImage`)}`,
          };
        })(),
      ] },
      check(o, ctx) {
        tasksOf(o).forEach((t, i) => checkAppImageRef(ctx, ["spec", "tasks", i, "appImage"], at(t, "appImage")));
      },
    },
    {
      id: "kj.interconn",
      source: `${SCHEDULER}: annotateInterConn ("can't create a job with partners using both bfia and kuscia protocol"), annotateKusciaJob (skips annotating a job that already carries the interconn annotations), isBFIAInterConnJob; pkg/crd/apis/kuscia/v1alpha1/domain_types.go: InterConnKuscia, InterConnBFIA`,
      severity: "error",
      summary: `the interconn label is kuscia or bfia, and a job does not list partners under both protocols (${KJ_INTERCONN.bfia} and ${KJ_INTERCONN.kuscia})`,
      vap: { cel: (() => {
        const label = `${O}.metadata.labels['kuscia.secretflow/interconn-protocol-type']`;
        const ann = (k: string) => `${O}.metadata.annotations['kuscia.secretflow/interconn-${k}-parties']`;
        const hasAnn = (k: string) => `has(${O}.metadata.annotations) && 'kuscia.secretflow/interconn-${k}-parties' in ${O}.metadata.annotations && ${ann(k)} != ''`;
        return [
          {
            expression: `!(has(${O}.metadata.labels) && 'kuscia.secretflow/interconn-protocol-type' in ${O}.metadata.labels) || ${label} in ['kuscia', 'bfia']`,
            message: `'metadata.labels["kuscia.secretflow/interconn-protocol-type"]: is ' + ${celShow(label)} + '; Kuscia knows the interconnection protocols kuscia and bfia (case-sensitive)'`,
          },
          {
            expression: `!(${hasAnn("bfia")} && ${hasAnn("kuscia")})`,
            message: `'metadata.annotations["kuscia.secretflow/interconn-bfia-parties"]: lists bfia partners (' + ${celShow(ann("bfia"))} + ') while kuscia.secretflow/interconn-kuscia-parties lists kuscia partners (' + ${celShow(ann("kuscia"))} + '); a job\\'s partners must all use one protocol, and the controller does not re-check a job that already carries these annotations'`,
          },
        ];
      })() },
      check(o, ctx) {
        const label = at(o, "metadata", "labels", KJ_INTERCONN.label);
        if (label !== undefined && label !== "kuscia" && label !== "bfia") {
          ctx.fail(["metadata", "labels", KJ_INTERCONN.label], `is ${show(label)}; Kuscia knows the interconnection protocols kuscia and bfia (case-sensitive)`);
        }
        const bfia = at(o, "metadata", "annotations", KJ_INTERCONN.bfia);
        const kuscia = at(o, "metadata", "annotations", KJ_INTERCONN.kuscia);
        if (typeof bfia === "string" && bfia !== "" && typeof kuscia === "string" && kuscia !== "") {
          ctx.fail(["metadata", "annotations", KJ_INTERCONN.bfia], `lists bfia partners (${show(bfia)}) while ${KJ_INTERCONN.kuscia} lists kuscia partners (${show(kuscia)}); a job's partners must all use one protocol, and the controller does not re-check a job that already carries these annotations`);
        }
      },
    },
    {
      id: "kj.tolerable-dependency",
      source: "pkg/crd/apis/kuscia/v1alpha1/kusciajob_types.go: KusciaTaskTemplate.Tolerable (\"tolerable sub-task can not be other sub-tasks dependencies\"; not enforced by the controller: scheduler.go readyTasksOf waits for Succeeded)",
      severity: "warning",
      summary: "a tolerable task is not a dependency of another task",
      vap: { cel: [
        {
          expression: `${guard}${tasks}.all(t, !has(t.dependencies) || !t.dependencies.exists(d, d in ${tolerable}))`,
          message:
            `'spec.tasks[' + ${tol.outer.index} + '].dependencies[' + ${tol.inner.index} + ']: ' + ${celShow(tol.inner.item)} + ' is tolerable (its failure does not fail the job), but this task waits for it to succeed; if it fails, ' + ` +
            `(has(${tol.outer.item}.alias) ? ${celShow(`${tol.outer.item}.alias`)} : 'undefined') + ' never starts'`,
        },
      ] },
      check(o, ctx) {
        const tolerable = new Set(tasksOf(o).filter((t) => at(t, "tolerable") === true).map((t) => at(t, "alias")));
        if (tolerable.size === 0) return;
        tasksOf(o).forEach((t, i) => {
          (arr(at(t, "dependencies")) ?? []).forEach((d, j) => {
            if (tolerable.has(d)) ctx.warn(["spec", "tasks", i, "dependencies", j], `${show(d)} is tolerable (its failure does not fail the job), but this task waits for it to succeed; if it fails, ${show(at(t, "alias"))} never starts`);
          });
        });
      },
    },
  ],
  // No immutable fields: upstream refuses no spec change (the controller validates a job once, when it first sees it).
  // The CRD's defaults (what the API server stores): scheduleMode Strict, maxParallelism 1, tasks[].tolerable false.
  defaults: [
    { id: "schedule-mode", summary: "scheduleMode is Strict when unset (the CRD's default)", source: "crds/kuscia/kuscia.secretflow_kusciajobs.yaml (scheduleMode default Strict)", parent: "spec", field: "scheduleMode", value: "Strict" },
    { id: "max-parallelism", summary: "maxParallelism is 1 when unset (the CRD's default)", source: "crds/kuscia/kuscia.secretflow_kusciajobs.yaml (maxParallelism default 1)", parent: "spec", field: "maxParallelism", value: 1 },
    { id: "tolerable", summary: "a task's tolerable is false when unset (the CRD's default)", source: "crds/kuscia/kuscia.secretflow_kusciajobs.yaml (tasks[].tolerable default false)", parent: "spec.tasks[]", field: "tolerable", value: false },
  ],
};

export { CROSS_DOMAIN };
