/** ClusterDomainRoute and DomainRoute: the authorization between two nodes. */
import type { KindPolicy, Rule } from "../engine";
import { schema as cdrSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_ClusterDomainRoute";
import { schema as drSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_DomainRoute";
import { CERT_SOURCES, KUSCIA, checkCertificate, checkDomainId } from "./common";
import { arr, at, isObj, str } from "../checks/values";
import { placeholder } from "../checks/names";
import { domainIdOk, domainIdWhy, lit, show as celShow } from "../vap/cel";
import { domainIdField, enumField, hasSpec, immutableCel, o as O } from "../vap/forms";
import { NO_CEL } from "../vap/reasons";

const AUTH_SOURCE = "pkg/controllers/domainroute/check.go: DoValidate (switch on AuthenticationType: Token, MTLS, None; anything else is 'unsupported type')";
const PROTOCOL_SOURCE = "pkg/crd/apis/kuscia/v1alpha1/common.go: InterConnKuscia, InterConnBFIA; pkg/controllers/clusterdomainroute/interconn.go: needCreateInteropConfig";
const CDR_IMMUTABLE_SOURCE =
  "pkg/controllers/clusterdomainroute/controller.go: syncHandler and domainroute.go: checkDomainRoute (DomainRoutes are looked up by the new <source>-<destination> only, so the old ones are never deleted and keep routing); interconn.go: checkInteropConfig (same for <source>-2-<destination>)";

const AUTH_CEL = { cel: [enumField("authenticationType", ["Token", "MTLS", "None"], "Kuscia supports Token, MTLS and None")] };
const PROTOCOL_CEL = { cel: [enumField("interConnProtocol", ["kuscia", "bfia"])] };

function tighten(prefix: string): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          authenticationType: { enum: ["Token", "MTLS", "None"], "x-rule": `${prefix}.authentication`, "x-hint": "Kuscia supports Token, MTLS and None" },
          interConnProtocol: { enum: ["kuscia", "bfia"], "x-rule": `${prefix}.interconn-protocol` },
        },
      },
    },
  };
}

function rules(prefix: string): Rule[] {
  const src = `${O}.spec.source`;
  const dst = `${O}.spec.destination`;
  const ports = `${O}.spec.endpoint.ports`;
  const dupPort = `${ports}.filter(x, has(x.name) && ${ports}.filter(y, has(y.name) && y.name == x.name).size() > 1)`;
  const tid = `${O}.spec.transit.domain.domainID`;
  const thirdDomain = `has(${O}.spec.transit) && (!has(${O}.spec.transit.transitMethod) || ${O}.spec.transit.transitMethod == 'THIRD-DOMAIN')`;
  const hasTid = `has(${O}.spec.transit.domain) && has(${tid})`;
  return [
    {
      id: `${prefix}.domains`,
      severity: "error",
      summary: "spec.source and spec.destination are valid, different domain IDs",
      vap: {
        cel: [
          domainIdField("source"),
          domainIdField("destination"),
          {
            expression: `!(${hasSpec("source")} && ${hasSpec("destination")} && ${src} == ${dst})`,
            message: `'spec.destination: equals spec.source (' + ${celShow(src)} + '); a route connects two different domains'`,
          },
        ],
      },
      source: "pkg/controllers/domainroute/check.go: DoValidate (source and destination set); pkg/controllers/clusterdomainroute/controller.go: syncHandler (they name the namespaces the DomainRoutes are created in)",
      check(o, ctx) {
        const src = at(o, "spec", "source");
        const dst = at(o, "spec", "destination");
        checkDomainId(ctx, ["spec", "source"], src);
        checkDomainId(ctx, ["spec", "destination"], dst);
        if (typeof src === "string" && src === dst) ctx.fail(["spec", "destination"], `equals spec.source (${JSON.stringify(src)}); a route connects two different domains`);
      },
    },
    {
      id: `${prefix}.name`,
      severity: "warning",
      summary: "metadata.name is <source>-<destination>, the name Kuscia's scripts and `kubectl get cdr` checks use",
      source: "pkg/controllers/clusterdomainroute/controller.go: syncHandler (DomainRoutes are named <source>-<destination>); pkg/controllers/domain/authorization_resource.go: createClusterDomainRoute; scripts/templates/cluster_domain_route.token.yaml",
      vap: {
        cel: [
          {
            expression: `!(${hasSpec("source")} && ${hasSpec("destination")} && ${src} != '' && ${dst} != '' && has(${O}.metadata.name) && ${O}.metadata.name != '') || ${O}.metadata.name == ${src} + '-' + ${dst}`,
            message: `'metadata.name: is ' + ${celShow(`${O}.metadata.name`)} + '; Kuscia names routes <source>-<destination> (' + ${celShow(`${src} + '-' + ${dst}`)} + ')'`,
          },
        ],
      },
      check(o, ctx) {
        const src = str(at(o, "spec", "source"));
        const dst = str(at(o, "spec", "destination"));
        const name = str(at(o, "metadata", "name"));
        if (src && dst && name && name !== `${src}-${dst}`) ctx.warn(["metadata", "name"], `is ${JSON.stringify(name)}; Kuscia names routes <source>-<destination> (${JSON.stringify(`${src}-${dst}`)})`);
      },
    },
    {
      id: `${prefix}.token`,
      severity: "error",
      summary: "Token authentication (and bodyEncryption) needs spec.tokenConfig",
      source: "pkg/controllers/domainroute/check.go: DoValidate (field TokenConfig is null)",
      vap: {
        cel: [
          {
            expression: `!(${hasSpec("authenticationType")} && ${O}.spec.authenticationType == 'Token' && !has(${O}.spec.tokenConfig))`,
            message: lit("spec.tokenConfig: is required when authenticationType is Token: set tokenConfig.tokenGenMethod (RSA-GEN, as join_to_host.sh does)"),
          },
          {
            expression: `!(${hasSpec("bodyEncryption")} && !has(${O}.spec.tokenConfig))`,
            message: lit("spec.bodyEncryption: needs spec.tokenConfig: the body encryption key is derived from the route token"),
          },
        ],
      },
      check(o, ctx) {
        const spec = at(o, "spec");
        if (!isObj(spec)) return;
        if (spec.authenticationType === "Token" && !isObj(spec.tokenConfig)) {
          ctx.fail(["spec", "tokenConfig"], "is required when authenticationType is Token: set tokenConfig.tokenGenMethod (RSA-GEN, as join_to_host.sh does)");
        }
        if (spec.bodyEncryption !== undefined && !isObj(spec.tokenConfig)) {
          ctx.fail(["spec", "bodyEncryption"], "needs spec.tokenConfig: the body encryption key is derived from the route token");
        }
      },
    },
    {
      id: `${prefix}.mtls`,
      severity: "error",
      summary: "MTLS authentication needs spec.mTLSConfig.sourceClientCert, base64 of a PEM certificate",
      source: "pkg/controllers/domainroute/check.go: DoValidate (MTLSConfig and SourceClientCert set, base64); the gateway loads it as the client certificate of the route",
      vap: { unexpressible: NO_CEL.certificateRequired },
      emits: [
        { id: `${prefix}.mtls.key-size`, severity: "error", summary: "spec.mTLSConfig.sourceClientCert, when RSA, has at least minRsaKeyBits bits (default 2048)", source: CERT_SOURCES.keySize, vap: { unexpressible: NO_CEL.certificate }, params: ["minRsaKeyBits"] },
        { id: `${prefix}.mtls.validity`, severity: "error", summary: "spec.mTLSConfig.sourceClientCert is inside its validity window", source: CERT_SOURCES.validity, vap: { unexpressible: NO_CEL.certificate } },
        { id: `${prefix}.mtls.expiring`, severity: "warning", summary: "spec.mTLSConfig.sourceClientCert expires within certificateExpiryWarningDays days (default 30)", source: CERT_SOURCES.expiring, vap: { unexpressible: NO_CEL.certificate }, params: ["certificateExpiryWarningDays"] },
      ],
      check(o, ctx) {
        const spec = at(o, "spec");
        if (!isObj(spec)) return;
        const cert = at(spec, "mTLSConfig", "sourceClientCert");
        if (spec.authenticationType === "MTLS" && (typeof cert !== "string" || cert === "")) {
          ctx.fail(["spec", "mTLSConfig", "sourceClientCert"], "is required when authenticationType is MTLS: set it to the base64 of the source node's client certificate");
        }
        if (typeof cert === "string" && cert !== "" && !placeholder(cert)) {
          checkCertificate(ctx, ["spec", "mTLSConfig", "sourceClientCert"], cert, undefined, `${prefix}.mtls`, false);
        }
      },
    },
    {
      id: `${prefix}.transit`,
      severity: "error",
      summary: "a THIRD-DOMAIN transit names a valid transit domain",
      source: "pkg/gateway/utils/transit.go: IsThirdPartyTransit (an empty transitMethod means THIRD-DOMAIN); pkg/crd/apis/kuscia/v1alpha1/domainroute_types.go: Transit.Domain",
      vap: {
        cel: [
          { expression: `!(${thirdDomain}) || ${hasTid}`, message: lit("spec.transit.domain.domainID: is required for transit through a third domain") },
          { expression: `!(${thirdDomain} && ${hasTid}) || ${domainIdOk(tid)}`, message: `'spec.transit.domain.domainID: ' + ${celShow(tid)} + ' ' + ${domainIdWhy(tid)}` },
        ],
      },
      check(o, ctx) {
        const t = at(o, "spec", "transit");
        if (!isObj(t)) return;
        if (t.transitMethod === "THIRD-DOMAIN" || t.transitMethod === undefined) {
          const d = at(t, "domain", "domainID");
          if (d === undefined) ctx.fail(["spec", "transit", "domain", "domainID"], "is required for transit through a third domain");
          else checkDomainId(ctx, ["spec", "transit", "domain", "domainID"], d);
        }
      },
    },
    {
      id: `${prefix}.endpoint`,
      severity: "error",
      summary: "spec.endpoint.ports have distinct names",
      source: "pkg/gateway/controller/domain_route.go: the Envoy cluster of a port is named common.GenerateClusterName(source, destination, port name), so a repeated name replaces the other port",
      vap: {
        cel: [
          {
            expression: `!(has(${O}.spec) && has(${O}.spec.endpoint) && has(${O}.spec.endpoint.ports)) || ${ports}.all(x, !has(x.name) || ${ports}.filter(y, has(y.name) && y.name == x.name).size() == 1)`,
            // The second port of the first repeated name (exact unless a name is used three times).
            message: `'spec.endpoint.ports[' + string(${ports}.map(x, has(x.name) ? x.name : '\\u0000').lastIndexOf(${dupPort}[0].name)) + '].name: ' + ${celShow(`${dupPort}[0].name`)} + ' is used by another port; port names must be unique'`,
          },
        ],
      },
      check(o, ctx) {
        const ports = arr(at(o, "spec", "endpoint", "ports")) ?? [];
        const names = new Set<unknown>();
        ports.forEach((p, i) => {
          const n = at(p, "name");
          if (typeof n === "string" && names.has(n)) ctx.fail(["spec", "endpoint", "ports", i, "name"], `${JSON.stringify(n)} is used by another port; port names must be unique`);
          names.add(n);
        });
      },
    },
  ];
}

export const clusterDomainRoute: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "ClusterDomainRoute",
  id: "cdr",
  schema: cdrSchema,
  tighten: tighten("cdr"),
  schemaRules: [
    { id: "cdr.authentication", severity: "error", summary: "spec.authenticationType is Token, MTLS or None (case-sensitive)", source: AUTH_SOURCE, vap: AUTH_CEL },
    { id: "cdr.interconn-protocol", severity: "error", summary: "spec.interConnProtocol is kuscia or bfia (case-sensitive)", source: PROTOCOL_SOURCE, vap: PROTOCOL_CEL },
  ],
  rules: rules("cdr"),
  immutable: [
    immutableCel({ rule: "cdr.source.immutable", source: CDR_IMMUTABLE_SOURCE, path: ["spec", "source"], fix: "the controller would leave the old DomainRoutes (and InteropConfig) in place; create a new ClusterDomainRoute instead" }),
    immutableCel({ rule: "cdr.destination.immutable", source: CDR_IMMUTABLE_SOURCE, path: ["spec", "destination"], fix: "the controller would leave the old DomainRoutes (and InteropConfig) in place; create a new ClusterDomainRoute instead" }),
  ],
};

export const domainRoute: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "DomainRoute",
  id: "dr",
  schema: drSchema,
  tighten: tighten("dr"),
  schemaRules: [
    { id: "dr.authentication", severity: "error", summary: "spec.authenticationType is Token, MTLS or None (case-sensitive)", source: AUTH_SOURCE, vap: AUTH_CEL },
    { id: "dr.interconn-protocol", severity: "error", summary: "spec.interConnProtocol is kuscia or bfia (case-sensitive)", source: PROTOCOL_SOURCE, vap: PROTOCOL_CEL },
  ],
  rules: rules("dr"),
  // No immutable fields: upstream refuses no change, and the ClusterDomainRoute controller itself
  // rewrites the spec of the DomainRoutes it owns (pkg/controllers/clusterdomainroute/domainroute.go: checkDomainRoute).
};
