import type { KindPolicy } from "../engine";
import { schema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_Domain";
import { KUSCIA, certificateRuleIds, checkCertificate, checkDomainId } from "./common";
import { arr, at, obj, str } from "../checks/values";

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
    { id: "domain.role", severity: "error", summary: 'spec.role is "" or "partner"' },
    { id: "domain.interconn-protocols", severity: "error", summary: "spec.interConnProtocols items are kuscia or bfia" },
  ],
  rules: [
    {
      id: "domain.name",
      severity: "error",
      summary: "metadata.name is a domain ID usable as a Namespace name (RFC 1123 label, not reserved)",
      check(o, ctx) {
        const name = at(o, "metadata", "name");
        if (name === undefined) ctx.fail(["metadata", "name"], "is required: the Domain name is the domain ID");
        else checkDomainId(ctx, ["metadata", "name"], name);
      },
    },
    {
      id: "domain.cert",
      severity: "error",
      summary: "spec.cert is base64 of a PEM X.509 certificate with an RSA key of at least 2048 bits",
      emits: certificateRuleIds("domain.cert", "spec.cert"),
      check(o, ctx) {
        const cert = str(at(o, "spec", "cert"));
        if (cert !== undefined) checkCertificate(ctx, ["spec", "cert"], cert, str(at(o, "metadata", "name")), "domain.cert");
      },
    },
    {
      id: "domain.partner-cert",
      severity: "error",
      summary: "a partner Domain (peer-to-peer) carries the partner node's certificate",
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
      check(o, ctx) {
        const p = arr(at(o, "spec", "interConnProtocols"));
        if (p && p.length > 1) ctx.warn(["spec", "interConnProtocols"], `lists ${p.length} protocols; Kuscia uses only the first (${JSON.stringify(p[0])}) today`);
      },
    },
    {
      id: "domain.partner-quota",
      severity: "warning",
      summary: "spec.resourceQuota is ignored for partner Domains",
      check(o, ctx) {
        if (at(o, "spec", "role") === "partner" && at(o, "spec", "resourceQuota", "podMaxCount") !== undefined) {
          ctx.warn(["spec", "resourceQuota", "podMaxCount"], "is ignored for a partner Domain: Kuscia creates the resource-limitation ResourceQuota only for local domains");
        }
      },
    },
  ],
  immutable: [
    { rule: "domain.role.immutable", path: ["spec", "role"], fix: "a domain cannot switch between local and partner; delete it and create it again", normalize: (v) => v ?? "" },
  ],
  defaults(o) {
    const spec = obj(o.spec);
    if (spec && spec.interConnProtocols === undefined) return [{ op: "add", path: "/spec/interConnProtocols", value: ["kuscia"] }];
    return [];
  },
};

