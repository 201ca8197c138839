import type { ClusterDomainRoute, ClusterDomainRouteArgs } from "../../components";
import { arrayOf, bool, enumOf, int, mapOf, objectOf, required, str, type ComponentSpec, type ElementOf, type Plain } from "../spec";
import { AUTHENTICATION_TYPE, CREATED, EMIT, INTERCONN_PROTOCOL, OBJECT, PORT_PROTOCOL, annotations, labels, strings, READINESS } from "./common";

type Args = ClusterDomainRouteArgs;
type Endpoint = Plain<Args["endpoint"]>;
type Transit = Plain<Args["transit"]>;

export const clusterDomainRouteSpec: ComponentSpec<Args, ClusterDomainRoute> = {
  name: "ClusterDomainRoute",
  description: "The authorization between two domains' nodes. It stays a Kuscia custom resource: there is no native form.",
  inputs: {
    ...READINESS,
    name: str("Route name. Default `<source>-<destination>`, the name Kuscia's scripts use."),
    source: required(str("Domain ID the traffic comes from.")),
    destination: required(str("Domain ID the traffic goes to (different from source).")),
    authenticationType: required({ ...AUTHENTICATION_TYPE, doc: "`Token` (needs `tokenConfig`), `MTLS` (needs `mTLSConfig.sourceClientCert`) or `None`." }),
    interConnProtocol: INTERCONN_PROTOCOL,
    tokenConfig: objectOf<Plain<Args["tokenConfig"]>>("ClusterDomainRouteTokenConfig", "Token authentication settings.", {
      tokenGenMethod: required(str("`RSA-GEN` (what join_to_host.sh uses) or `UID-RSA-GEN`.")),
      rollingUpdatePeriod: int("Seconds between token rotations."),
      sourcePublicKey: str("Base64 public key of the source; filled by Kuscia when unset."),
      destinationPublicKey: str("Base64 public key of the destination; filled by Kuscia when unset."),
    }),
    mTLSConfig: objectOf<Plain<Args["mTLSConfig"]>>("ClusterDomainRouteMtls", "Mutual TLS settings.", {
      sourceClientCert: str("Base64 of the source node's PEM client certificate; required for MTLS."),
      sourceClientPrivateKey: str("Base64 of the source node's private key.", { secret: true }),
      tlsCA: str("Base64 of the CA certificate that signs the destination."),
    }),
    endpoint: objectOf<Endpoint>("ClusterDomainRouteEndpoint", "Where the destination is reached.", {
      host: str("Host name or address of the destination's gateway."),
      ports: arrayOf(
        objectOf<ElementOf<Endpoint["ports"]>>("ClusterDomainRoutePort", "A named port of the destination's gateway.", {
          name: required(str("Port name (distinct in the route).")),
          port: required(int("Port number.")),
          protocol: required(PORT_PROTOCOL),
          isTLS: bool("Whether the port speaks TLS."),
          pathPrefix: str("Path prefix added to requests."),
        }),
        "Named ports of the destination's gateway (distinct names).",
      ),
    }),
    transit: objectOf<Transit>("ClusterDomainRouteTransit", "Route through a third domain or a reverse tunnel.", {
      transitMethod: enumOf("TransitMethod", ["THIRD-DOMAIN", "REVERSE-TUNNEL"], "How traffic is relayed."),
      domain: objectOf<Plain<Transit["domain"]>>("ClusterDomainRouteTransitDomain", "The relaying domain.", { domainID: required(str("Domain ID of the relay.")) }),
    }),
    bodyEncryption: objectOf<Plain<Args["bodyEncryption"]>>("ClusterDomainRouteBodyEncryption", "Body encryption (needs `tokenConfig`).", {
      algorithm: required(enumOf("BodyEncryptionAlgorithm", ["AES", "SM4"], "Body encryption algorithm.")),
    }),
    requestHeadersToAdd: mapOf({ kind: "string", description: "header value" }, "Headers added to every request over the route."),
    sourceWhiteIPList: strings("Source addresses allowed to use the route."),
    labels: labels("ClusterDomainRoute"),
    annotations: annotations("ClusterDomainRoute"),
    emit: { ...EMIT, doc: "`custom-resource` (default) or `both`; a ClusterDomainRoute has no native form, so `native` is refused." },
  },
  example: {
    source: "alice",
    destination: "bob",
    authenticationType: "Token",
    tokenConfig: { tokenGenMethod: "RSA-GEN", rollingUpdatePeriod: 86400 },
    endpoint: { host: "bob.example.com", ports: [{ name: "http", port: 1080, protocol: "HTTP", isTLS: true }] },
  },
  outputs: {
    routeName: required(str("The route's name.")),
    object: OBJECT,
    created: CREATED,
  },
};
