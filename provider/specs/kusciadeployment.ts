import { appImageResource, type KusciaDeployment, type KusciaDeploymentArgs, type PartyPodSpecArgs, type PartyTemplateArgs } from "../../components";
import { arrayOf, bool, enumOf, int, objectOf, required, str, type ComponentSpec, type ElementOf, type Plain } from "../spec";
import { SERVING_IMAGE } from "./appimage";
import { CREATED, EMIT, OBJECT, annotations, k8sObject, labels, strings, READINESS } from "./common";

type Party = ElementOf<KusciaDeploymentArgs["parties"]>;
type PartyStatus = ElementOf<KusciaDeployment["partyStatuses"]>;

const PHASE_DOC = "`Progressing`, `PartialAvailable`, `Available`, or `Failed` (reported by Kuscia).";

const template = objectOf<Plain<PartyTemplateArgs>>("PartyTemplate", "Overrides of the AppImage deploy template for one party.", {
  replicas: int("Replicas of the party's Deployment. Default: the AppImage deploy template's, else 1."),
  strategy: k8sObject("DeploymentStrategy", "Deployment strategy. Default: RollingUpdate with maxSurge and maxUnavailable 25%."),
  spec: objectOf<Plain<PartyPodSpecArgs>>("PartyPodSpec", "Pod overrides.", {
    containers: arrayOf(
      objectOf<ElementOf<PartyPodSpecArgs["containers"]>>("PartyContainer", "Overrides of one container, matched by name.", {
        name: required(str("Name of the AppImage deploy template container to override.")),
        resources: k8sObject("ResourceRequirements", "Requests and limits replacing the AppImage's for that container."),
      }),
      "Per-container overrides (only `resources` is used by Kuscia).",
    ),
    affinity: k8sObject("Affinity", "Pod affinity replacing the AppImage's; pod (anti-)affinity terms are pinned to this deployment's pods."),
  }),
});

export const kusciaDeploymentSpec: ComponentSpec<KusciaDeploymentArgs, KusciaDeployment> = {
  name: "KusciaDeployment",
  description:
    "A Kuscia deployment: a long-running application across parties. `native` creates, per party of this cluster, what the KusciaDeployment controller creates (Services per Cluster/Domain port, the `<deployment>-configtemplate` ConfigMap, the Deployment); `custom-resource` creates the KusciaDeployment.",
  inputs: {
    ...READINESS,
    name: str("Name of the KusciaDeployment (and of each party's Deployment). Default: the resource name."),
    namespace: str("Namespace of the custom resource; Kuscia only reconciles `cross-domain` (the default)."),
    labels: labels("KusciaDeployment"),
    annotations: annotations("KusciaDeployment"),
    initiator: required(str("Domain ID of the initiating party; must be one of the parties.")),
    inputConfig: str("Application input, a JSON document serialised as a string; default empty."),
    parties: required(
      arrayOf(
        objectOf<Party>("KusciaDeploymentParty", "A party of the deployment.", {
          domainID: required(str("The party's domain ID; its Deployment goes to the namespace of that name.")),
          appImageRef: required(str("Name of the AppImage the party runs.")),
          role: str("Role of the party; selects the AppImage deploy template and suffixes the Deployment name (`<name>-<role>`)."),
          serviceNamePrefix: str("Prefix of the party's Service names instead of the Deployment name."),
          template,
        }),
        "The parties; one Deployment per party of this cluster.",
      ),
    ),
    appImages: arrayOf({ kind: "any", description: "an AppImage object" }, "AppImages the parties refer to, as plain objects (an AppImage component's `object` output); required for `native`."),
    partnerDomains: strings("Domain IDs that are partner domains in this cluster: their parties are deployed by the partner, not here."),
    renderConfigTemplates: bool("Fill the config templates' `{{.VAR}}` placeholders in the ConfigMaps (default true; false keeps them verbatim for Kuscia's agent)."),
    emit: EMIT,
  },
  example: {
    name: "serving",
    initiator: "alice",
    inputConfig: "{}",
    parties: [
      { domainID: "alice", appImageRef: "serving-image", template: { replicas: 1 } },
      { domainID: "bob", appImageRef: "serving-image" },
    ],
    appImages: [appImageResource("serving-image", SERVING_IMAGE)],
    partnerDomains: ["bob"],
  },
  outputs: {
    object: OBJECT,
    created: CREATED,
    partyStatuses: required(
      arrayOf(
        objectOf<PartyStatus>("PartyStatus", "Status of one party's Deployment.", {
          domainID: required(str("The party's domain ID.")),
          role: required(str("The party's role.")),
          deployment: required(str("Name of the party's Deployment in namespace `domainID`.")),
          phase: required(str(`Phase of the party: ${PHASE_DOC}`)),
          replicas: required(int("Replicas of the Deployment.")),
          availableReplicas: required(int("Available replicas.")),
        }),
        "Per party of this cluster: phase, replicas and available replicas of its Deployment.",
      ),
    ),
    phase: required(enumOf("KusciaDeploymentPhase", ["Progressing", "PartialAvailable", "Available", "Failed"], `Overall phase: ${PHASE_DOC}`)),
  },
};
