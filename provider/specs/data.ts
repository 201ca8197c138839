import type { DomainData, DomainDataArgs, DomainDataGrant, DomainDataGrantArgs, DomainDataSource, DomainDataSourceArgs } from "../../components";
import { arrayOf, bool, enumOf, int, mapOf, objectOf, required, str, type ComponentSpec, type ElementOf, type Plain } from "../spec";
import { CREATED, OBJECT, READINESS, annotations, labels, strings } from "./common";

const plain = { plain: true };
/** A domain certificate (alice's, from examples/manifests/accepted/domains.yaml), for the example. */
const EXAMPLE_CERT =
  "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUN0VENDQVoyZ0F3SUJBZ0lHQU5oV0VISXNNQTBHQ1NxR1NJYjNEUUVCQ3dVQU1CQXhEakFNQmdOVkJBTVQKQldGc2FXTmxNQ0FYRFRJMU1ERXdNVEF3TURBd01Gb1lEekl4TWpVd01UQXhNREF3TURBd1dqQVFNUTR3REFZRApWUVFERXdWaGJHbGpaVENDQVNJd0RRWUpLb1pJaHZjTkFRRUJCUUFEZ2dFUEFEQ0NBUW9DZ2dFQkFJY2ErU01pCmV4VHlUK2I2ZHlBaUNtbXhEWk16YUFDV0N0bWsyZjdRWmswRFFHcmMxMjVzdkdOZGVEOVFWcmxoZUlyU2pTK1kKYUVGakI1V1JJMmpNTE8wNk5sblQ5aTRHQWVtYUNoZFpiL2YwdU5kTmlITVdaM2hPS0NITk1PMjJick11SVlCdQpyTGNZRi9mWjRScHVNeUlJNGs4WkFuRXNoOG1HcDF6V3QyK01lcmdIaW1UeUtsV3VwYmxhT3dSeXNBN0lObEF4Cm1tVnc1Y0p0dTdhT3hMZ0pOa3ptdXZwd1J2QzEwSDE5dmpjRDhpby9DUmpCWXRlNERrZ1AyMFNyejUyVFpuQ0wKcW1tY2hhcmRuZStwenJ5aytINFF5Yjl2TEV6NWxtQWd3djlveFNoeVJidkpKRVYwREdOWWdkM3k4MG1taERhaQo3UUVCalpyNU5Xa0dCMXNDQXdFQUFhTVRNQkV3RHdZRFZSMFRBUUgvQkFVd0F3RUIvekFOQmdrcWhraUc5dzBCCkFRc0ZBQU9DQVFFQU1waWNtWlYvbDF5cjBWcVNIQU1yTCtjM2JVcGpVOUpHWTNQL0ZlWkRZbk9OODNMYmhYVXAKRGJ4eUo3TnZTbkhZL01DOXU1dUwxRlNJdGhReUszTURDQmIrTUhEbjhoRWxzK3NZanhTSDF2UkZqZlllOSt6ZQo2M0V6NnU3OStLekNBbzZXME80UUN5UWNVM0wrb3BJa3FheTM0elpuME0wSUxzaEk1UUFEbVl1RzJIODBhdDJTCjllRDdZWU1WcDFTSU1WcndnM1VsR0haWmlvbmNlN21ua3hGRDU3MDFLVUhscnNVR2VJbFE4b1UrdTRRVVVVZ0UKM2Y2Qldxd3ZYTzE4YTNDM1JseDIxTW83aHAvMGVkaTd4MUxadGtqL1VpZWo0Wm1YbW5yNC9qRExzd1hTV2ljeAptZ29nNm4vV0MvM1I4ZWVPaDY3czk2VWw5TjFkUHlDdXZnPT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQ==";
type Info = Plain<DomainDataSourceArgs["info"]>;

export const domainDataSourceSpec: ComponentSpec<DomainDataSourceArgs, DomainDataSource> = {
  name: "DomainDataSource",
  description:
    "A data source of a domain: the DomainDataSource custom resource in the domain's namespace, its connection info (credentials included) encrypted once with the domain's public key into `spec.data.encryptedInfo` as KusciaAPI does, and kept secret in the state and in every message.",
  inputs: {
    ...READINESS,
    domainId: required(str("The owning domain (the object's namespace).", plain)),
    datasourceId: str("The datasource ID (the object's name). Default: the resource name.", plain),
    type: required(enumOf("DataSourceType", ["localfs", "oss", "mysql", "odps", "postgresql", "hive", "dameng"], "Storage type of a Kuscia data source.")),
    displayName: str("Display name (`spec.name`). Default the datasource ID."),
    uri: str("Where the data lives, in the shape Kuscia derives for the type (localfs: the absolute directory; oss: `<bucket>/<prefix>`)."),
    accessDirectly: bool("Whether engines read the data source directly rather than through DataMesh."),
    info: required(
      objectOf<Info>("DataSourceInfo", "Connection info: exactly one member, for the data source's type.", {
        localfs: objectOf<Plain<Info["localfs"]>>("LocalfsInfo", "A local directory.", { path: required(str("The directory.")) }),
        oss: objectOf<Plain<Info["oss"]>>("OssInfo", "OSS or MinIO.", {
          endpoint: required(str("Endpoint, e.g. `https://oss-cn-hangzhou.aliyuncs.com`.")),
          bucket: required(str("Bucket.")),
          prefix: str("Prefix inside the bucket."),
          accessKeyId: required(str("Access key ID.", { secret: true })),
          accessKeySecret: required(str("Access key secret.", { secret: true })),
          virtualhost: bool("Virtual-host-style addressing."),
          version: str("Storage API version."),
          storageType: str("Storage type, e.g. `minio`."),
        }),
        database: objectOf<Plain<Info["database"]>>("DatabaseInfo", "mysql, postgresql, hive or dameng.", {
          endpoint: required(str("`host:port`.")),
          user: required(str("User.")),
          password: required(str("Password.", { secret: true })),
          database: required(str("Database.")),
        }),
        odps: objectOf<Plain<Info["odps"]>>("OdpsInfo", "MaxCompute.", {
          endpoint: required(str("Endpoint.")),
          project: required(str("Project.")),
          accessKeyId: required(str("Access key ID.", { secret: true })),
          accessKeySecret: required(str("Access key secret.", { secret: true })),
        }),
      }, { secret: true, doc: "The connection info, credentials included; encrypted with the domain's public key, secret end to end." }),
    ),
    domainCertificate: required(str("base64 of the owning domain's PEM certificate (a node's `certificate` output): its public key encrypts `info`.")),
    labels: labels("DomainDataSource"),
    annotations: annotations("DomainDataSource"),
  },
  example: {
    domainId: "alice",
    type: "localfs",
    uri: "/home/kuscia/var/storage/data",
    info: { localfs: { path: "/home/kuscia/var/storage/data" } },
    domainCertificate: EXAMPLE_CERT,
  },
  outputs: {
    datasourceId: required(str("The datasource ID.")),
    object: { ...OBJECT, secret: true },
    created: CREATED,
  },
};

type Data = DomainDataArgs;

export const domainDataSpec: ComponentSpec<DomainDataArgs, DomainData> = {
  name: "DomainData",
  description: "A domain's data (a table, a model...): the DomainData custom resource in the domain's namespace, reviewed by the rule book.",
  inputs: {
    ...READINESS,
    domainId: required(str("The owning domain (the object's namespace).", plain)),
    domainDataId: str("The domaindata ID (the object's name). Default: the resource name.", plain),
    type: required(str("What the data is: `table`, `model`, `rule`, `report`, ...")),
    relativeURI: required(str("Path of the data relative to its data source (stays inside it).")),
    dataSource: required(str("The datasource ID holding the data.")),
    displayName: str("Display name (`spec.name`). Default the domaindata ID."),
    author: str("The domain that owns the data. Default `domainId`."),
    columns: arrayOf(
      objectOf<ElementOf<Data["columns"]>>("DomainDataColumn", "A table column.", {
        name: required(str("Column name.")),
        type: required(str("Column type, e.g. `str`, `int`, `float`.")),
        comment: str("Comment."),
        notNullable: bool("The column has no nulls."),
      }),
      "Table columns.",
    ),
    fileFormat: str("File format, e.g. `csv`."),
    vendor: str("Who made the data: `manual`, `secretflow`, ..."),
    attributes: mapOf({ kind: "string", description: "attribute value" }, "Free-form attributes."),
    labels: labels("DomainData"),
    annotations: annotations("DomainData"),
  },
  example: { domainId: "alice", type: "table", relativeURI: "alice.csv", dataSource: "default-data-source", columns: [{ name: "id1", type: "str" }] },
  outputs: {
    domainDataId: required(str("The domaindata ID.")),
    object: OBJECT,
    created: CREATED,
  },
};

export const domainDataGrantSpec: ComponentSpec<DomainDataGrantArgs, DomainDataGrant> = {
  name: "DomainDataGrant",
  description: "A domain granting one of its DomainData to another domain: the DomainDataGrant custom resource in the granting domain's namespace, reviewed by the rule book.",
  inputs: {
    ...READINESS,
    domainId: required(str("The granting domain (the object's namespace, and the default author).", plain)),
    grantId: str("The grant's ID (the object's name). Default: the resource name.", plain),
    domainDataID: required(str("The domaindata granted.")),
    grantDomain: required(str("The domain the data is granted to (not the author).")),
    author: str("The granting domain. Default `domainId`."),
    limit: objectOf<Plain<DomainDataGrantArgs["limit"]>>("DomainDataGrantLimit", "Limits of a grant.", {
      expirationTime: str("RFC 3339 time after which the grant no longer holds (in the future)."),
      useCount: int("Number of uses allowed."),
      flowID: str("Flow the grant is limited to."),
      components: strings("Components (engines) allowed to use the data."),
      initiator: str("Initiator the grant is limited to."),
      inputConfig: str("Input configuration the grant is limited to."),
      grantMode: arrayOf({ kind: "string", description: "`normal`, `metaonly` or `fileonly`" }, "Grant modes."),
    }),
    description: mapOf({ kind: "string", description: "value" }, "Free-form description."),
    signature: str("Signature of the grant by the author."),
    labels: labels("DomainDataGrant"),
    annotations: annotations("DomainDataGrant"),
  },
  example: { domainId: "alice", domainDataID: "alice-table", grantDomain: "bob" },
  outputs: {
    grantId: required(str("The grant's ID.")),
    object: OBJECT,
    created: CREATED,
  },
};
