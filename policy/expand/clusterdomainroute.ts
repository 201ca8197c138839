/**
 * ClusterDomainRoute → what Kuscia's ClusterDomainRoute controller makes of it
 * (pkg/controllers/clusterdomainroute at e909d9f6: controller.go syncHandler, domain.go,
 * domainroute.go, interconn.go). Pure; the Domains of both ends must be given, since
 * everything depends on their roles.
 *
 * - The route itself, as the controller rewrites it (updateLabel, syncDomainPubKey):
 *   labels `kuscia.secretflow/clusterdomainroute-source` / `-destination`, and
 *   `kuscia.secertflow/domainroute-partner` (upstream's spelling) naming the end that is a
 *   partner; for RSA-GEN and UID-RSA-GEN tokens, the public keys of both ends (base64 of the
 *   PKCS#1 PEM of the key in each Domain's certificate).
 * - A DomainRoute `<source>-<destination>` in the namespace of each end that is not a partner
 *   (checkDomainRoute, newDomainRoute): the route's labels and spec, owned by the route.
 * - An InteropConfig `<source>-2-<destination>` (host: destination, members: [source]) when the
 *   source is local and the destination a partner that is its own master, unless the route
 *   uses BFIA (checkInteropConfig). With Token authentication or body encryption Kuscia waits
 *   for the gateway to issue the route's first token before it creates it.
 *
 * Not rendered: the `Authorization` header the controller adds to a route whose source is a
 * peer-to-peer Kuscia partner (syncServiceToken), a service-account token only the cluster can
 * mint; a warning says so.
 */
import { X509Certificate } from "node:crypto";
import { KUSCIA_API_VERSION, type ClusterDomainRouteResource, type DomainResource, type InteropConfigResource, type KusciaMeta, type OwnerReference } from "./types";
import { routeInteropConfigName } from "./interopconfig";

export const ROUTE_LABEL = {
  source: "kuscia.secretflow/clusterdomainroute-source",
  destination: "kuscia.secretflow/clusterdomainroute-destination",
  /** Spelled so upstream (pkg/common/constants.go LabelDomainRoutePartner). */
  partner: "kuscia.secertflow/domainroute-partner",
} as const;

/** Shown where only the API server knows the route's uid. */
export const ROUTE_UID_PLACEHOLDER = "<route uid>";

export interface DomainRouteObject {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "DomainRoute";
  metadata: KusciaMeta & { namespace: string; ownerReferences: OwnerReference[] };
  spec: ClusterDomainRouteResource["spec"];
}

export interface ClusterDomainRouteExpansion {
  /** The route as the controller leaves it (labels, public keys). */
  route: ClusterDomainRouteResource;
  domainRoutes: DomainRouteObject[];
  interopConfigs: InteropConfigResource[];
  warnings: string[];
  errors: string[];
}

export function expandClusterDomainRoute(cdr: ClusterDomainRouteResource, ctx: { domains: Iterable<DomainResource> }): ClusterDomainRouteExpansion {
  const domains = new Map([...ctx.domains].map((d) => [d.metadata.name, d]));
  const { source, destination } = cdr.spec;
  const name = cdr.metadata.name;
  const where = `ClusterDomainRoute ${JSON.stringify(name)}`;
  const src = domains.get(source);
  const dst = domains.get(destination);
  const missing = [!src && source, !dst && destination].filter((x): x is string => typeof x === "string");
  if (missing.length > 0) {
    // getDomainRole: Kuscia retries until both Domains exist, and does nothing before.
    return { route: cdr, domainRoutes: [], interopConfigs: [], warnings: [`${where}: Domain ${missing.map((m) => JSON.stringify(m)).join(" and ")} was not given, so only the route is shown; Kuscia does nothing with a route until both of its Domains exist, and what it does (labels, public keys, DomainRoutes, an InteropConfig) depends on their roles`], errors: [] };
  }
  const warnings: string[] = [];
  const route = structuredClone(cdr);
  // The controller writes the route back (updateLabel) from its Go struct: the spec as Go serialises it.
  route.spec = asGoWrites(route.spec);
  const srcPartner = src!.spec?.role === "partner";
  const dstPartner = dst!.spec?.role === "partner";
  const labels: Record<string, string> = { ...(route.metadata.labels ?? {}), [ROUTE_LABEL.source]: source, [ROUTE_LABEL.destination]: destination };
  if (srcPartner) labels[ROUTE_LABEL.partner] = source;
  else if (dstPartner) labels[ROUTE_LABEL.partner] = destination;
  route.metadata.labels = labels;

  const method = route.spec.tokenConfig?.tokenGenMethod;
  if (route.spec.tokenConfig && (method === "RSA-GEN" || method === "UID-RSA-GEN")) {
    const s = publicKeyOf(src!);
    const d = publicKeyOf(dst!);
    if (s) route.spec.tokenConfig.sourcePublicKey = s;
    if (d) route.spec.tokenConfig.destinationPublicKey = d;
  }

  const p2pKuscia = (x: DomainResource) => x.spec?.role === "partner" && x.spec.interConnProtocols?.[0] === "kuscia" && (!x.spec.master || x.spec.master === x.metadata.name);
  if (p2pKuscia(src!) && !route.spec.requestHeadersToAdd?.Authorization) {
    warnings.push(`${where}: Kuscia adds requestHeadersToAdd.Authorization with a token of ServiceAccount ${source}/${source} (the source is a peer-to-peer partner); only the cluster can mint it, so it is not shown`);
  }

  const drName = `${source}-${destination}`;
  const owner = { apiVersion: KUSCIA_API_VERSION, kind: "ClusterDomainRoute", name, uid: cdr.metadata.uid ?? ROUTE_UID_PLACEHOLDER, controller: true, blockOwnerDeletion: true };
  const domainRoute = (ns: string): DomainRouteObject => ({
    apiVersion: KUSCIA_API_VERSION,
    kind: "DomainRoute",
    metadata: { name: drName, namespace: ns, labels: { ...labels }, ownerReferences: [{ ...owner }] },
    spec: structuredClone(route.spec),
  });
  const domainRoutes: DomainRouteObject[] = [];
  if (!srcPartner) domainRoutes.push(domainRoute(source));
  if (!dstPartner) domainRoutes.push(domainRoute(destination));

  const interopConfigs: InteropConfigResource[] = [];
  // needCreateInteropConfig: a partner destination is its own master once Kuscia filled spec.master.
  const dstOwnMaster = dstPartner && (!dst!.spec?.master || dst!.spec.master === destination);
  if (!srcPartner && dstOwnMaster && route.spec.interConnProtocol !== "bfia") {
    interopConfigs.push({
      apiVersion: KUSCIA_API_VERSION,
      kind: "InteropConfig",
      metadata: { name: routeInteropConfigName(source, destination), ownerReferences: [{ ...owner }] },
      spec: { host: destination, members: [source] },
    });
    if (route.spec.authenticationType === "Token" || route.spec.bodyEncryption) {
      warnings.push(`${where}: Kuscia creates InteropConfig ${routeInteropConfigName(source, destination)} once its gateway has issued the route's first token`);
    }
  }
  return { route, domainRoutes, interopConfigs, warnings, errors: [] };
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isZero = (v: unknown) => v === "" || v === false || v === 0 || v === null || (Array.isArray(v) && v.length === 0) || (isJson(v) && Object.keys(v).length === 0);

/**
 * A JSON object as Go's encoding/json writes the struct it decodes into: fields tagged
 * `omitempty` are dropped when zero ("", false, 0, empty slice or map, nil pointer), fields
 * without it are written even when absent (as their zero value). `fields` maps each known
 * field to `omit` (omitempty), a zero value (no omitempty), or a nested shape; unknown
 * fields are kept as they are (the CRD prunes them before Kuscia ever reads them).
 */
function goWrites(v: unknown, shape: Shape): unknown {
  if (!isJson(v)) return v;
  const out: Json = { ...v };
  for (const [k, f] of Object.entries(shape)) {
    if (f === "omit") {
      if (k in out && isZero(out[k])) delete out[k];
    } else if (typeof f === "object" && f !== null && "of" in f) {
      if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((x) => goWrites(x, f.of));
      if (f.omit && k in out && isZero(out[k])) delete out[k];
    } else if (typeof f === "object" && f !== null && "struct" in f) {
      // A nested struct (never omitted by Go) or pointer to one (omitted when nil).
      if (isJson(out[k])) out[k] = goWrites(out[k], f.struct);
      else if (!f.pointer) out[k] = goWrites({}, f.struct);
    } else if (!(k in out)) out[k] = f;
  }
  return out;
}
type Field = "omit" | string | number | { of: Shape; omit?: boolean } | { struct: Shape; pointer?: boolean };
interface Shape { [field: string]: Field }

/** pkg/crd/apis/kuscia/v1alpha1/domainroute_types.go DomainRouteSpec (e909d9f6), field by field. */
const DOMAIN_ROUTE_SPEC: Shape = {
  source: "",
  destination: "",
  interConnProtocol: "omit",
  endpoint: { struct: { host: "omit", ports: { of: { name: "", protocol: "", pathPrefix: "omit", isTLS: "omit", port: 0 }, omit: true } } },
  transit: { struct: { transitMethod: "", domain: { struct: { domainID: "" }, pointer: true } }, pointer: true },
  authenticationType: "",
  tokenConfig: { struct: { sourcePublicKey: "omit", destinationPublicKey: "omit", rollingUpdatePeriod: 0, tokenGenMethod: "" }, pointer: true },
  bodyEncryption: { struct: { algorithm: "" }, pointer: true },
  mTLSConfig: { struct: { tlsCA: "omit", sourceClientPrivateKey: "omit", sourceClientCert: "omit" }, pointer: true },
  sourceWhiteIPList: "omit",
  requestHeadersToAdd: "omit",
};

/** A route's spec as Kuscia writes it back: `isTLS: false`, `pathPrefix: ""`, empty lists and the like dropped, required scalars present. */
export function asGoWrites<T>(spec: T): T {
  return goWrites(structuredClone(spec), DOMAIN_ROUTE_SPEC) as T;
}

/** getPublicKeyFromDomain: base64 of the PKCS#1 PEM of the RSA key in the Domain's certificate, or undefined. */
function publicKeyOf(d: DomainResource): string | undefined {
  if (!d.spec?.cert) return undefined;
  try {
    const cert = new X509Certificate(Buffer.from(d.spec.cert, "base64"));
    if (cert.publicKey.asymmetricKeyType !== "rsa") return undefined;
    return Buffer.from(cert.publicKey.export({ type: "pkcs1", format: "pem" }) as string).toString("base64");
  } catch {
    return undefined; // Kuscia logs "cert format error" and leaves the key unset
  }
}
