/**
 * KusciaDeployment + AppImages → per self party, what the KusciaDeployment
 * controller creates (pkg/controllers/kusciadeployment util.go, reconcile.go):
 * one headless Service per Cluster- or Domain-scoped port, the
 * `<deployment>-configtemplate` ConfigMap, and the Deployment.
 *
 * Where upstream is not deterministic the expansion picks the stable choice:
 * - ports: Kuscia allocates numbers from 20000-32767 per namespace and records
 *   them in the `kuscia.secretflow/allocated-ports` annotation. The expansion
 *   uses that annotation when present, else the numbers the AppImage declares
 *   (the numbers are passed to the pod in ALLOCATED_PORTS and
 *   KUSCIA_PORT_<NAME>_NUMBER either way, so the application follows them);
 * - order: Go map iteration order becomes declaration order (ports, services,
 *   access domains);
 * - Services leave out the sessionAffinityConfig upstream writes (rejected by
 *   the API server with sessionAffinity None).
 */
import { createHash } from "node:crypto";
import { ANNOTATION, CONFIG_TEMPLATE_VOLUME, CROSS_DOMAIN, ENV, KUSCIA_SCHEDULER, LABEL, STICKY_SESSION_COOKIE, STICKY_SESSION_TTL_SECONDS, TAINT_TOLERATION_KEY, portNumberEnv } from "./labels";
import { renderConfigTemplate, unresolvedPlaceholders } from "./configtemplate";
import type {
  Affinity,
  AppImageResource,
  ConfigMapObject,
  Container,
  DeployTemplate,
  DeploymentObject,
  DeploymentStrategy,
  EnvVar,
  Expansion,
  KusciaContainerPort,
  KusciaDeploymentParty,
  KusciaDeploymentResource,
  KusciaPodSpec,
  NativeObject,
  ServiceObject,
} from "./types";

export interface KusciaDeploymentContext {
  /** AppImages the parties may refer to (by metadata.name). */
  appImages: Iterable<AppImageResource>;
  /**
   * Domain IDs that are partner domains in this cluster. Their parties are
   * deployed by the partner's own Kuscia, so nothing is created for them here,
   * and only their Cluster-scoped ports appear in CLUSTER_DEFINE. Default: none.
   */
  partnerDomains?: Iterable<string>;
  /** Fill `{{.VAR}}` placeholders of the config templates (default true); false keeps them verbatim, as upstream stores them. */
  renderConfigTemplates?: boolean;
}

interface NamedPort {
  name: string;
  port: number | undefined;
  scope: "Cluster" | "Domain" | "Local";
  protocol: "HTTP" | "GRPC";
}

interface MergedTemplate {
  replicas: number;
  strategy?: DeploymentStrategy;
  spec: KusciaPodSpec;
}

interface PartyKit {
  index: number;
  domainID: string;
  role: string;
  self: boolean;
  appImage: AppImageResource;
  /** The AppImage deploy template the party uses, before the party's overrides. */
  base: DeployTemplate;
  template: MergedTemplate;
  ports: NamedPort[];
  servicedPorts: NamedPort[];
  deploymentName: string;
  serviceNames: Map<string, string>;
  accessDomains: Map<string, string>;
}

const DEFAULT_STRATEGY: DeploymentStrategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } };

export function deploymentName(kdName: string, role: string | undefined): string {
  return role ? `${kdName}-${role}` : kdName;
}

export function configTemplateConfigMapName(deployment: string): string {
  return `${deployment}-configtemplate`;
}

/** Service name for a port, as generateServiceName / utilsres.GenerateServiceName build it. */
export function serviceName(deployment: string, serviceNamePrefix: string | undefined, portName: string): string {
  const port = trimChars(portName, "-").replace(/[_.]/g, "-");
  if (serviceNamePrefix) return `${trimChars(serviceNamePrefix, "-")}-${port}`;
  const prefix = trimChars(deployment, "-");
  const p = trimChars(port, "-");
  let name = `${prefix}-${p}`;
  if (name[0] >= "0" && name[0] <= "9") name = "svc-" + name;
  if (name.length > 63) {
    const hash = createHash("sha256").update(prefix).digest("hex");
    const maxPrefixLen = 63 - 16 - p.length - 6;
    name = `svc-${prefix.slice(0, Math.max(0, maxPrefixLen))}-${hash.slice(0, 16)}-${p}`;
  }
  return name;
}

/**
 * SelectDeployTemplate: the template whose comma-separated role list has the
 * party's role; else the last template without a role; else, for a party
 * without a role, the first template.
 */
export function selectDeployTemplate<T extends { role?: string }>(templates: readonly T[], role: string): T | undefined {
  let universal: T | undefined;
  for (const t of templates) {
    if (trimChars(t.role ?? "", ",").split(",").includes(role)) return t;
    if (!t.role) universal = t;
  }
  if (universal) return universal;
  return role === "" ? templates[0] : undefined;
}

export function expandKusciaDeployment(kd: KusciaDeploymentResource, ctx: KusciaDeploymentContext): Expansion {
  const images = new Map<string, AppImageResource>();
  for (const a of ctx.appImages) images.set(a.metadata.name, a);
  const partners = new Set(ctx.partnerDomains ?? []);
  const kdName = kd.metadata.name;
  const parties = kd.spec.parties ?? [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const where = `KusciaDeployment ${JSON.stringify(kdName)}`;

  const kits: PartyKit[] = [];
  parties.forEach((party, index) => {
    const kit = buildKit(party, index, images, partners, kdName, errors, where);
    if (kit) kits.push(kit);
  });
  if (errors.length > 0) return { objects: [], warnings, errors };

  if (parties.length > 1) for (const k of kits) k.accessDomains = accessDomains(parties, k.base, k.ports);
  applyAllocatedPorts(kd, kits, errors, where);
  for (const k of kits.filter((k) => k.self)) {
    for (const p of k.ports) {
      if (p.port === undefined || p.port === 0) {
        errors.push(`${where}: port ${JSON.stringify(p.name)} of AppImage ${JSON.stringify(k.appImage.metadata.name)} has no number; Kuscia would allocate one at deploy time, the native form needs it declared (spec.deployTemplates[].spec.containers[].ports[].port) or recorded in the ${ANNOTATION.allocatedPorts} annotation`);
      }
    }
  }
  if (errors.length > 0) return { objects: [], warnings, errors };

  const clusterParties = kits.map((k) => ({
    name: k.domainID,
    role: k.role,
    services: k.servicedPorts
      .filter((p) => !(partners.has(k.domainID) && p.scope !== "Cluster"))
      .map((p) => {
        const svc = k.serviceNames.get(p.name)!;
        return { portName: p.name, endpoints: [p.scope === "Domain" ? `${svc}.${k.domainID}.svc:${p.port}` : `${svc}.${k.domainID}.svc`] };
      }),
  }));

  const objects: NativeObject[] = [];
  for (const k of kits) {
    if (!k.self) continue;
    const selfPartyIdx = clusterParties.findIndex((p) => p.name === k.domainID && p.role === k.role);
    const clusterDefine = JSON.stringify({ parties: clusterParties, selfPartyIdx, selfEndpointIdx: 0 });
    const allocatedPorts = JSON.stringify({ ports: k.ports.map((p) => ({ name: p.name, port: p.port, scope: p.scope, protocol: p.protocol })) });
    for (const p of k.servicedPorts) objects.push(service(kd, k, p));
    const deployment = deploymentOf(kd, k, clusterDefine, allocatedPorts, errors, where);
    const cm = configMap(kd, k, deployment, ctx.renderConfigTemplates ?? true, warnings);
    if (cm) objects.push(cm);
    objects.push(deployment);
  }
  if (errors.length > 0) return { objects: [], warnings, errors };
  return { objects, warnings, errors };
}

function buildKit(
  party: KusciaDeploymentParty,
  index: number,
  images: Map<string, AppImageResource>,
  partners: Set<string>,
  kdName: string,
  errors: string[],
  where: string,
): PartyKit | undefined {
  const at = `spec.parties[${index}]`;
  const role = party.role ?? "";
  const appImage = images.get(party.appImageRef);
  if (!appImage) {
    errors.push(`${where}: ${at}.appImageRef: AppImage ${JSON.stringify(party.appImageRef)} was not given; pass the AppImage along with the KusciaDeployment (Kuscia, too, refuses a deployment whose AppImage does not exist)`);
    return undefined;
  }
  const base = selectDeployTemplate(appImage.spec.deployTemplates ?? [], role);
  if (!base) {
    errors.push(`${where}: ${at}.role: AppImage ${JSON.stringify(appImage.metadata.name)} has no deploy template for role ${JSON.stringify(role)} and none without a role`);
    return undefined;
  }
  const template = mergeTemplate(base, party);
  const ports: NamedPort[] = [];
  const seen = new Set<string>();
  for (const c of template.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (seen.has(p.name)) {
        errors.push(`${where}: AppImage ${JSON.stringify(appImage.metadata.name)} deploy template ${JSON.stringify(base.name)} declares port ${JSON.stringify(p.name)} twice`);
        return undefined;
      }
      seen.add(p.name);
      ports.push(namedPort(p));
    }
  }
  const servicedPorts = ports.filter((p) => p.scope === "Cluster" || p.scope === "Domain");
  const dep = deploymentName(kdName, role);
  return {
    index,
    domainID: party.domainID,
    role,
    self: !partners.has(party.domainID),
    appImage,
    base,
    template,
    ports,
    servicedPorts,
    deploymentName: dep,
    serviceNames: new Map(servicedPorts.map((p) => [p.name, serviceName(dep, party.serviceNamePrefix, p.name)])),
    accessDomains: new Map(),
  };
}

/**
 * mergeDeployTemplate: the AppImage's pod spec, with the party's replicas and
 * strategy, its containers' requests/limits (matched by name) and its affinity.
 * Everything else in the party's pod spec is ignored by Kuscia, and so is an override
 * naming no container of the template (the rule ref.kd.template-container says so).
 */
function mergeTemplate(base: DeployTemplate, party: KusciaDeploymentParty): MergedTemplate {
  const t = party.template ?? {};
  const spec: KusciaPodSpec = structuredClone(base.spec ?? {});
  for (const pc of t.spec?.containers ?? []) {
    for (const c of (spec.containers ?? []).filter((x) => x.name === pc.name)) {
      const req = pc.resources?.requests;
      const lim = pc.resources?.limits;
      if (req && Object.keys(req).length > 0) c.resources = { ...c.resources, requests: { ...req } };
      if (lim && Object.keys(lim).length > 0) c.resources = { ...c.resources, limits: { ...lim } };
    }
  }
  if (t.spec?.affinity) spec.affinity = structuredClone(t.spec.affinity);
  return { replicas: t.replicas ?? base.replicas ?? 1, strategy: t.strategy, spec };
}

function namedPort(p: KusciaContainerPort): NamedPort {
  // The CRD defaults (scope Local, protocol HTTP) apply when the object did not go through the API server.
  return { name: p.name, port: p.port, scope: p.scope ?? "Local", protocol: p.protocol ?? "HTTP" };
}

/** generatePortAccessDomains: which domains may reach each port through the gateway. */
function accessDomains(parties: readonly KusciaDeploymentParty[], base: DeployTemplate, ports: NamedPort[]): Map<string, string> {
  const out = new Map<string, string>();
  if (!base.networkPolicy) {
    const domains = unique(parties.map((p) => p.domainID));
    for (const p of ports) if (p.scope === "Cluster" && domains.length > 1) out.set(p.name, domains.join(","));
    return out;
  }
  const roleDomains = new Map<string, string[]>();
  for (const p of parties) roleDomains.set(p.role ?? "", [...(roleDomains.get(p.role ?? "") ?? []), p.domainID]);
  const portRoles = new Map<string, string[]>();
  for (const ing of base.networkPolicy.ingresses ?? []) {
    for (const port of ing.ports ?? []) portRoles.set(port.port, [...(portRoles.get(port.port) ?? []), ...(ing.from?.roles ?? [])]);
  }
  for (const [port, roles] of portRoles) out.set(port, unique(roles.flatMap((r) => roleDomains.get(r) ?? [])).join(","));
  return out;
}

function applyAllocatedPorts(kd: KusciaDeploymentResource, kits: PartyKit[], errors: string[], where: string): void {
  const raw = kd.metadata.annotations?.[ANNOTATION.allocatedPorts];
  if (!raw) return;
  let recorded: unknown;
  try {
    recorded = JSON.parse(raw);
  } catch (e) {
    errors.push(`${where}: metadata.annotations["${ANNOTATION.allocatedPorts}"] is not valid JSON (${(e as Error).message}); remove it to use the AppImage's port numbers`);
    return;
  }
  if (!Array.isArray(recorded)) return;
  for (const k of kits.filter((k) => k.self)) {
    const entry = recorded.find((r) => r && r.domainID === k.domainID && (r.role ?? "") === k.role) as { namedPort?: Record<string, number> } | undefined;
    for (const p of k.ports) {
      const n = entry?.namedPort?.[p.name];
      if (typeof n === "number") p.port = n;
    }
  }
}

function kdLabels(kd: KusciaDeploymentResource, deployment: string): Record<string, string> {
  const labels: Record<string, string> = { [LABEL.controller]: "KusciaDeployment" };
  if (kd.metadata.uid) labels[LABEL.kdUid] = kd.metadata.uid;
  labels[LABEL.kdName] = kd.metadata.name;
  labels[LABEL.ownerNamespace] = CROSS_DOMAIN;
  labels[LABEL.deploymentName] = deployment;
  return labels;
}

function service(kd: KusciaDeploymentResource, k: PartyKit, p: NamedPort): ServiceObject {
  const labels = kdLabels(kd, k.deploymentName);
  const ordered: Record<string, string> = { [LABEL.controller]: labels[LABEL.controller], [LABEL.portScope]: p.scope, ...labels };
  if (p.scope === "Cluster") ordered[LABEL.loadBalancer] = "domainroute";
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: k.serviceNames.get(p.name)!,
      namespace: k.domainID,
      labels: ordered,
      annotations: {
        [ANNOTATION.initiator]: kd.spec.initiator,
        [ANNOTATION.protocol]: p.protocol,
        [ANNOTATION.accessDomain]: k.accessDomains.get(p.name) ?? "",
        [ANNOTATION.stickySessionCookie]: STICKY_SESSION_COOKIE,
        [ANNOTATION.stickySessionTtl]: `${STICKY_SESSION_TTL_SECONDS}s`,
      },
    },
    spec: {
      type: "ClusterIP",
      clusterIP: "None",
      // Upstream also sets sessionAffinityConfig.clientIP (86400s) here, which the API server
      // forbids next to sessionAffinity None; the sticky-session annotations carry the intent.
      sessionAffinity: "None",
      selector: { [LABEL.deploymentName]: k.deploymentName },
      ports: [{ name: p.name, port: p.port!, protocol: "TCP", targetPort: p.name }],
    },
  };
}

function configMap(kd: KusciaDeploymentResource, k: PartyKit, deployment: DeploymentObject, render: boolean, warnings: string[]): ConfigMapObject | undefined {
  const templates = k.appImage.spec.configTemplates ?? {};
  if (Object.keys(templates).length === 0) return undefined;
  const name = configTemplateConfigMapName(k.deploymentName);
  let data: Record<string, string> = { ...templates };
  if (render) {
    const values = podEnvValues(deployment);
    data = {};
    for (const [key, tpl] of Object.entries(templates)) {
      data[key] = renderConfigTemplate(tpl, values);
      const left = unresolvedPlaceholders(tpl, values);
      if (left.length > 0) {
        warnings.push(
          `ConfigMap ${k.domainID}/${name}: ${left.map((v) => `{{.${v}}}`).join(", ")} in ${JSON.stringify(key)} ${left.length > 1 ? "are" : "is"} not among the pod's environment; left for Kuscia's agent to fill at pod start (it renders missing keys as empty)`,
        );
      }
    }
  }
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: k.domainID, labels: kdLabels(kd, k.deploymentName), annotations: { [ANNOTATION.initiator]: kd.spec.initiator } },
    data,
  };
}

/** The agent's template data: every container's env (first definition wins), keys upper-cased. */
function podEnvValues(d: DeploymentObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of d.spec?.template?.spec?.containers ?? []) {
    for (const e of c.env ?? []) {
      const key = e.name.toUpperCase();
      if (!(key in out)) out[key] = e.value ?? "";
    }
  }
  return out;
}

function deploymentOf(kd: KusciaDeploymentResource, k: PartyKit, clusterDefine: string, allocatedPorts: string, errors: string[], where: string): DeploymentObject {
  const selector: Record<string, string> = {
    ...kdLabels(kd, k.deploymentName),
    [LABEL.communicationRoleServer]: "true",
    [LABEL.communicationRoleClient]: "true",
  };
  const appType = kd.metadata.labels?.[LABEL.appType];
  if (appType) selector[LABEL.appType] = appType;

  let affinity: Affinity | undefined;
  if (k.template.spec.affinity) affinity = pinAffinity(structuredClone(k.template.spec.affinity), k.deploymentName);
  else if (kd.metadata.annotations?.[ANNOTATION.affinityMode] !== "none") affinity = defaultAntiAffinity(k.deploymentName);

  const podAnnotations: Record<string, string> = {};
  const imageId = k.appImage.spec.image.id;
  if (imageId) podAnnotations[ANNOTATION.imageId] = imageId;

  const portsByName = new Map(k.ports.map((p) => [p.name, p]));
  const portEnvs: EnvVar[] = k.ports.map((p) => ({ name: portNumberEnv(p.name), value: String(p.port) }));
  let mountsConfig = false;
  const containers: Container[] = (k.template.spec.containers ?? []).map((ctr) => {
    if (ctr.metricProbe?.path && ctr.metricProbe.port) {
      const mp = portsByName.get(ctr.metricProbe.port);
      if (!mp) errors.push(`${where}: metric port name ${JSON.stringify(ctr.metricProbe.port)} of container ${JSON.stringify(ctr.name)} is not one of its ports`);
      else {
        podAnnotations[ANNOTATION.metric] = "true";
        podAnnotations[ANNOTATION.metricPath] = ctr.metricProbe.path;
        podAnnotations[ANNOTATION.metricPort] = String(mp.port);
      }
    }
    const env: EnvVar[] = [
      ...(ctr.env ?? []).map((e) => structuredClone(e)),
      { name: ENV.domainId, value: k.domainID },
      { name: ENV.clusterDefine, value: clusterDefine },
      { name: ENV.allocatedPorts, value: allocatedPorts },
      { name: ENV.inputConfig, value: kd.spec.inputConfig ?? "" },
      ...portEnvs,
    ];
    if (appType === "serving") env.push({ name: ENV.servingId, value: kd.metadata.name });
    const c: Container = {
      name: ctr.name,
      image: `${k.appImage.spec.image.name}:${k.appImage.spec.image.tag}`,
      ...(ctr.command ? { command: [...ctr.command] } : {}),
      ...(ctr.args ? { args: [...ctr.args] } : {}),
      ...(ctr.workingDir ? { workingDir: ctr.workingDir } : {}),
      env,
      ...(ctr.envFrom ? { envFrom: structuredClone(ctr.envFrom) } : {}),
      ...(ctr.resources ? { resources: structuredClone(ctr.resources) } : {}),
      ...(ctr.livenessProbe ? { livenessProbe: structuredClone(ctr.livenessProbe) } : {}),
      ...(ctr.readinessProbe ? { readinessProbe: structuredClone(ctr.readinessProbe) } : {}),
      ...(ctr.startupProbe ? { startupProbe: structuredClone(ctr.startupProbe) } : {}),
      imagePullPolicy: ctr.imagePullPolicy || "IfNotPresent",
      ...(ctr.securityContext ? { securityContext: structuredClone(ctr.securityContext) } : {}),
      terminationMessagePolicy: "FallbackToLogsOnError",
    };
    if (ctr.ports && ctr.ports.length > 0) c.ports = ctr.ports.map((p) => ({ name: p.name, containerPort: portsByName.get(p.name)!.port!, protocol: "TCP" }));
    if (ctr.configVolumeMounts && ctr.configVolumeMounts.length > 0) {
      mountsConfig = true;
      c.volumeMounts = ctr.configVolumeMounts.map((m) => ({ name: CONFIG_TEMPLATE_VOLUME, mountPath: m.mountPath, subPath: m.subPath }));
    }
    return c;
  });
  if (mountsConfig) podAnnotations[ANNOTATION.configTemplateVolumes] = CONFIG_TEMPLATE_VOLUME;

  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: k.deploymentName, namespace: k.domainID, labels: { ...selector }, annotations: { [ANNOTATION.initiator]: kd.spec.initiator } },
    spec: {
      replicas: k.template.replicas,
      selector: { matchLabels: { ...selector } },
      strategy: structuredClone(k.template.strategy ?? DEFAULT_STRATEGY),
      template: {
        metadata: { labels: { ...selector }, ...(Object.keys(podAnnotations).length > 0 ? { annotations: podAnnotations } : {}) },
        spec: {
          ...(affinity ? { affinity } : {}),
          tolerations: [{ key: TAINT_TOLERATION_KEY, operator: "Exists", effect: "NoSchedule" }],
          nodeSelector: { [LABEL.nodeNamespace]: k.domainID },
          // Self parties are never partner domains, so the cluster's own scheduler places them.
          schedulerName: KUSCIA_SCHEDULER,
          automountServiceAccountToken: false,
          containers,
          ...(mountsConfig ? { volumes: [{ name: CONFIG_TEMPLATE_VOLUME, configMap: { name: configTemplateConfigMapName(k.deploymentName) } }] } : {}),
        },
      },
    },
  };
}

/** buildAffinity: pod (anti-)affinity terms are pinned to the deployment's own pods. */
function pinAffinity(a: Affinity, deployment: string): Affinity {
  const sel = () => ({ matchLabels: { [LABEL.deploymentName]: deployment } });
  for (const group of [a.podAntiAffinity, a.podAffinity]) {
    if (!group) continue;
    for (const t of group.requiredDuringSchedulingIgnoredDuringExecution ?? []) t.labelSelector = sel();
    for (const t of group.preferredDuringSchedulingIgnoredDuringExecution ?? []) t.podAffinityTerm.labelSelector = sel();
  }
  return a;
}

function defaultAntiAffinity(deployment: string): Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { [LABEL.deploymentName]: deployment } }, topologyKey: "kubernetes.io/hostname" } },
      ],
    },
  };
}

function trimChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a])) a++;
  while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
