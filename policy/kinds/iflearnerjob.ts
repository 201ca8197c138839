import type { KindPolicy } from "../engine";
import { schema } from "../schemas/upstream/git.iflytek.com_v1_IflearnerJob";
import { dns1035Label, dnsSubdomain, placeholder } from "../checks/names";
import { arr, at, obj, show } from "../checks/values";
import { checkContainerNames, checkResources } from "./workload";
import { lit, matches, RE, show as celShow, subdomainOk, subdomainWhy } from "../vap/cel";
import { enumField, hasSpec, nameField, o as O } from "../vap/forms";
import { NO_CEL } from "../vap/reasons";

export const iflearnerJob: KindPolicy = {
  apiVersion: "git.iflytek.com/v1",
  kind: "IflearnerJob",
  id: "iflearner",
  schema,
  tighten: {
    type: "object",
    required: ["spec"],
    properties: {
      spec: {
        type: "object",
        required: ["host"],
        properties: {
          role: { enum: ["server", "client"], "x-rule": "iflearner.role", "x-hint": "an IflearnerJob is the aggregation server or a client party" },
          host: {
            type: "string",
            "x-rule": "iflearner.host",
            "x-hint": "the Ingress host, e.g. server.iflearner.com or a.party.iflearner.com; without it the Ingress would match every host",
          },
        },
      },
    },
  },
  schemaRules: [
    {
      id: "iflearner.role", severity: "error", summary: "spec.role is server or client", source: "kuscia-iac policy: the roles of an iflearner federation (the operator is not part of Kuscia; its CRD leaves spec.role a free string)",
      vap: { cel: [enumField("role", ["server", "client"], "an IflearnerJob is the aggregation server or a client party")] },
    },
  ],
  rules: [
    {
      id: "iflearner.name",
      source: "kuscia-iac policy: the iflearner operator (not part of Kuscia) names a Pod, Service and Ingress after the job; Service names are DNS-1035 labels",
      severity: "error",
      summary: "metadata.name is a DNS-1035 label (the Pod, Service and Ingress are named after it)",
      vap: { cel: [
        nameField(
          (v) => `(size(${v}) <= 63 && ${matches(v, RE.label1035)})`,
          (v) => `(size(${v}) == 0 ? 'must not be empty' : size(${v}) > 63 ? 'is ' + string(size(${v})) + ' characters; a DNS-1123 label has at most 63' : !${matches(v, RE.label)} ? ${lit("is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit")} : ${lit("must start with a lowercase letter (a Service is named after it, and Service names are DNS-1035 labels)")})`,
        ),
      ] },
      check(o, ctx) {
        const n = at(o, "metadata", "name");
        if (typeof n !== "string") return;
        const why = dns1035Label(n);
        if (why) ctx.fail(["metadata", "name"], `${show(n)} ${why}`);
      },
    },
    {
      id: "iflearner.host",
      source: "kuscia-iac policy: an Ingress without host matches every host (Kubernetes networking/v1 Ingress semantics)",
      severity: "error",
      summary: "spec.host is a non-empty DNS name (an empty host makes an Ingress that matches every host)",
      vap: { cel: [
        {
          expression: `has(${O}.spec) && has(${O}.spec.host)`,
          message: `has(${O}.spec) ? ${lit("spec.host: is required but missing; the Ingress host, e.g. server.iflearner.com or a.party.iflearner.com; without it the Ingress would match every host")} : 'spec: is required but missing'`,
        },
        {
          expression: `!(${hasSpec("host")}) || ${O}.spec.host != ''`,
          message: lit("spec.host: is empty; an Ingress without a host matches every host, capturing all traffic of the ingress controller: set it, e.g. server.iflearner.com"),
        },
        {
          expression: `!(${hasSpec("host")}) || ${O}.spec.host == '' || ${subdomainOk(`${O}.spec.host`)}`,
          message: `'spec.host: ' + ${celShow(`${O}.spec.host`)} + ' ' + ${subdomainWhy(`${O}.spec.host`)}`,
        },
      ] },
      check(o, ctx) {
        const h = at(o, "spec", "host");
        if (typeof h !== "string") return;
        if (h === "") return ctx.fail(["spec", "host"], "is empty; an Ingress without a host matches every host, capturing all traffic of the ingress controller: set it, e.g. server.iflearner.com");
        const why = placeholder(h) ?? dnsSubdomain(h);
        if (why) ctx.fail(["spec", "host"], `${show(h)} ${why}`);
      },
    },
    {
      id: "iflearner.template",
      source: "kuscia-iac policy: the iflearner operator runs the job's pod from spec.template; Kubernetes Pod validation",
      severity: "error",
      summary: "spec.template has at least one container, uniquely named, requests <= limits",
      vap: { unexpressible: NO_CEL.quantities },
      check(o, ctx) {
        const containers = arr(at(o, "spec", "template", "spec", "containers"));
        if (!containers || containers.length === 0) {
          return ctx.fail(["spec", "template", "spec", "containers"], "needs at least one container: the operator runs the job's pod from this template");
        }
        checkContainerNames(ctx, ["spec", "template", "spec", "containers"], containers);
        checkResources(ctx, ["spec", "template", "spec", "containers"], containers);
      },
    },
    {
      id: "iflearner.selector-label",
      source: "kuscia-iac policy: the iflearner operator's Service selects app=<job name>",
      severity: "error",
      summary: "template labels do not replace the app=<name> label the Service selects on",
      vap: { cel: [
        {
          expression: `!(has(${O}.spec) && has(${O}.spec.template) && has(${O}.spec.template.metadata) && has(${O}.spec.template.metadata.labels) && 'app' in ${O}.spec.template.metadata.labels) || (has(${O}.metadata.name) && ${O}.spec.template.metadata.labels['app'] == ${O}.metadata.name)`,
          message: `'spec.template.metadata.labels.app: is ' + ${celShow(`${O}.spec.template.metadata.labels['app']`)} + '; the operator selects the job\\'s pod with app=' + (has(${O}.metadata.name) ? ${celShow(`${O}.metadata.name`)} : 'undefined') + ', so this label would detach the Service; remove it'`,
        },
      ] },
      check(o, ctx) {
        const labels = obj(at(o, "spec", "template", "metadata", "labels"));
        const name = at(o, "metadata", "name");
        if (labels && labels.app !== undefined && labels.app !== name) {
          ctx.fail(["spec", "template", "metadata", "labels", "app"], `is ${show(labels.app)}; the operator selects the job's pod with app=${show(name)}, so this label would detach the Service; remove it`);
        }
      },
    },
  ],
  // No immutable fields: the iflearner operator is not part of Kuscia and nothing upstream refuses a change of spec.role.
};
