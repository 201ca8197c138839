import type { KindPolicy } from "../engine";
import { schema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_Domain";
import { KUSCIA, certificateRuleIds, checkCertificate, checkDomainId } from "./common";
import { arr, at, str } from "../checks/values";
import { domainIdOk, domainIdWhy, enumText, firstBad, lit, show } from "../vap/cel";
import { enumField, hasSpec, nameField, o as O } from "../vap/forms";
import { NO_CEL } from "../vap/reasons";

const PROTOCOLS = ["kuscia", "bfia"];

export const domain: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "Domain",
  id: "domain",
  schema,
  tighten: {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          role: { enum: ["", "partner"], "x-rule": "domain.role", "x-hint": 'use "partner" for a peer-to-peer partner node, or "" (omit) for a local domain' },
          interConnProtocols: {
            type: "array",
            items: { enum: PROTOCOLS, "x-rule": "domain.interconn-protocols", "x-hint": "Kuscia supports kuscia and bfia" },
          },
        },
      },
    },
  },
  schemaRules: [
    {
      id: "domain.role", severity: "error", summary: 'spec.role is "" or "partner" (case-sensitive)', source: "pkg/kusciaapi/service/domain_service.go: CreateDomain, UpdateDomain (role must be empty or partner); pkg/crd/apis/kuscia/v1alpha1/domain_types.go: Partner",
      vap: { cel: [enumField("role", ["", "partner"], 'use "partner" for a peer-to-peer partner node, or "" (omit) for a local domain')] },
    },
    {
      id: "domain.interconn-protocols",
      severity: "error",
      summary: "spec.interConnProtocols items are kuscia or bfia (case-sensitive)",
      source: "pkg/crd/apis/kuscia/v1alpha1/domain_types.go: InterConnKuscia, InterConnBFIA; pkg/controllers/domain/authorization_resource.go: getInterConnProtocol",
      vap: {
        cel: [
          (() => {
            const l = `${O}.spec.interConnProtocols`;
            const b = firstBad(l, "p", `!(p in ['kuscia', 'bfia'])`);
            return {
              expression: `!(${hasSpec("interConnProtocols")}) || ${l}.all(p, p in ['kuscia', 'bfia'])`,
              message: `'spec.interConnProtocols[' + ${b.index} + ']: ' + ${enumText(b.item, ["kuscia", "bfia"], "Kuscia supports kuscia and bfia")}`,
            };
          })(),
        ],
      },
    },
  ],
  rules: [
    {
      id: "domain.name",
      severity: "error",
      summary: "metadata.name is a domain ID usable as a Namespace name (RFC 1123 label, not reserved)",
      source: "pkg/controllers/domain/namespace.go: createNamespace (the domain ID names a Namespace); pkg/kusciaapi/service/domain_service.go: CreateDomain (ValidateK8sName, 'master' refused); pkg/common/constants.go: KusciaCrossDomain",
      vap: { cel: [nameField(domainIdOk, domainIdWhy)] },
      check(o, ctx) {
        const name = at(o, "metadata", "name");
        if (name === undefined) ctx.fail(["metadata", "name"], "is required: the Domain name is the domain ID");
        else checkDomainId(ctx, ["metadata", "name"], name);
      },
    },
    {
      id: "domain.cert",
      severity: "error",
      summary: "spec.cert is base64 of a PEM X.509 certificate with an RSA public key",
      source: "pkg/kusciaapi/service/domain_service.go: getValidCert (VerifyEncodeCert); pkg/controllers/clusterdomainroute/domain.go: getPublickeyFromCert (the key must be RSA)",
      vap: { unexpressible: NO_CEL.certificate },
      emits: [
        ...certificateRuleIds("domain.cert", "spec.cert"),
      ],
      check(o, ctx) {
        const cert = str(at(o, "spec", "cert"));
        if (cert !== undefined) checkCertificate(ctx, ["spec", "cert"], cert, str(at(o, "metadata", "name")), "domain.cert");
      },
    },
    {
      id: "domain.partner-cert",
      severity: "error",
      summary: "a partner Domain (peer-to-peer) carries the partner node's certificate",
      source: "kuscia-iac policy: KusciaAPI accepts a partner without cert, but then pkg/controllers/clusterdomainroute/domain.go: getPublicKeyFromDomain only logs 'cert is nil' and RSA-GEN route tokens cannot be exchanged; scripts/deploy/add_domain.sh always sets it",
      vap: {
        cel: [
          {
            expression: `!(${hasSpec("role")} && ${O}.spec.role == 'partner' && !has(${O}.spec.cert))`,
            message: lit("spec.cert: is required when spec.role is partner: in peer-to-peer mode the partner's certificate authenticates it; set it to the base64 of the partner's domain.crt"),
          },
        ],
      },
      check(o, ctx) {
        if (at(o, "spec", "role") === "partner" && at(o, "spec", "cert") === undefined) {
          ctx.fail(["spec", "cert"], "is required when spec.role is partner: in peer-to-peer mode the partner's certificate authenticates it; set it to the base64 of the partner's domain.crt");
        }
      },
    },
    {
      id: "domain.interconn-protocols.single",
      severity: "warning",
      summary: "only the first of spec.interConnProtocols is used",
      source: "pkg/controllers/domain/authorization_resource.go: getInterConnProtocol, createOrUpdateAuth (read InterConnProtocols[0] only)",
      vap: {
        cel: [
          {
            expression: `!(${hasSpec("interConnProtocols")}) || size(${O}.spec.interConnProtocols) <= 1`,
            message: `'spec.interConnProtocols: lists ' + string(size(${O}.spec.interConnProtocols)) + ' protocols; Kuscia uses only the first (' + ${show(`${O}.spec.interConnProtocols[0]`)} + ') today'`,
          },
        ],
      },
      check(o, ctx) {
        const p = arr(at(o, "spec", "interConnProtocols"));
        if (p && p.length > 1) ctx.warn(["spec", "interConnProtocols"], `lists ${p.length} protocols; Kuscia uses only the first (${JSON.stringify(p[0])}) today`);
      },
    },
    {
      id: "domain.partner-quota",
      severity: "warning",
      summary: "spec.resourceQuota is ignored for partner Domains",
      source: "pkg/controllers/domain/controller.go: create, update (createResourceQuota only when !isPartner); pkg/controllers/domain/resource_quota.go: makeResourceQuota",
      vap: {
        cel: [
          {
            expression: `!(${hasSpec("role")} && ${O}.spec.role == 'partner' && has(${O}.spec.resourceQuota) && has(${O}.spec.resourceQuota.podMaxCount))`,
            message: lit("spec.resourceQuota.podMaxCount: is ignored for a partner Domain: Kuscia creates the resource-limitation ResourceQuota only for local domains"),
          },
        ],
      },
      check(o, ctx) {
        if (at(o, "spec", "role") === "partner" && at(o, "spec", "resourceQuota", "podMaxCount") !== undefined) {
          ctx.warn(["spec", "resourceQuota", "podMaxCount"], "is ignored for a partner Domain: Kuscia creates the resource-limitation ResourceQuota only for local domains");
        }
      },
    },
  ],
  // No immutable fields: KusciaAPI's UpdateDomain changes spec.role (pkg/kusciaapi/service/domain_service.go)
  // and the domain controller relabels the namespace (pkg/controllers/domain/namespace.go: updateNamespace).
  defaults: [
    {
      // Only for local domains: on a partner Domain an explicit ["kuscia"] selects the peer-to-peer
      // authorization path (createOrUpdateAuth), so filling it would change what the controller does.
      id: "interconn-protocols",
      summary: "a local Domain's spec.interConnProtocols is [kuscia], what the controllers assume when the list is empty",
      source: "pkg/controllers/domain/authorization_resource.go: getInterConnProtocol",
      parent: "spec",
      field: "interConnProtocols",
      value: ["kuscia"],
      when: [{ field: "role", not: "partner" }],
    },
  ],
};

