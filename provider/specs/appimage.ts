import type * as pulumi from "@pulumi/pulumi";
import type { AppImage, AppImageArgs, AppImageContainerArgs, AppImageDeployTemplateArgs, AppImageNetworkPolicyArgs } from "../../components";
import { arrayOf, enumOf, int, mapOf, objectOf, required, str, type ComponentSpec, type ElementOf, type Plain } from "../spec";
import { CREATED, EMIT, OBJECT, PORT_PROTOCOL, annotations, k8sObject, labels, strings, READINESS } from "./common";

type Container = Plain<AppImageContainerArgs>;
type Ingress = ElementOf<AppImageNetworkPolicyArgs["ingresses"]>;
type PodSpec = Plain<AppImageDeployTemplateArgs["spec"]>;

const container = objectOf<Container>("AppImageContainer", "A container of a deploy template.", {
  name: required(str("Container name; party overrides refer to it.")),
  command: strings("Entrypoint."),
  args: strings("Arguments."),
  workingDir: required(str("Working directory (required, as in the AppImage CRD).")),
  configVolumeMounts: arrayOf(
    objectOf<ElementOf<Container["configVolumeMounts"]>>("AppImageConfigMount", "A config template mounted as a file.", {
      mountPath: required(str("Where the rendered file appears in the container.")),
      subPath: required(str("Key of `configTemplates` to mount.")),
    }),
    "Config templates mounted as files, rendered for each party.",
  ),
  ports: arrayOf(
    objectOf<ElementOf<Container["ports"]>>("AppImagePort", "A named port of the application.", {
      name: required(str("Port name, unique in the deploy template; names the port's Service `<deployment>-<name>`.")),
      port: int("Port number the application listens on."),
      protocol: { ...PORT_PROTOCOL, doc: "`HTTP` (default) or `GRPC`." },
      scope: enumOf("PortScope", ["Cluster", "Domain", "Local"], "Who may reach the port: `Cluster` (other domains, through the gateway), `Domain` (the domain's namespace) or `Local` (the pod only, the default, no Service)."),
    }),
    "Named ports; Cluster and Domain ports get a headless Service each.",
  ),
  env: arrayOf({ kind: "any", description: "an EnvVar" }, "Environment variables (Kubernetes `EnvVar` objects); Kuscia appends its own."),
  envFrom: arrayOf({ kind: "any", description: "an EnvFromSource" }, "Environment sources (Kubernetes `EnvFromSource` objects)."),
  resources: k8sObject("ResourceRequirements", "Requests and limits (a party may override them)."),
  livenessProbe: k8sObject("Probe", "Liveness probe."),
  readinessProbe: k8sObject("Probe", "Readiness probe."),
  startupProbe: k8sObject("Probe", "Startup probe."),
  metricProbe: objectOf<Plain<Container["metricProbe"]>>("AppImageMetricProbe", "Metrics endpoint for Prometheus scraping annotations.", {
    path: str("Metrics path."),
    port: str("Name of the metrics port."),
  }),
  imagePullPolicy: str("Image pull policy; default IfNotPresent."),
  securityContext: k8sObject("SecurityContext", "Security context (Kuscia honours `privileged` only)."),
});

const networkPolicy = objectOf<Plain<AppImageNetworkPolicyArgs>>("AppImageNetworkPolicy", "Access of other parties' roles to Cluster ports.", {
  ingresses: required(
    arrayOf(
      objectOf<Ingress>("AppImageIngress", "Which party roles may reach which ports.", {
        from: required(objectOf<Plain<Ingress["from"]>>("AppImageIngressFrom", "The roles allowed in.", { roles: required(strings("Party roles.")) })),
        ports: required(arrayOf(objectOf<ElementOf<Ingress["ports"]>>("AppImageIngressPort", "A port, by name.", { port: required(str("Port name.")) }), "Ports they may reach.")),
      }),
      "Which party roles may reach which ports (by port name).",
    ),
  ),
});

const deployTemplate = objectOf<Plain<AppImageDeployTemplateArgs>>("AppImageDeployTemplate", "How the parties of one role run the image.", {
  name: required(str("Template name, unique per role.")),
  role: str("Comma-separated party roles this template serves; unset serves every role."),
  replicas: int("Default replicas of the Deployment (default 1)."),
  networkPolicy,
  spec: required(
    objectOf<PodSpec>("AppImagePodSpec", "The pod.", {
      containers: arrayOf(container, "Containers (at least one)."),
      affinity: k8sObject("Affinity", "Pod affinity (a party may override it)."),
      restartPolicy: str("Restart policy as written in upstream AppImages; Deployments ignore it."),
    }),
  ),
});

/** A SecretFlow Serving image, trimmed from the product docs. */
export const SERVING_IMAGE: pulumi.Unwrap<AppImageArgs> = {
  name: "serving-image",
  image: { name: "secretflow/serving-anolis8", tag: "latest" },
  configTemplates: { "serving-config.conf": '{"domain": "{{.KUSCIA_DOMAIN_ID}}", "port": "{{.KUSCIA_PORT_SERVICE_NUMBER}}"}' },
  deployTemplates: [
    {
      name: "serving",
      replicas: 1,
      spec: {
        containers: [
          {
            name: "serving",
            workingDir: "/root",
            command: ["sh", "-c", "./secretflow_serving --config_mode=kuscia"],
            configVolumeMounts: [{ mountPath: "/etc/kuscia/serving-config.conf", subPath: "serving-config.conf" }],
            ports: [
              { name: "service", port: 53508, protocol: "HTTP", scope: "Cluster" },
              { name: "internal", port: 53510, protocol: "HTTP", scope: "Domain" },
            ],
          },
        ],
      },
    },
  ],
};

export const appImageSpec: ComponentSpec<AppImageArgs, AppImage> = {
  name: "AppImage",
  description: "A Kuscia application image: the container image and the deploy templates KusciaDeployments run it with.",
  inputs: {
    ...READINESS,
    name: str("AppImage name, a DNS-1123 subdomain; parties refer to it in `appImageRef`. Default: the resource name."),
    labels: labels("AppImage"),
    annotations: annotations("AppImage"),
    image: required(
      objectOf<Plain<AppImageArgs["image"]>>("AppImageImage", "The container image.", {
        name: required(str("Image repository, e.g. `secretflow/serving-anolis8`.")),
        tag: required(str("Image tag, e.g. `latest` (a string: quote numeric tags).")),
        id: str("Image ID; set as the pods' `kuscia.secretflow/image-id` annotation."),
        sign: str("Image signature."),
      }),
    ),
    configTemplates: mapOf({ kind: "string", description: "template text" }, "Config file templates by file name, with `{{.VAR}}` placeholders Kuscia fills per party."),
    deployTemplates: required(arrayOf(deployTemplate, "Deploy templates (at least one).")),
    emit: EMIT,
  },
  example: SERVING_IMAGE,
  outputs: {
    imageName: required(str("The AppImage's name.")),
    object: OBJECT,
    created: CREATED,
  },
};
