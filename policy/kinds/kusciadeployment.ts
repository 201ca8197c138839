import type { KindPolicy } from "../engine";
import { schema as upstreamSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_KusciaDeployment";
import { KUSCIA, checkDomainId } from "./common";
import { interopMirrorCel, isInteropMirror } from "./crossdomain";
import { checkContainerNames, checkResources, checkStrategy, containersOf } from "./workload";
import { dnsSubdomain, partyRole, placeholder } from "../checks/names";
import { arr, at, isObj, keyOf, obj, show } from "../checks/values";
import { appImageRefWhy, domainIdOk, firstBad, lit, matches, show as celShow, subdomainOk } from "../vap/cel";
import { domainIdField, hasSpec, o as O, parties as celParties } from "../vap/forms";
import { NO_CEL } from "../vap/reasons";

/** The only namespace the KusciaDeployment controller watches. */
export const KD_NAMESPACE = "cross-domain";
const SERVICE_NAME_PREFIX = /^[a-z]([-a-z0-9]{0,46}[a-z0-9])?$/;

/**
 * Upstream's CRD requires `workingDir` on a party template's containers (the Container type
 * serialises it without omitempty), although the controller takes only `resources` and
 * `affinity` from them (pkg/controllers/kusciadeployment/util.go: mergeDeployTemplate) and the
 * product docs' own secretflow-serving example leaves it out. KusciaAPI writes it empty
 * (pkg/kusciaapi/service/serving_service.go: buildKusciaDeploymentPartyContainers builds
 * v1alpha1.Container{Name, Resources}, so the JSON carries "workingDir": ""); the webhook's
 * defaults add it the same way, and the API server's refusal of a party template without it
 * is reported under its own rule id with that fix.
 */
export const PARTY_WORKING_DIR_RULE = "kd.template.working-dir";
const PARTY_WORKING_DIR_HINT =
  'upstream\'s KusciaDeployment CRD requires it on every party-template container, although Kuscia ignores it there (only resources and affinity are taken from a party template); add workingDir: "" as KusciaAPI writes it (the mutating webhook adds it, kuscia-iac components emit it)';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  [k: string]: unknown;
}

function withPartyWorkingDirHint(s: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(s) as SchemaNode;
  let node: SchemaNode | undefined = copy;
  for (const k of ["spec", "parties", "[]", "template", "spec", "containers", "[]"]) node = k === "[]" ? node?.items : node?.properties?.[k];
  const wd = node?.properties?.workingDir;
  if (!node?.properties || !wd) throw new Error("KusciaDeployment CRD: party-template containers have no workingDir (crds/ changed: update policy/kinds/kusciadeployment.ts)");
  node.properties.workingDir = { ...wd, "x-rule": PARTY_WORKING_DIR_RULE, "x-hint": PARTY_WORKING_DIR_HINT };
  return copy;
}
const schema = withPartyWorkingDirHint(upstreamSchema as Record<string, unknown>);

export const kusciaDeployment: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "KusciaDeployment",
  id: "kd",
  schema,
  schemaRules: [
    {
      id: PARTY_WORKING_DIR_RULE,
      severity: "error",
      summary: 'party-template containers carry workingDir (may be ""), which upstream\'s CRD requires; the webhook adds it',
      source: 'crds/v1alpha1/kuscia.secretflow_kusciadeployments.yaml (workingDir required); pkg/kusciaapi/service/serving_service.go: buildKusciaDeploymentPartyContainers (KusciaAPI writes "workingDir": ""); pkg/controllers/kusciadeployment/util.go: mergeDeployTemplate (ignored)',
      vap: { unexpressible: NO_CEL.schema },
    },
  ],
  tighten: {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          parties: { type: "array", minItems: 1, "x-rule": "kd.parties", "x-hint": "list at least the initiator as a party" },
        },
      },
    },
  },
  rules: [
    {
      id: "kd.namespace",
      source: "pkg/controllers/kusciadeployment/controller.go: the informer handlers skip objects outside common.KusciaCrossDomain (cross-domain); pkg/interconn/kuscia/deployment.go: createMirrorDeployment (the mirror in a partner's master namespace, annotated kuscia.secretflow/interconn-kuscia-parties, is allowed)",
      severity: "error",
      summary: `KusciaDeployments live in namespace ${KD_NAMESPACE}, the only one the controller reconciles`,
      vap: {
        cel: [
          {
            expression: `!has(${O}.metadata.namespace) || ${O}.metadata.namespace == ${lit(KD_NAMESPACE)} || ${interopMirrorCel()}`,
            message: `'metadata.namespace: is ' + ${celShow(`${O}.metadata.namespace`)} + ${lit(`; Kuscia reconciles KusciaDeployments only in ${JSON.stringify(KD_NAMESPACE)}, so this one would never be deployed`)}`,
          },
        ],
      },
      check(o, ctx) {
        const ns = at(o, "metadata", "namespace");
        if (ns === undefined) ctx.warn(["metadata", "namespace"], `is not set; apply it with -n ${KD_NAMESPACE}, the only namespace Kuscia reconciles KusciaDeployments in`, "kd.namespace.unset");
        else if (ns !== KD_NAMESPACE && !isInteropMirror(o)) ctx.fail(["metadata", "namespace"], `is ${show(ns)}; Kuscia reconciles KusciaDeployments only in ${JSON.stringify(KD_NAMESPACE)}, so this one would never be deployed`);
      },
      emits: [{ id: "kd.namespace.unset", severity: "warning", summary: `metadata.namespace is not set in the manifest (it must end up in ${KD_NAMESPACE})`, source: "kuscia-iac policy: the namespace then depends on the kubectl context", vap: { unexpressible: NO_CEL.namespaceUnset } }],
    },
    {
      id: "kd.parties",
      source: "pkg/controllers/kusciadeployment/controller.go: validate (parties not empty); the party domain ID names the namespace the Deployment is created in (reconcile.go: generateDeployment); util.go: generateDeploymentName, generateConfigMapName, generateServiceName (the role is part of the Deployment's, ConfigMap's and Services' names); kuscia-iac policy: a (domain, role) pair listed twice",
      severity: "error",
      summary: "parties have valid domain IDs, AppImage references and roles, and are unique (by domain and role)",
      vap: {
        cel: (() => {
          const l = `${O}.spec.parties`;
          const guard = `!(${hasSpec("parties")}) || `;
          const ref = firstBad(l, "p", `has(p.appImageRef) && !${subdomainOk("p.appImageRef")}`);
          const ps = celParties(l);
          return [
            { expression: `${guard}size(${l}) >= 1`, message: lit("spec.parties: has 0 items, expected at least 1; list at least the initiator as a party") },
            { expression: guard + `(${ps.idsOk})`, message: ps.idsMessage("'spec.parties'") },
            {
              expression: `${guard}!${l}.exists(p, has(p.appImageRef) && !${subdomainOk("p.appImageRef")})`,
              message: `'spec.parties[' + ${ref.index} + '].appImageRef: ' + ${celShow(`${ref.item}.appImageRef`)} + ' ' + ${appImageRefWhy(`${ref.item}.appImageRef`)}`,
            },
            { expression: guard + `(${ps.rolesOk})`, message: ps.rolesMessage("'spec.parties'") },
            { expression: guard + `(${ps.unique})`, message: ps.uniqueMessage("'spec.parties'", null) },
          ];
        })(),
      },
      check(o, ctx) {
        const parties = arr(at(o, "spec", "parties")) ?? [];
        const seen = new Map<string, number>();
        parties.forEach((p, i) => {
          const d = at(p, "domainID");
          checkDomainId(ctx, ["spec", "parties", i, "domainID"], d);
          const ref = at(p, "appImageRef");
          if (typeof ref === "string") {
            const why = placeholder(ref) ?? dnsSubdomain(ref);
            if (why) ctx.fail(["spec", "parties", i, "appImageRef"], `${show(ref)} ${why.startsWith("is not") ? "is not a valid AppImage name (DNS-1123 subdomain)" : why}`);
          }
          const role = at(p, "role");
          if (typeof role === "string" && partyRole(role)) ctx.fail(["spec", "parties", i, "role"], `${show(role)} ${partyRole(role)}`);
          const key = `${keyOf(d)}\u0000${keyOf(role ?? "")}`;
          if (seen.has(key)) ctx.fail(["spec", "parties", i], `domain ${show(d)}${at(p, "role") ? ` with role ${show(at(p, "role"))}` : ""} is already party ${seen.get(key)}; each party appears once`);
          else seen.set(key, i);
        });
      },
    },
    {
      id: "kd.initiator",
      source: "pkg/controllers/kusciadeployment/controller.go: validate (initiator should be one of the parties)",
      severity: "error",
      summary: "spec.initiator is one of the parties' domain IDs",
      vap: {
        cel: [
          domainIdField("initiator"),
          {
            expression: `!(${hasSpec("initiator")} && ${domainIdOk(`${O}.spec.initiator`)} && ${hasSpec("parties")} && ${O}.spec.parties.exists(p, has(p.domainID))) || ${O}.spec.parties.exists(p, has(p.domainID) && p.domainID == ${O}.spec.initiator)`,
            // The webhook lists each party domain once, in order; here a domain that is party twice is listed twice.
            message: `'spec.initiator: ' + ${celShow(`${O}.spec.initiator`)} + ' is not a party; expected one of ' + ${O}.spec.parties.filter(p, has(p.domainID)).map(p, ${celShow("p.domainID")}).join(', ')`,
          },
        ],
      },
      check(o, ctx) {
        const init = at(o, "spec", "initiator");
        if (typeof init !== "string") return;
        if (!checkDomainId(ctx, ["spec", "initiator"], init)) return;
        const parties = arr(at(o, "spec", "parties")) ?? [];
        const ids = [...new Set(parties.map((p) => at(p, "domainID")).filter((d): d is string => typeof d === "string"))];
        if (ids.length > 0 && !ids.includes(init)) ctx.fail(["spec", "initiator"], `${show(init)} is not a party; expected one of ${ids.map((d) => JSON.stringify(d)).join(", ")}`);
      },
    },
    {
      id: "kd.input-config",
      source: "pkg/controllers/kusciadeployment/reconcile.go: the input config is rendered into the app's configuration as JSON; kuscia-iac policy: refuse a string that is not JSON",
      severity: "error",
      summary: "spec.inputConfig is a JSON document in a string (or empty)",
      vap: { unexpressible: "parses spec.inputConfig as JSON: CEL has no JSON parser" },
      check(o, ctx) {
        const ic = at(o, "spec", "inputConfig");
        if (typeof ic !== "string" || ic.trim() === "") return;
        try {
          JSON.parse(ic);
        } catch (e) {
          // V8 quotes the start of a short input (`Unexpected token 's', "sk-..." is not valid
          // JSON`), and an inputConfig may hold credentials: the position and token only.
          const why = (e as Error).message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, "");
          ctx.fail(["spec", "inputConfig"], `is not valid JSON (${why}); it must be a JSON document serialised as a string`);
        }
      },
    },
    {
      id: "kd.service-name-prefix",
      source: "pkg/controllers/kusciadeployment/controller.go: validate; pkg/utils/resources/service.go: ValidateServiceNamePrefix (pkg/common/constants.go: ServiceNamePrefixRegex)",
      severity: "error",
      summary: "parties[].serviceNamePrefix matches ^[a-z]([-a-z0-9]{0,46}[a-z0-9])?$",
      vap: {
        cel: [
          (() => {
            const l = `${O}.spec.parties`;
            const re = SERVICE_NAME_PREFIX.source;
            const b = firstBad(l, "p", `has(p.serviceNamePrefix) && !${matches("p.serviceNamePrefix", re)}`);
            return {
              expression: `!(${hasSpec("parties")}) || ${l}.all(p, !has(p.serviceNamePrefix) || ${matches("p.serviceNamePrefix", re)})`,
              message: `'spec.parties[' + ${b.index} + '].serviceNamePrefix: ' + ${celShow(`${b.item}.serviceNamePrefix`)} + ' must start with a lowercase letter, contain only lowercase letters, digits and \\'-\\', end alphanumeric, at most 48 characters'`,
            };
          })(),
        ],
      },
      check(o, ctx) {
        (arr(at(o, "spec", "parties")) ?? []).forEach((p, i) => {
          const v = at(p, "serviceNamePrefix");
          if (typeof v === "string" && !SERVICE_NAME_PREFIX.test(v)) {
            ctx.fail(["spec", "parties", i, "serviceNamePrefix"], `${show(v)} must start with a lowercase letter, contain only lowercase letters, digits and '-', end alphanumeric, at most 48 characters`);
          }
        });
      },
    },
    {
      id: "kd.template",
      source: "Kubernetes apps/v1 Deployment validation (the party template becomes a Deployment in pkg/controllers/kusciadeployment/reconcile.go: generateDeployment); a Deployment the API server refuses is never created",
      severity: "error",
      summary: "party templates: replicas >= 0, strategy Recreate or RollingUpdate (int or percent), named unique containers, requests <= limits",
      vap: { unexpressible: "compares resource requests with limits in every quantity spelling (500m, 0.5, 1Gi) and int-or-percent strategies; Kubernetes' quantity() library could, not written in CEL yet" },
      check(o, ctx) {
        (arr(at(o, "spec", "parties")) ?? []).forEach((p, i) => {
          const t = at(p, "template");
          if (!isObj(t)) return;
          const base = ["spec", "parties", i, "template"];
          if (typeof t.replicas === "number" && t.replicas < 0) ctx.fail([...base, "replicas"], `is ${t.replicas}; replicas must be 0 or more`);
          checkStrategy(ctx, [...base, "strategy"], t.strategy);
          const containers = containersOf(t.spec);
          if (containers) {
            checkContainerNames(ctx, [...base, "spec", "containers"], containers);
            checkResources(ctx, [...base, "spec", "containers"], containers);
          }
        });
      },
    },
  ],
  // No immutable fields: upstream refuses no change of spec.initiator, and the controller recomputes
  // the initiator annotations on every reconcile (pkg/controllers/kusciadeployment/reconcile.go: computeExceptGeneratedAnnotations).
  // Only the strategy has a documented default that does not depend on the AppImage
  // (replicas fall back to the AppImage's, so they are left alone). A strategy given in part
  // is completed as Kubernetes completes a Deployment's.
  defaults: [
    {
      id: "strategy",
      summary: "a party template's strategy is RollingUpdate 25%/25% when unset",
      source: "pkg/controllers/kusciadeployment/reconcile.go: generateDeployment (updateStrategy when the template has none)",
      parent: "spec.parties[].template",
      field: "strategy",
      value: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    },
    {
      id: "strategy-type",
      summary: "a party template strategy's type is RollingUpdate when unset",
      source: "k8s.io/kubernetes pkg/apis/apps/v1/defaults.go: SetDefaults_Deployment (the Deployment Kuscia makes)",
      parent: "spec.parties[].template.strategy",
      field: "type",
      value: "RollingUpdate",
    },
    {
      id: "strategy-rolling-update",
      summary: "a RollingUpdate strategy's rollingUpdate is 25%/25% when unset",
      source: "k8s.io/kubernetes pkg/apis/apps/v1/defaults.go: SetDefaults_Deployment (the Deployment Kuscia makes)",
      parent: "spec.parties[].template.strategy",
      field: "rollingUpdate",
      value: { maxSurge: "25%", maxUnavailable: "25%" },
      when: [{ field: "type", absentOr: "RollingUpdate" }],
    },
    {
      id: "working-dir",
      summary: 'a party-template container\'s workingDir is "" when unset, as KusciaAPI writes it (upstream\'s CRD requires the field; see kd.template.working-dir)',
      source: "pkg/kusciaapi/service/serving_service.go: buildKusciaDeploymentPartyContainers (v1alpha1.Container{Name, Resources}: the JSON carries \"workingDir\": \"\"); crds/v1alpha1/kuscia.secretflow_kusciadeployments.yaml (required)",
      parent: "spec.parties[].template.spec.containers[]",
      field: "workingDir",
      value: "",
    },
  ],
};
