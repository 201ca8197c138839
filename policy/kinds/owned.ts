/**
 * Kinds the Kuscia controllers create and keep up to date themselves. The rule
 * book checks their structure against the CRD and warns that they are normally
 * not written by hand; it cannot see who is asking (the webhook's exemptRequesters
 * admit Kuscia's own service account without review).
 */
import type { KindPolicy } from "../engine";
import { KUSCIA } from "./common";
import { NO_CEL } from "../vap/reasons";
import { schema as gatewaySchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_Gateway";
import { schema as trSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_TaskResource";
import { schema as trgSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_TaskResourceGroup";
import { schema as kdsSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_KusciaDeploymentSummary";
import { schema as kjsSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_KusciaJobSummary";
import { schema as ktsSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_KusciaTaskSummary";

function owned(kind: string, id: string, schema: Record<string, unknown>, creator: string, source: string): KindPolicy {
  return {
    apiVersion: KUSCIA,
    kind,
    id,
    schema,
    rules: [
      {
        id: `${id}.controller-owned`,
        source,
        severity: "warning",
        summary: `${kind} is normally created by the Kuscia controller (${creator}); edit it only if you know why (the rule book cannot see who asks: exempt Kuscia's own service account in the policy configuration)`,
        vap: { unexpressible: NO_CEL.controllerOwned },
        check(_o, ctx) {
          ctx.warn([], `${kind} is normally created and updated by ${creator}; edit it only if you know why, as the controller may overwrite or act on what you write`);
        },
      },
    ],
  };
}

export const gateway = owned("Gateway", "gateway", gatewaySchema, "each Kuscia gateway, which registers itself", "pkg/gateway/controller/gateway.go: GatewayController (creates and refreshes the Gateway named after its host in its domain's namespace)");
export const taskResource = owned("TaskResource", "taskresource", trSchema, "the TaskResourceGroup controller", "pkg/controllers/taskresourcegroup/handler/creating_handler.go: Handle (TaskResources(party.DomainID).Create)");
export const taskResourceGroup = owned("TaskResourceGroup", "trg", trgSchema, "the KusciaTask controller", "pkg/controllers/kusciatask/handler/pending_handler.go: createTaskResourceGroup (TaskResourceGroups().Create, named after the task)");
export const kusciaDeploymentSummary = owned("KusciaDeploymentSummary", "kds", kdsSchema, "the kuscia interconnection controller", "pkg/interconn/kuscia/deployment.go: KusciaDeploymentSummaries(masterDomainID).Create");
export const kusciaJobSummary = owned("KusciaJobSummary", "kjs", kjsSchema, "the kuscia interconnection controller", "pkg/interconn/kuscia/job.go: KusciaJobSummaries(masterDomainID).Create");
export const kusciaTaskSummary = owned("KusciaTaskSummary", "kts", ktsSchema, "the kuscia interconnection controller", "pkg/interconn/kuscia/task.go: KusciaTaskSummaries(masterDomainID).Create");

export const OWNED_KINDS: readonly KindPolicy[] = [gateway, taskResource, taskResourceGroup, kusciaDeploymentSummary, kusciaJobSummary, kusciaTaskSummary];
