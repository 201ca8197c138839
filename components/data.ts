/**
 * Data as code: DomainDataSource, DomainData and DomainDataGrant. Each is a Kuscia custom
 * resource in its owner's namespace (the domain ID) with no native form, so each component
 * emits the custom resource alone, reviewed by the rule book. Names and domain IDs are plain:
 * they name the object and so the Pulumi resource, which then exists from construction.
 */
import * as pulumi from "@pulumi/pulumi";
import { KUSCIA_API_VERSION } from "../policy/expand";
import { createCustomResource, family, nameChild, objectRef, whenCreated, type ReadinessArgs } from "./children";
import { isKnown, judgeLater } from "./known";
import { admitOrThrow, compact, KusciaValidationError, reviewFindings } from "./validate";
import { EncryptedInfo, secretType } from "./secrets";
import { refusing, refused } from "./refusal";

/** A Kuscia custom resource as these components build it. */
export interface DataResource {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "DomainDataSource" | "DomainData" | "DomainDataGrant";
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

interface Identity {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
}

/**
 * Reviews `build(args)` (at construction when every argument is known, else once they resolve)
 * and creates the custom resource named by `identity` from construction. `secret`: the object's
 * contents are kept secret in the state and a refusal quotes no value.
 */
function emitData<A>(
  parent: pulumi.ComponentResource,
  name: string,
  opts: pulumi.ComponentResourceOptions | undefined,
  readiness: ReadinessArgs,
  identity: Identity,
  args: A,
  build: (a: pulumi.Unwrap<A>) => DataResource,
  secret: boolean,
): { object: pulumi.Output<DataResource>; created: pulumi.Output<string[]> } {
  const fam = family(parent, name, opts, readiness);
  const check = (a: pulumi.Unwrap<A>, s: boolean) => admitOrThrow(identity.kind, name, build(a), parent, "", secret || s);
  let object: pulumi.Output<DataResource>;
  if (isKnown(args)) {
    const o = check(args as pulumi.Unwrap<A>, false);
    object = pulumi.output(o) as unknown as pulumi.Output<DataResource>;
  } else {
    // What is known at preview is judged then (components/partial.ts); the rest once it resolves.
    const review = (a: unknown) => reviewFindings(build(a as pulumi.Unwrap<A>));
    object = judgeLater(parent, args, check, { kind: identity.kind, name, review }) as unknown as pulumi.Output<DataResource>;
  }
  const cr = createCustomResource(fam, object as unknown as pulumi.Output<never>, {}, secret, identity);
  return { object: (secret ? pulumi.secret(object) : object) as pulumi.Output<DataResource>, created: whenCreated([cr], [objectRef(identity)]) };
}

function plainName(kind: string, name: string, v: unknown, field: string, parent: pulumi.Resource): string {
  if (typeof v === "string") return v;
  throw new KusciaValidationError(kind, name, [`${field}: must be a plain string, not an Output: it names the object, and so the Pulumi resource`], parent);
}

// ---- DomainDataSource ----

export type DataSourceType = "localfs" | "oss" | "mysql" | "odps" | "postgresql" | "hive" | "dameng";

/** Connection info, one of its members for the data source's type (KusciaAPI's DataSourceInfo). */
export interface DataSourceInfoArgs {
  /** localfs: the directory. */
  localfs?: pulumi.Input<{ path: pulumi.Input<string> }>;
  /** oss (and MinIO): endpoint, bucket, prefix and keys. */
  oss?: pulumi.Input<{
    endpoint: pulumi.Input<string>;
    bucket: pulumi.Input<string>;
    prefix?: pulumi.Input<string>;
    accessKeyId: pulumi.Input<string>;
    accessKeySecret: pulumi.Input<string>;
    virtualhost?: pulumi.Input<boolean>;
    version?: pulumi.Input<string>;
    storageType?: pulumi.Input<string>;
  }>;
  /** mysql, postgresql, hive, dameng: endpoint (`host:port`), user, password, database. */
  database?: pulumi.Input<{ endpoint: pulumi.Input<string>; user: pulumi.Input<string>; password: pulumi.Input<string>; database: pulumi.Input<string> }>;
  /** odps (MaxCompute). */
  odps?: pulumi.Input<{ endpoint: pulumi.Input<string>; project: pulumi.Input<string>; accessKeyId: pulumi.Input<string>; accessKeySecret: pulumi.Input<string> }>;
}

export interface DomainDataSourceArgs extends ReadinessArgs {
  /** The owning domain (the object's namespace). Plain. */
  domainId: string;
  /** The datasource ID (the object's name). Default: the resource name. Plain. */
  datasourceId?: string;
  /** Storage type. */
  type: pulumi.Input<DataSourceType>;
  /** Display name (`spec.name`). Default the datasource ID. */
  displayName?: pulumi.Input<string>;
  /** Where the data lives, in the shape Kuscia derives for the type (localfs: the absolute directory; oss: `<bucket>/<prefix>`). */
  uri?: pulumi.Input<string>;
  /** Whether engines read the data source directly rather than through DataMesh. */
  accessDirectly?: pulumi.Input<boolean>;
  /**
   * The connection info, credentials included. Kept secret end to end: encrypted once with the
   * domain's public key into `spec.data.encryptedInfo`, as KusciaAPI's CreateDomainDataSource does.
   */
  info: pulumi.Input<DataSourceInfoArgs>;
  /** base64 of the owning domain's PEM certificate (a node's `certificate` output): its public key encrypts `info`. */
  domainCertificate: pulumi.Input<string>;
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A base64 value of RSA-OAEP ciphertext's shape, for the review at construction before the real one exists. */
const CIPHERTEXT_SHAPE = Buffer.alloc(256, 1).toString("base64");

/**
 * A data source of a domain: the DomainDataSource custom resource, its connection info encrypted
 * with the domain's public key (kept secret in the state, in the custom resource and in every
 * message). The info is encrypted once and again only when it or the certificate changes.
 */
export class DomainDataSource extends pulumi.ComponentResource {
  /** The datasource ID. */
  readonly datasourceId!: pulumi.Output<string>;
  /** The custom resource as validated. Secret: it holds the encrypted connection info. */
  readonly object!: pulumi.Output<DataResource>;
  /** `Kind/namespace/name` of the custom resource, once created. */
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: DomainDataSourceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:DomainDataSource", name, {}, opts);
    try {
      const kind = "DomainDataSource";
      const ns = plainName(kind, name, args.domainId, "domainId", this);
      const id = plainName(kind, name, args.datasourceId ?? name, "datasourceId", this);
      const identity = { apiVersion: KUSCIA_API_VERSION, kind, metadata: { name: id, namespace: ns } };
      const publicArgs = { type: args.type, displayName: args.displayName, uri: args.uri, accessDirectly: args.accessDirectly, labels: args.labels, annotations: args.annotations };
      const build = (p: pulumi.Unwrap<typeof publicArgs>, encryptedInfo: string): DataResource => ({
        apiVersion: KUSCIA_API_VERSION,
        kind,
        metadata: compact({ name: id, namespace: ns, labels: p.labels, annotations: p.annotations }),
        spec: compact({ type: p.type, name: p.displayName ?? id, uri: p.uri, accessDirectly: p.accessDirectly, data: { encryptedInfo } }),
      });
      // The public fields are reviewed now when known (a refusal throws from the constructor), with a ciphertext placeholder.
      if (isKnown(publicArgs)) admitOrThrow(kind, name, build(publicArgs as pulumi.Unwrap<typeof publicArgs>, CIPHERTEXT_SHAPE), this, "", true);
      const infoJson = (i: pulumi.Unwrap<DataSourceInfoArgs> | undefined): string => {
        const given = Object.entries(i ?? {}).filter(([, v]) => v !== undefined && v !== null);
        if (given.length !== 1) throw new KusciaValidationError(kind, name, [`info: give exactly one of localfs, oss, database, odps (found ${given.length === 0 ? "none" : given.map(([k]) => k).join(", ")})`], this, true);
        return JSON.stringify(Object.fromEntries(given));
      };
      // Checked now when known, so a refusal throws from the constructor; else before anything is encrypted.
      if (isKnown(args.info)) infoJson(args.info as pulumi.Unwrap<DataSourceInfoArgs>);
      const info = pulumi.secret(pulumi.output(args.info).apply(refusing(this, (i) => infoJson(i as pulumi.Unwrap<DataSourceInfoArgs>))));
      const fam = family(this, name, opts, args);
      const encName = nameChild(fam, { id: `${ns}/${id}`, type: secretType("EncryptedInfo") });
      const enc = new EncryptedInfo(encName.name, { info, certificate: args.domainCertificate }, { parent: this, dependsOn: opts?.dependsOn, ...(encName.aliases.length > 0 ? { aliases: encName.aliases } : {}) });
      const all = { publicArgs, encryptedInfo: enc.encryptedInfo };
      const made = emitData(this, name, opts, args, identity, all, (a) => build(a.publicArgs, a.encryptedInfo), true);
      this.object = made.object;
      this.created = made.created;
      this.datasourceId = pulumi.all([pulumi.output(id), this.created]).apply(([x]) => x);
      this.registerOutputs({ datasourceId: this.datasourceId, object: this.object, created: this.created });
    } catch (e) {
      refused(this, e, ["datasourceId", "object", "created"]);
    }
  }
}

// ---- DomainData ----

export interface DomainDataColumnArgs {
  name: pulumi.Input<string>;
  /** Column type, e.g. `str`, `int`, `float`. */
  type: pulumi.Input<string>;
  comment?: pulumi.Input<string>;
  notNullable?: pulumi.Input<boolean>;
}

export interface DomainDataArgs extends ReadinessArgs {
  /** The owning domain (the object's namespace). Plain. */
  domainId: string;
  /** The domaindata ID (the object's name). Default: the resource name. Plain. */
  domainDataId?: string;
  /** What the data is: `table`, `model`, `rule`, `report`, ... */
  type: pulumi.Input<string>;
  /** Path of the data relative to its data source (stays inside it). */
  relativeURI: pulumi.Input<string>;
  /** The datasource ID holding the data (a DomainDataSource's `datasourceId`). */
  dataSource: pulumi.Input<string>;
  /** Display name (`spec.name`). Default the domaindata ID. */
  displayName?: pulumi.Input<string>;
  /** The domain that owns the data. Default `domainId`. */
  author?: pulumi.Input<string>;
  /** Table columns. */
  columns?: pulumi.Input<pulumi.Input<DomainDataColumnArgs>[]>;
  /** File format, e.g. `csv`. */
  fileFormat?: pulumi.Input<string>;
  /** Who made the data: `manual`, `secretflow`, ... */
  vendor?: pulumi.Input<string>;
  /** Free-form attributes. */
  attributes?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A domain's data (a table, a model...): the DomainData custom resource, reviewed by the rule book. */
export class DomainData extends pulumi.ComponentResource {
  /** The domaindata ID; depends on the custom resource. */
  readonly domainDataId!: pulumi.Output<string>;
  readonly object!: pulumi.Output<DataResource>;
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: DomainDataArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:DomainData", name, {}, opts);
    try {
      const kind = "DomainData";
      const ns = plainName(kind, name, args.domainId, "domainId", this);
      const id = plainName(kind, name, args.domainDataId ?? name, "domainDataId", this);
      const identity = { apiVersion: KUSCIA_API_VERSION, kind, metadata: { name: id, namespace: ns } };
      const { domainId: _d, domainDataId: _i, skipAwait: _s, timeoutSeconds: _t, waitFor: _w, ...rest } = args;
      const made = emitData(this, name, opts, args, identity, rest, (a) => ({
        apiVersion: KUSCIA_API_VERSION,
        kind,
        metadata: compact({ name: id, namespace: ns, labels: a.labels, annotations: a.annotations }),
        spec: compact({
          name: a.displayName ?? id,
          type: a.type,
          relativeURI: a.relativeURI,
          dataSource: a.dataSource,
          author: a.author ?? ns,
          columns: a.columns,
          fileFormat: a.fileFormat,
          vendor: a.vendor,
          attributes: a.attributes,
        }),
      }), false);
      this.object = made.object;
      this.created = made.created;
      this.domainDataId = pulumi.all([pulumi.output(id), this.created]).apply(([x]) => x);
      this.registerOutputs({ domainDataId: this.domainDataId, object: this.object, created: this.created });
    } catch (e) {
      refused(this, e, ["domainDataId", "object", "created"]);
    }
  }
}

// ---- DomainDataGrant ----

export interface DomainDataGrantLimitArgs {
  /** RFC 3339 time after which the grant no longer holds (must be in the future). */
  expirationTime?: pulumi.Input<string>;
  /** Number of uses allowed. */
  useCount?: pulumi.Input<number>;
  flowID?: pulumi.Input<string>;
  /** Components (engines) allowed to use the data. */
  components?: pulumi.Input<pulumi.Input<string>[]>;
  initiator?: pulumi.Input<string>;
  inputConfig?: pulumi.Input<string>;
  /** `normal`, `metaonly` or `fileonly`. */
  grantMode?: pulumi.Input<pulumi.Input<"normal" | "metaonly" | "fileonly">[]>;
}

export interface DomainDataGrantArgs extends ReadinessArgs {
  /** The granting domain (the object's namespace, and the default author). Plain. */
  domainId: string;
  /** The grant's ID (the object's name). Default: the resource name. Plain. */
  grantId?: string;
  /** The domaindata granted (a DomainData's `domainDataId`). */
  domainDataID: pulumi.Input<string>;
  /** The domain the data is granted to (not the author). */
  grantDomain: pulumi.Input<string>;
  /** The granting domain. Default `domainId`. */
  author?: pulumi.Input<string>;
  /** Limits of the grant. */
  limit?: pulumi.Input<DomainDataGrantLimitArgs>;
  /** Free-form description. */
  description?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Signature of the grant by the author. */
  signature?: pulumi.Input<string>;
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A domain granting one of its DomainData to another domain: the DomainDataGrant custom resource. */
export class DomainDataGrant extends pulumi.ComponentResource {
  /** The grant's ID; depends on the custom resource. */
  readonly grantId!: pulumi.Output<string>;
  readonly object!: pulumi.Output<DataResource>;
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: DomainDataGrantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:DomainDataGrant", name, {}, opts);
    try {
      const kind = "DomainDataGrant";
      const ns = plainName(kind, name, args.domainId, "domainId", this);
      const id = plainName(kind, name, args.grantId ?? name, "grantId", this);
      const identity = { apiVersion: KUSCIA_API_VERSION, kind, metadata: { name: id, namespace: ns } };
      const { domainId: _d, grantId: _i, skipAwait: _s, timeoutSeconds: _t, waitFor: _w, ...rest } = args;
      const made = emitData(this, name, opts, args, identity, rest, (a) => ({
        apiVersion: KUSCIA_API_VERSION,
        kind,
        metadata: compact({ name: id, namespace: ns, labels: a.labels, annotations: a.annotations }),
        spec: compact({ author: a.author ?? ns, domainDataID: a.domainDataID, grantDomain: a.grantDomain, limit: a.limit, description: a.description, signature: a.signature }),
      }), false);
      this.object = made.object;
      this.created = made.created;
      this.grantId = pulumi.all([pulumi.output(id), this.created]).apply(([x]) => x);
      this.registerOutputs({ grantId: this.grantId, object: this.object, created: this.created });
    } catch (e) {
      refused(this, e, ["grantId", "object", "created"]);
    }
  }
}
