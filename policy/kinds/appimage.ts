import type { KindPolicy } from "../engine";
import { schema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_AppImage";
import { KUSCIA } from "./common";
import { checkContainerNames, checkResources, containersOf } from "./workload";
import { dnsSubdomain, IMAGE_NAME, imageName, imageTag, placeholder, portName } from "../checks/names";
import { arr, at, isObj, keyOf, obj, show } from "../checks/values";
import type { PatchOperation } from "../types";
import { firstBad, lit, matches, show as celShow, subdomainOk, subdomainWhy } from "../vap/cel";
import { hasPlaceholder, hasSpec, imageTagOk, imageTagWhy, isStr, nameField, o as O, PLACEHOLDER_TEXT } from "../vap/forms";
import { NO_CEL } from "../vap/reasons";

export const appImage: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "AppImage",
  id: "appimage",
  schema,
  tighten: {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          deployTemplates: {
            type: "array",
            minItems: 1,
            "x-rule": "appimage.deploy-templates",
            items: {
              type: "object",
              properties: {
                replicas: { type: "integer", minimum: 0, "x-rule": "appimage.deploy-templates" },
                spec: {
                  type: "object",
                  properties: {
                    restartPolicy: { enum: ["Always", "OnFailure", "Never"], "x-rule": "appimage.deploy-templates" },
                    containers: {
                      type: "array",
                      minItems: 1,
                      "x-rule": "appimage.deploy-templates",
                      "x-hint": "a deploy template needs at least one container",
                      items: {
                        type: "object",
                        properties: {
                          ports: {
                            type: "array",
                            items: {
                              type: "object",
                              properties: { port: { type: "integer", minimum: 1, maximum: 65535, "x-rule": "appimage.ports" } },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  schemaRules: [],
  rules: [
    {
      id: "appimage.name",
      source: "pkg/controllers/kusciadeployment/reconcile.go: parties refer to the AppImage by name (appImageRef); Kubernetes object names are DNS-1123 subdomains",
      severity: "error",
      summary: "metadata.name is a DNS-1123 subdomain (parties refer to it by name)",
      vap: { cel: [nameField(subdomainOk, subdomainWhy)] },
      check(o, ctx) {
        const n = at(o, "metadata", "name");
        if (typeof n !== "string") return;
        const why = placeholder(n) ?? dnsSubdomain(n);
        if (why) ctx.fail(["metadata", "name"], `${show(n)} ${why}`);
      },
    },
    {
      id: "appimage.image",
      source: "pkg/agent: the image is pulled as <name>:<tag> (distribution reference grammar); kuscia-iac policy: a numeric tag is refused rather than stringified",
      severity: "error",
      summary: "spec.image.name and spec.image.tag form a valid image reference",
      vap: { cel: (() => {
        const name = `${O}.spec.image.name`;
        const tag = `${O}.spec.image.tag`;
        const img = `has(${O}.spec) && has(${O}.spec.image)`;
        return [
        {
          expression: `!(${img} && has(${name})) || (!${hasPlaceholder(name)} && size(${name}) <= 255 && ${matches(name, IMAGE_NAME.source)})`,
          message: `'spec.image.name: ' + ${celShow(name)} + ' ' + (${hasPlaceholder(name)} ? ${PLACEHOLDER_TEXT} : size(${name}) > 255 ? 'is longer than 255 characters' : ${lit("is not a valid image name: expected [registry[:port]/]path with lowercase path components, e.g. secretflow/serving-anolis8")})`,
        },
        // A numeric tag is refused by the CRD schema (a string) before any policy runs.
        { expression: `!(${img} && has(${tag}) && ${isStr(tag)}) || ${imageTagOk(tag)}`, message: `'spec.image.tag: ' + ${celShow(tag)} + ' ' + ${imageTagWhy(tag)}` },
      ]; })() },
      check(o, ctx) {
        const name = at(o, "spec", "image", "name");
        const tag = at(o, "spec", "image", "tag");
        if (typeof name === "string") {
          const why = placeholder(name) ?? imageName(name);
          if (why) ctx.fail(["spec", "image", "name"], `${show(name)} ${why}`);
        }
        if (typeof tag === "string") {
          const why = placeholder(tag) ?? imageTag(tag);
          if (why) ctx.fail(["spec", "image", "tag"], `${show(tag)} ${why}`);
        } else if (typeof tag === "number") {
          ctx.fail(["spec", "image", "tag"], `is the number ${tag}; quote it in YAML ("${tag}") so it stays a string`);
        }
      },
    },
    {
      id: "appimage.deploy-templates",
      source: "pkg/controllers/kusciadeployment/util.go: mergeDeployTemplate (templates selected by role; replicas default 1); Kubernetes Pod validation of the containers",
      severity: "error",
      summary: "deploy templates have unique names, replicas >= 0, at least one uniquely named container, requests <= limits",
      vap: { unexpressible: NO_CEL.quantities },
      check(o, ctx) {
        const templates = arr(at(o, "spec", "deployTemplates")) ?? [];
        const names = new Map<string, number>();
        templates.forEach((t, i) => {
          const base = ["spec", "deployTemplates", i];
          const key = `${keyOf(at(t, "name"))}\u0000${keyOf(at(t, "role") ?? "")}`;
          if (names.has(key)) ctx.fail([...base, "name"], `${show(at(t, "name"))} is also deploy template ${names.get(key)}; template names (per role) must be unique`);
          else names.set(key, i);
          const containers = containersOf(at(t, "spec"));
          if (containers) {
            checkContainerNames(ctx, [...base, "spec", "containers"], containers);
            checkResources(ctx, [...base, "spec", "containers"], containers);
          }
        });
      },
    },
    {
      id: "appimage.ports",
      source: "pkg/controllers/kusciadeployment/reconcile.go: generateService (one Service per named port, named <prefix>-<port name>, its port and targetPort named as the port), generateDeployment (the container port keeps the name); k8s.io/apimachinery pkg/util/validation: IsValidPortName; pkg/crd/apis/kuscia/v1alpha1/appimage_types.go: ContainerPort",
      severity: "error",
      summary: "container ports have unique names that are valid port names (IANA service names: they name container and Service ports) and ports in 1-65535",
      vap: { unexpressible: "port names must be unique across all containers of a deploy template: that needs the lists of ports flattened, which the CEL of Kubernetes 1.30 lacks (cel-go's lists.flatten came later); not written in CEL yet" },
      check(o, ctx) {
        (arr(at(o, "spec", "deployTemplates")) ?? []).forEach((t, i) => {
          const seen = new Map<string, string>();
          (containersOf(at(t, "spec")) ?? []).forEach((c, j) => {
            (arr(at(c, "ports")) ?? []).forEach((p, k) => {
              const n = at(p, "name");
              if (typeof n !== "string") return;
              const where = `containers[${j}].ports[${k}]`;
              const path = ["spec", "deployTemplates", i, "spec", "containers", j, "ports", k, "name"];
              // Seen when Kuscia's own controller ran: "brpc_builtin" left the KusciaDeployment Failed
              // (CreateServiceFailed: spec.ports[0].name: Invalid value: "brpc_builtin").
              const why = portName(n);
              if (why) ctx.fail(path, `${show(n)} ${why}; Kuscia names the container port, the Service port and its targetPort after it, so the deployment would fail`);
              if (seen.has(n)) ctx.fail(path, `${show(n)} is also the name of ${seen.get(n)}; port names must be unique in a deploy template`);
              else seen.set(n, where);
            });
          });
        });
      },
    },
    {
      id: "appimage.config-mounts",
      source: "pkg/controllers/kusciadeployment/reconcile.go: configVolumeMounts are mounted from the ConfigMap rendered from spec.configTemplates (SubPath = template key)",
      severity: "error",
      summary: "configVolumeMounts[].subPath names a key of spec.configTemplates",
      vap: { cel: (() => {
        const tpl = `${O}.spec.configTemplates`;
        const hasTpl = `has(${O}.spec.configTemplates)`;
        const missing = (m: string) => `(!${hasTpl} || !(${m}.subPath in ${tpl}))`;
        const dts = `${O}.spec.deployTemplates`;
        // deployTemplates[i].spec.containers[j].configVolumeMounts[k]
        const badMount = `has(m.subPath) && ${missing("m")}`;
        const inC = (c: string) => `has(${c}.configVolumeMounts) && ${c}.configVolumeMounts.exists(m, ${badMount})`;
        const inT = (t: string) => `has(${t}.spec) && has(${t}.spec.containers) && ${t}.spec.containers.exists(c, ${inC("c")})`;
        const t = firstBad(dts, "t", inT("t"));
        const c = firstBad(`${t.item}.spec.containers`, "c", inC("c"));
        const m = firstBad(`${c.item}.configVolumeMounts`, "m", badMount);
        return [
        {
          expression: `!(${hasSpec("deployTemplates")}) || !${dts}.exists(t, ${inT("t")})`,
          // The webhook lists the template keys in the manifest's order; the API server's map order is its own.
          message:
            `'spec.deployTemplates[' + ${t.index} + '].spec.containers[' + ${c.index} + '].configVolumeMounts[' + ${m.index} + '].subPath: ' + ${celShow(`${m.item}.subPath`)} + ` +
            `' is not a key of spec.configTemplates (' + (${hasTpl} && size(${tpl}) > 0 ? ${tpl}.map(k, ${celShow("k")}).join(', ') : 'none defined') + '); the mounted file is rendered from that template'`,
        },
      ]; })() },
      check(o, ctx) {
        const templates = obj(at(o, "spec", "configTemplates")) ?? {};
        (arr(at(o, "spec", "deployTemplates")) ?? []).forEach((t, i) => {
          (containersOf(at(t, "spec")) ?? []).forEach((c, j) => {
            (arr(at(c, "configVolumeMounts")) ?? []).forEach((m, k) => {
              const sub = at(m, "subPath");
              if (typeof sub === "string" && !(sub in templates)) {
                const keys = Object.keys(templates);
                ctx.fail(["spec", "deployTemplates", i, "spec", "containers", j, "configVolumeMounts", k, "subPath"],
                  `${show(sub)} is not a key of spec.configTemplates (${keys.length ? keys.map((x) => JSON.stringify(x)).join(", ") : "none defined"}); the mounted file is rendered from that template`);
              }
            });
          });
        });
      },
    },
  ],
  // The CRD's own defaults (port protocol HTTP, scope Local) and the controller's replicas
  // fallback of 1, made explicit so review, render and the API server agree.
  defaults: [
    {
      id: "replicas",
      summary: "a deploy template's replicas is 1 when unset, the controller's fallback",
      source: "pkg/controllers/kusciadeployment/util.go: buildPartyKitInfo (replicas: party template, else AppImage deploy template, else 1)",
      parent: "spec.deployTemplates[]",
      field: "replicas",
      value: 1,
    },
    {
      id: "port-protocol",
      summary: "a container port's protocol is HTTP when unset (the CRD's default)",
      source: "crds/kuscia/kuscia.secretflow_appimages.yaml (ContainerPort.protocol default HTTP)",
      parent: "spec.deployTemplates[].spec.containers[].ports[]",
      field: "protocol",
      value: "HTTP",
    },
    {
      id: "port-scope",
      summary: "a container port's scope is Local when unset (the CRD's default)",
      source: "crds/kuscia/kuscia.secretflow_appimages.yaml (ContainerPort.scope default Local)",
      parent: "spec.deployTemplates[].spec.containers[].ports[]",
      field: "scope",
      value: "Local",
    },
  ],
};
