/**
 * The program body, separate from index.ts so tests can run it inline.
 *
 * Data as code in alice's domain: an OSS data source whose keys are encrypted
 * with alice's public key (as KusciaAPI's CreateDomainDataSource does) and kept
 * as Pulumi secrets, a table in it, and a grant of that table to bob. The
 * objects go to the Kuscia API server alice's data lives in (her autonomy or
 * lite node's, or the master's), given as `kuscia`.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { DomainData, DomainDataGrant, DomainDataSource } from "kuscia-iac";

export interface DataGrantOptions {
  /** base64 of alice's domain certificate (a node's `certificate` output): its key encrypts the data source's info. */
  aliceCertificate: pulumi.Input<string>;
  /** The OSS access key ID (a secret). */
  accessKeyId: pulumi.Input<string>;
  /** The OSS access key secret (a secret). */
  accessKeySecret: pulumi.Input<string>;
  /** Provider of the Kuscia API server; default: the ambient kubeconfig. */
  kuscia?: k8s.Provider;
  /** When the grant ends (RFC 3339). */
  expirationTime?: string;
}

export function dataGrant(opts: DataGrantOptions) {
  const at = opts.kuscia ? { provider: opts.kuscia } : {};
  const source = new DomainDataSource(
    "alice-oss",
    {
      domainId: "alice",
      type: "oss",
      uri: "kuscia-data/alice",
      info: { oss: { endpoint: "https://oss-cn-hangzhou.aliyuncs.com", bucket: "kuscia-data", prefix: "alice", accessKeyId: opts.accessKeyId, accessKeySecret: opts.accessKeySecret } },
      domainCertificate: opts.aliceCertificate,
    },
    at,
  );
  const table = new DomainData(
    "alice-table",
    {
      domainId: "alice",
      type: "table",
      relativeURI: "alice.csv",
      dataSource: source.datasourceId,
      fileFormat: "csv",
      vendor: "manual",
      columns: [
        { name: "id1", type: "str" },
        { name: "age", type: "int" },
        { name: "credit", type: "float", comment: "credit score" },
      ],
    },
    at,
  );
  const grant = new DomainDataGrant(
    "alice-table-to-bob",
    { domainId: "alice", domainDataID: table.domainDataId, grantDomain: "bob", ...(opts.expirationTime ? { limit: { expirationTime: opts.expirationTime } } : {}) },
    at,
  );
  return {
    datasourceId: source.datasourceId,
    domainDataId: table.domainDataId,
    grantId: grant.grantId,
    objects: pulumi.all([source.created, table.created, grant.created]).apply((l) => l.flat()),
  };
}
