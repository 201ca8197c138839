/**
 * KusciaTask: one multi-party task (normally created by the KusciaJob
 * controller from a job's task). The KusciaTask controller creates, per
 * party, pods `<task>-<role>-<index>` in the party's namespace and a
 * TaskResourceGroup named after the task (pkg/controllers/kusciatask).
 */
import type { KindPolicy } from "../engine";
import { schema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_KusciaTask";
import { KUSCIA, checkDomainId } from "./common";
import { checkAppImageRef, checkParties, checkTaskName, crossDomainRule, initiatorCel } from "./crossdomain";
import { arr, at, isObj, show } from "../checks/values";
import { appImageRefWhy, firstBad, labelOk, labelWhy, lit, show as celShow, subdomainOk, taskNameWhy } from "../vap/cel";
import { hasSpec, nameField, o as O, parties as celParties } from "../vap/forms";
import { plural } from "../plural";

const PENDING = "pkg/controllers/kusciatask/handler/pending_handler.go";

/** What kt.unlabelled tells (shared with its CEL form). */
export const UNLABELLED_FIX =
  "Kuscia's task controller skips a KusciaTask without labels or annotations, so this one would never run: give it at least one label and one annotation, or create a KusciaJob, whose controller writes its tasks with both";

// CEL pieces of the rules' `vap` below.
const partiesList = `${O}.spec.parties`;
const partiesGuard = `!(${hasSpec("parties")}) || `;
const partyChecks = celParties(partiesList);
const badRef = firstBad(partiesList, "p", `has(p.appImageRef) && !${subdomainOk("p.appImageRef")}`);
const negativePods = firstBad(partiesList, "p", "has(p.minReservedPods) && p.minReservedPods < 0");
const minMembers = `${O}.spec.scheduleConfig.minReservedMembers`;
/** `metadata.<field>` is a map with at least one entry (kt.unlabelled). */
const nonEmpty = (field: "labels" | "annotations") => `(has(${O}.metadata.${field}) && size(${O}.metadata.${field}) > 0)`;

export const kusciaTask: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "KusciaTask",
  id: "kt",
  schema,
  rules: [
    crossDomainRule("kt", "KusciaTask", "pkg/controllers/kusciatask/controller.go: syncHandler (looks the task up by name in common.KusciaCrossDomain only); pkg/controllers/kusciajob/handler/scheduler.go: buildWillStartKusciaTask (creates tasks there)"),
    {
      id: "kt.name",
      source: `${PENDING}: generatePodName (<task>-<role>-<index>), generateTaskResourceGroup (named after the task); docs/reference/concepts/kusciajob_cn.md (a taskID is an RFC 1123 label)`,
      severity: "error",
      summary: "metadata.name is a DNS-1123 label (it names the task's pods and TaskResourceGroup)",
      vap: { cel: [nameField(labelOk, taskNameWhy)] },
      check(o, ctx) {
        checkTaskName(ctx, ["metadata", "name"], at(o, "metadata", "name"));
      },
    },
    {
      id: "kt.parties",
      source: `${PENDING}: buildPartyKitInfo (appImagesLister.Get(appImageRef); party namespace is its domain ID), generatePodName and setPartyTaskStatus (keyed by domain and role); pkg/crd/apis/kuscia/v1alpha1/kusciatask_types.go: PartyInfo`,
      severity: "error",
      summary: "spec.parties is not empty, with valid domain IDs, unique (domainID, role), roles that fit pod and Service names, valid appImageRef, minReservedPods >= 0",
      vap: { cel: [
        { expression: `${partiesGuard}size(${partiesList}) > 0`, message: lit("spec.parties: is empty; a task runs on at least one party") },
        { expression: `${partiesGuard}(${partyChecks.idsOk})`, message: partyChecks.idsMessage("'spec.parties'") },
        { expression: `${partiesGuard}(${partyChecks.rolesOk})`, message: partyChecks.rolesMessage("'spec.parties'") },
        { expression: `${partiesGuard}(${partyChecks.unique})`, message: partyChecks.uniqueMessage("'spec.parties'", "'the task'") },
        {
          expression: `${partiesGuard}!${partiesList}.exists(p, has(p.appImageRef) && !${subdomainOk("p.appImageRef")})`,
          message: `'spec.parties[' + ${badRef.index} + '].appImageRef: ' + ${celShow(`${badRef.item}.appImageRef`)} + ' ' + ${appImageRefWhy(`${badRef.item}.appImageRef`)}`,
        },
        {
          expression: `${partiesGuard}!${partiesList}.exists(p, has(p.minReservedPods) && p.minReservedPods < 0)`,
          message: `'spec.parties[' + ${negativePods.index} + '].minReservedPods: is ' + string(${negativePods.item}.minReservedPods) + '; it must be 0 (all replicas) or more'`,
        },
      ] },
      check(o, ctx) {
        const parties = arr(at(o, "spec", "parties"));
        if (parties && parties.length === 0) ctx.fail(["spec", "parties"], "is empty; a task runs on at least one party");
        checkParties(ctx, ["spec", "parties"], parties, "the task");
        (parties ?? []).forEach((p, i) => {
          checkAppImageRef(ctx, ["spec", "parties", i, "appImageRef"], at(p, "appImageRef"));
          const m = at(p, "minReservedPods");
          if (typeof m === "number" && m < 0) ctx.fail(["spec", "parties", i, "minReservedPods"], `is ${m}; it must be 0 (all replicas) or more`);
        });
      },
    },
    {
      id: "kt.initiator",
      source: `${PENDING}: generateTaskResourceGroup (the initiator is copied to the TaskResourceGroup and every pod's annotations); pkg/controllers/kusciajob/handler/scheduler.go: createTaskSpec (the job's initiator)`,
      severity: "error",
      summary: "spec.initiator is a valid domain ID",
      vap: initiatorCel("task"),
      check(o, ctx) {
        const init = at(o, "spec", "initiator");
        if (init === "") ctx.fail(["spec", "initiator"], "is empty: set it to the domain ID that starts the task");
        else checkDomainId(ctx, ["spec", "initiator"], init);
      },
    },
    {
      id: "kt.unlabelled",
      source: "pkg/controllers/kusciatask/controller.go: syncHandler (\"annotations and labels can't be empty, skipping\": a task with no labels or no annotations is never run); pkg/controllers/kusciajob/handler/scheduler.go: buildWillStartKusciaTask (the job controller always writes both)",
      severity: "warning",
      summary: "metadata.labels and metadata.annotations are set (the task controller skips a KusciaTask without either)",
      vap: { cel: [
        {
          expression: `${nonEmpty("labels")} && ${nonEmpty("annotations")}`,
          message: `(${nonEmpty("labels")} ? 'metadata.annotations: is not set' : (${nonEmpty("annotations")} ? 'metadata.labels: is not set' : 'metadata.labels: is not set, nor is metadata.annotations')) + ${lit(`; ${UNLABELLED_FIX}`)}`,
        },
      ] },
      check(o, ctx) {
        // An empty map is no better: the API server drops it from the metadata it stores.
        const set = (k: string) => {
          const v = at(o, "metadata", k);
          return isObj(v) && Object.keys(v).length > 0;
        };
        const labels = set("labels");
        const annotations = set("annotations");
        if (labels && annotations) return;
        ctx.warn(["metadata", labels ? "annotations" : "labels"], `${!labels && !annotations ? "is not set, nor is metadata.annotations" : "is not set"}; ${UNLABELLED_FIX}`);
      },
    },
    {
      id: "kt.min-reserved-members",
      source: `${PENDING}: generateTaskResourceGroup (minReservedMembers <= 0 or above the number of parties becomes the number of parties)`,
      severity: "warning",
      summary: "spec.scheduleConfig.minReservedMembers is at most the number of parties",
      vap: { cel: [
        {
          expression: `!(has(${O}.spec) && has(${O}.spec.scheduleConfig) && has(${minMembers}) && ${hasSpec("parties")} && size(${partiesList}) > 0 && ${minMembers} > size(${partiesList}))`,
          message: `'spec.scheduleConfig.minReservedMembers: is ' + string(${minMembers}) + ' but the task has ' + string(size(${partiesList})) + (size(${partiesList}) == 1 ? ' party' : ' parties') + '; Kuscia uses ' + string(size(${partiesList}))`,
        },
      ] },
      check(o, ctx) {
        const m = at(o, "spec", "scheduleConfig", "minReservedMembers");
        const n = (arr(at(o, "spec", "parties")) ?? []).length;
        if (typeof m === "number" && n > 0 && m > n) ctx.warn(["spec", "scheduleConfig", "minReservedMembers"], `is ${show(m)} but the task has ${plural(n, "party", "parties")}; Kuscia uses ${n}`);
      },
    },
  ],
};
