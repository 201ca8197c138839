/**
 * DomainDataSource, DomainData and DomainDataGrant: where a domain's data
 * lives, what the data is, and who else may use it. All three live in the
 * owning domain's namespace; KusciaAPI and DataMesh create them
 * (pkg/kusciaapi/service/domaindata_source.go, domaindata_service.go,
 * domaindata_grant.go) and the domaindata controller copies grants and data to
 * the grantee (pkg/controllers/domaindata/controller.go).
 *
 * A DomainDataSource's connection info (paths, endpoints, keys, passwords) is
 * stored encrypted with the domain's public key in spec.data.encryptedInfo, or
 * kept in the ConfManager secret backend under spec.infoKey. Messages never
 * quote spec.data values.
 */
import type { KindPolicy, Rule, RuleContext } from "../engine";
import { schema as ddsSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_DomainDataSource";
import { schema as ddSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_DomainData";
import { schema as ddgSchema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_DomainDataGrant";
import { KUSCIA, checkDomainId } from "./common";
import { k3sName } from "./crossdomain";
import { placeholder } from "../checks/names";
import { at, obj, show } from "../checks/values";
import type { Segment } from "../paths";
import { domainIdOk, k3sOk, k3sWhy, lit, matches, show as celShow } from "../vap/cel";
import { domainIdField, enumField, hasSpec, namespaceDomainId, nameField, o as O } from "../vap/forms";
import { NO_CEL } from "../vap/reasons";
import type { CelValidation } from "../types";

export const DATASOURCE_TYPES = ["localfs", "oss", "mysql", "odps", "postgresql", "hive", "dameng"] as const;
export const ENCRYPTED_INFO = "encryptedInfo";
const DS_SERVICE = "pkg/kusciaapi/service/domaindata_source.go";

/** An ID KusciaAPI checks with ValidateK8sName (K3sRegex). */
function checkId(ctx: RuleContext, path: readonly Segment[], v: unknown): void {
  if (typeof v !== "string") return;
  const why = placeholder(v) ?? k3sName(v);
  if (why) ctx.fail(path, `${show(v)} ${why}`);
}

/** The namespace of a domain's data objects is the domain ID. */
function checkOwnerNamespace(ctx: RuleContext, o: unknown, rule: string): void {
  const ns = at(o, "metadata", "namespace");
  if (typeof ns === "string") checkDomainId(ctx, ["metadata", "namespace"], ns, rule);
}

/**
 * `<prefix>.name`: a KusciaAPI object of a domain (DomainDataSource, DomainData) whose name is an
 * ID KusciaAPI checks with ValidateK8sName (`what`: "datasource", "domaindata"), created in the
 * namespace of its domain. `source`: the KusciaAPI call that says so.
 */
function ownedIdRule(prefix: string, what: string, source: string): Rule {
  return {
    id: `${prefix}.name`,
    source,
    severity: "error",
    summary: `metadata.name is a ${what} ID (K3sRegex) and the namespace a domain ID`,
    vap: { cel: [nameField(k3sOk, k3sWhy), namespaceDomainId()] },
    check(o, ctx) {
      checkId(ctx, ["metadata", "name"], at(o, "metadata", "name"));
      checkOwnerNamespace(ctx, o, `${prefix}.name`);
    },
  };
}

export const CREDENTIAL_KEY = /pass(word|wd)?|secret|token|access.?key|credential|private|^sk$|^ak$/i;
/** CREDENTIAL_KEY as RE2 (case-insensitive). */
const CREDENTIAL_KEY_RE = `(?i)${CREDENTIAL_KEY.source}`;

export const domainDataSource: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "DomainDataSource",
  id: "dds",
  schema: ddsSchema,
  tighten: {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          type: { enum: [...DATASOURCE_TYPES], "x-rule": "dds.type", "x-hint": `Kuscia supports ${DATASOURCE_TYPES.join(", ")} (lowercase)` },
        },
      },
    },
  },
  schemaRules: [
    {
      id: "dds.type", severity: "error", summary: `spec.type is one of ${DATASOURCE_TYPES.join(", ")} (case-sensitive)`, source: `${DS_SERVICE}: validateDataSourceType; pkg/common/constants.go: DomainDataSourceType*`,
      vap: { cel: [enumField("type", DATASOURCE_TYPES, `Kuscia supports ${DATASOURCE_TYPES.join(", ")} (lowercase)`)] },
    },
  ],
  rules: [
    ownedIdRule("dds", "datasource", `${DS_SERVICE}: CreateDomainDataSource (ValidateK8sName(datasource_id); created in namespace domain_id)`),
    {
      id: "dds.info",
      source: `pkg/datamesh/metaserver/service/domaindatasource.go: QueryDomainDataSource (infoKey, else spec.data.encryptedInfo: "datasource crd encryptedInfo field is not exist"); ${DS_SERVICE}: encryptInfo (tls.EncryptOAEP with the domain key: base64 of RSA-OAEP ciphertext)`,
      severity: "error",
      summary: "the connection info is in spec.infoKey or spec.data.encryptedInfo (base64 of an RSA-OAEP ciphertext, not plaintext)",
      vap: { unexpressible: "decodes spec.data.encryptedInfo to tell an RSA-OAEP ciphertext from plaintext (its length in bytes after base64): CEL has no base64 decoder" },
      check(o, ctx) {
        const spec = obj(at(o, "spec"));
        if (!spec) return;
        const infoKey = spec.infoKey;
        if (typeof infoKey === "string" && infoKey !== "") return;
        const enc = at(spec, "data", ENCRYPTED_INFO);
        if (enc === undefined || enc === "") {
          return ctx.fail(["spec", "data", ENCRYPTED_INFO], `is required (or spec.infoKey): DataMesh reads the ${typeof spec.type === "string" ? spec.type : "data source"} connection info from it; create the data source with KusciaAPI's CreateDomainDataSource, which encrypts the info with the domain's public key`);
        }
        if (typeof enc !== "string") return;
        const compact = enc.replace(/\s+/g, "");
        const b64 = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) && compact.length % 4 === 0;
        // An RSA-OAEP ciphertext is as long as the key: 128 bytes at the very least (1024-bit key).
        const bytes = b64 ? Math.floor((compact.length * 3) / 4) - (compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0) : 0;
        if (!b64 || bytes < 128) {
          ctx.fail(["spec", "data", ENCRYPTED_INFO], `is not base64 of an RSA-OAEP ciphertext (value not shown${/[{:]/.test(enc) ? "; it looks like plaintext connection info, which would be stored in the clear" : ""}); Kuscia decrypts it with the domain key, so encrypt it with the domain's public key, e.g. through KusciaAPI's CreateDomainDataSource`);
        }
      },
    },
    {
      id: "dds.data",
      source: `kuscia-iac policy: ${DS_SERVICE} and DataMesh read only spec.data.encryptedInfo; a credential in another key would be stored in the clear and never used`,
      severity: "error",
      summary: "spec.data holds no plaintext credentials (keys other than encryptedInfo that name passwords, secrets, tokens or access keys)",
      vap: { unexpressible: "expressible (the message names each credential-like key of spec.data and quotes no value, so the redaction leaves it as it is), but the key's path needs dotted()'s quoting of keys that are not identifiers, which CEL cannot spell; not written in CEL yet" },
      emits: [
        {
          id: "dds.data.ignored", severity: "warning", summary: "spec.data keys other than encryptedInfo are ignored", source: `${DS_SERVICE}: decryptDatasourceInfo and DataMesh read only encryptedInfo`,
          vap: { cel: (() => {
            const data = `${O}.spec.data`;
            const ignored = `k != 'encryptedInfo' && !k.matches(r'${CREDENTIAL_KEY_RE}')`;
            const key = `${data}.filter(k, ${ignored})[0]`;
            return [
            {
              expression: `!(${hasSpec("data")}) || !${data}.exists(k, ${ignored})`,
              // policy/paths.ts dotted(): an identifier-like key after a dot, anything else as ["key"].
              message: `'spec.data' + (${key}.matches(r'^[A-Za-z_$][A-Za-z0-9_$-]*$') ? '.' + ${key} : '["' + ${key} + '"]') + ': is ignored: Kuscia reads only spec.data.encryptedInfo'`,
            },
          ]; })() },
        },
      ],
      check(o, ctx) {
        const data = obj(at(o, "spec", "data"));
        if (!data) return;
        for (const k of Object.keys(data)) {
          if (k === ENCRYPTED_INFO) continue;
          if (CREDENTIAL_KEY.test(k)) ctx.fail(["spec", "data", k], "looks like a plaintext credential (value not shown): Kuscia never reads it, and anyone who can read DomainDataSources can; put the connection info, encrypted, in spec.data.encryptedInfo (KusciaAPI's CreateDomainDataSource does this)");
          else ctx.warn(["spec", "data", k], `is ignored: Kuscia reads only spec.data.${ENCRYPTED_INFO}`, "dds.data.ignored");
        }
      },
    },
    {
      id: "dds.uri",
      source: `${DS_SERVICE}: parseAndNormalizeDataSource (localfs: the absolute path; oss: <bucket>/<prefix>; odps: <endpoint>/<project>; databases: empty); docs/reference/concepts/domaindatasource_cn.md`,
      severity: "warning",
      summary: "spec.uri has the shape Kuscia derives for the type (localfs: an absolute path; oss: bucket/prefix without a scheme)",
      vap: { cel: (() => {
        const uri = `${O}.spec.uri`;
        const type = `${O}.spec.type`;
        return [
        {
          expression: `!(${hasSpec("uri")} && ${uri} != '' && ${hasSpec("type")} && ${type} == 'localfs' && !${uri}.startsWith('/'))`,
          message: `'spec.uri: ' + ${celShow(uri)} + ' is not an absolute path; for localfs Kuscia stores the data source\\'s absolute directory here (e.g. /home/kuscia/var/storage/data)'`,
        },
        {
          expression: `!(${hasSpec("uri")} && ${uri} != '' && ${hasSpec("type")} && ${type} == 'oss' && ${matches(uri, "(?i)^[a-z][a-z0-9+.-]*://")})`,
          message: `'spec.uri: ' + ${celShow(uri)} + ' has a scheme; for oss Kuscia stores <bucket>/<prefix> here, the endpoint belongs in the encrypted info'`,
        },
      ]; })() },
      check(o, ctx) {
        const type = at(o, "spec", "type");
        const uri = at(o, "spec", "uri");
        if (typeof uri !== "string" || uri === "") return;
        if (type === "localfs" && !uri.startsWith("/")) ctx.warn(["spec", "uri"], `${show(uri)} is not an absolute path; for localfs Kuscia stores the data source's absolute directory here (e.g. /home/kuscia/var/storage/data)`);
        if (type === "oss" && /^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) ctx.warn(["spec", "uri"], `${show(uri)} has a scheme; for oss Kuscia stores <bucket>/<prefix> here, the endpoint belongs in the encrypted info`);
      },
    },
  ],
};

export const domainData: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "DomainData",
  id: "dd",
  schema: ddSchema,
  rules: [
    ownedIdRule("dd", "domaindata", "pkg/kusciaapi/service/domaindata_service.go: CreateDomainData (ValidateK8sName(domaindata_id); created in namespace domain_id)"),
    {
      id: "dd.spec",
      source: "pkg/kusciaapi/service/domaindata_service.go: CreateDomainData (type and relative_uri can not be empty; author is the owning domain; datasource_id a datasource ID), deleteLocalFsFile (a relative URI must not escape the data source's base path)",
      severity: "error",
      summary: "spec.type and spec.relativeURI are set, relativeURI stays inside the data source, author is a domain ID, dataSource a datasource ID",
      vap: { cel: (() => {
        const author = `${O}.spec.author`;
        const uri = `${O}.spec.relativeURI`;
        const ds = `${O}.spec.dataSource`;
        return [
        { expression: `!(${hasSpec("type")}) || ${O}.spec.type != ''`, message: lit("spec.type: is empty: say what the data is (e.g. table, model, rule, report)") },
        { expression: `!(${hasSpec("relativeURI")}) || ${uri} != ''`, message: lit("spec.relativeURI: is empty: the path of the data relative to its data source") },
        {
          expression: `!(${hasSpec("relativeURI")}) || !${matches(uri, "(^|[\\\\/])\\.\\.([\\\\/]|$)")}`,
          message: `'spec.relativeURI: ' + ${celShow(uri)} + ${lit(" contains '..'; it must stay inside the data source (Kuscia refuses URIs that escape the base path)")}`,
        },
        { expression: `!(${hasSpec("author")}) || ${author} != ''`, message: lit("spec.author: is empty: the domain ID that owns the data") },
        { ...domainIdField("author"), expression: `!(${hasSpec("author")}) || ${author} == '' || ${domainIdOk(author)}` },
        { expression: `!(${hasSpec("dataSource")}) || ${ds} == '' || ${k3sOk(ds)}`, message: `'spec.dataSource: ' + ${celShow(ds)} + ' ' + ${k3sWhy(ds)}` },
      ]; })() },
      check(o, ctx) {
        const spec = obj(at(o, "spec"));
        if (!spec) return;
        if (spec.type === "") ctx.fail(["spec", "type"], "is empty: say what the data is (e.g. table, model, rule, report)");
        const uri = spec.relativeURI;
        if (uri === "") ctx.fail(["spec", "relativeURI"], "is empty: the path of the data relative to its data source");
        else if (typeof uri === "string" && uri.split(/[\\/]/).includes("..")) ctx.fail(["spec", "relativeURI"], `${show(uri)} contains '..'; it must stay inside the data source (Kuscia refuses URIs that escape the base path)`);
        if (spec.author === "") ctx.fail(["spec", "author"], "is empty: the domain ID that owns the data");
        else checkDomainId(ctx, ["spec", "author"], spec.author);
        if (typeof spec.dataSource === "string" && spec.dataSource !== "") checkId(ctx, ["spec", "dataSource"], spec.dataSource);
      },
    },
    {
      id: "dd.author",
      source: "pkg/controllers/domaindata/controller.go: syncDomainDataHandler (an object whose namespace is not its author is treated as a copy received through a grant)",
      severity: "warning",
      summary: "spec.author is the namespace (the owning domain) unless the object is a granted copy",
      vap: { cel: (() => {
        const ns = `${O}.metadata.namespace`;
        const author = `${O}.spec.author`;
        return [
        {
          expression: `!(has(${ns}) && ${hasSpec("author")} && ${author} != '' && ${ns} != ${author})`,
          message: `'spec.author: is ' + ${celShow(author)} + ' but the object is in namespace ' + ${celShow(ns)} + '; Kuscia treats it as data ' + ${celShow(author)} + ' granted to ' + ${celShow(ns)} + ', not data ' + ${celShow(ns)} + ' owns'`,
        },
      ]; })() },
      check(o, ctx) {
        const ns = at(o, "metadata", "namespace");
        const author = at(o, "spec", "author");
        if (typeof ns === "string" && typeof author === "string" && author !== "" && ns !== author) {
          ctx.warn(["spec", "author"], `is ${show(author)} but the object is in namespace ${show(ns)}; Kuscia treats it as data ${show(author)} granted to ${show(ns)}, not data ${show(ns)} owns`);
        }
      },
    },
  ],
};

export const domainDataGrant: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "DomainDataGrant",
  id: "ddg",
  schema: ddgSchema,
  rules: [
    {
      id: "ddg.name",
      source: "pkg/kusciaapi/service/domaindata_grant.go: validateCreateDomainDataGrantRequest (ValidateK8sName of domain_id, domaindata_id and domaindatagrant_id)",
      severity: "error",
      summary: "metadata.name and spec.domainDataID are IDs KusciaAPI accepts (K3sRegex), the namespace a domain ID",
      vap: { cel: [
        nameField(k3sOk, k3sWhy),
        namespaceDomainId(),
        { expression: `!(${hasSpec("domainDataID")}) || ${O}.spec.domainDataID != ''`, message: lit("spec.domainDataID: is empty: name the DomainData being granted") },
        {
          expression: `!(${hasSpec("domainDataID")}) || ${O}.spec.domainDataID == '' || ${k3sOk(`${O}.spec.domainDataID`)}`,
          message: `'spec.domainDataID: ' + ${celShow(`${O}.spec.domainDataID`)} + ' ' + ${k3sWhy(`${O}.spec.domainDataID`)}`,
        },
      ] },
      check(o, ctx) {
        checkId(ctx, ["metadata", "name"], at(o, "metadata", "name"));
        checkOwnerNamespace(ctx, o, "ddg.name");
        const id = at(o, "spec", "domainDataID");
        if (id === "") ctx.fail(["spec", "domainDataID"], "is empty: name the DomainData being granted");
        else checkId(ctx, ["spec", "domainDataID"], id);
      },
    },
    {
      id: "ddg.domains",
      source: "pkg/kusciaapi/service/domaindata_grant.go: validateCreateDomainDataGrantRequest (\"grantdomain can't be null\", \"grantdomain can't be self\"); pkg/datamesh/metaserver/service/domaindatagrant.go: CreateDomainDataGrant; pkg/controllers/domaindata/controller.go: syncDomainDataGrantHandler (copies the grant to namespace grantDomain)",
      severity: "error",
      summary: "spec.author and spec.grantDomain are valid, different domain IDs",
      vap: { cel: [
        ...(["author", "grantDomain"] as const).flatMap((f): CelValidation[] => [
          { expression: `!(${hasSpec(f)}) || ${O}.spec.${f} != ''`, message: lit(`spec.${f}: is empty: the domain ID ${f === "author" ? "that owns the data" : "the data is granted to"}`) },
          { ...domainIdField(f), expression: `!(${hasSpec(f)}) || ${O}.spec.${f} == '' || ${domainIdOk(`${O}.spec.${f}`)}` },
        ]),
        {
          expression: `!(${hasSpec("author")} && ${hasSpec("grantDomain")} && ${O}.spec.author != '' && ${O}.spec.author == ${O}.spec.grantDomain)`,
          message: `'spec.grantDomain: equals spec.author (' + ${celShow(`${O}.spec.author`)} + '); a domain does not grant data to itself'`,
        },
      ] },
      check(o, ctx) {
        const author = at(o, "spec", "author");
        const grantee = at(o, "spec", "grantDomain");
        if (author === "") ctx.fail(["spec", "author"], "is empty: the domain ID that owns the data");
        else checkDomainId(ctx, ["spec", "author"], author);
        if (grantee === "") ctx.fail(["spec", "grantDomain"], "is empty: the domain ID the data is granted to");
        else checkDomainId(ctx, ["spec", "grantDomain"], grantee);
        if (typeof author === "string" && author !== "" && author === grantee) ctx.fail(["spec", "grantDomain"], `equals spec.author (${JSON.stringify(author)}); a domain does not grant data to itself`);
      },
    },
    {
      id: "ddg.namespace",
      source: "pkg/controllers/domaindata/controller.go: syncDomainDataGrantHandler (acts only on grants in the author's namespace, and writes the copy into the grantee's)",
      severity: "warning",
      summary: "the grant lives in the author's namespace (or the grantee's, as the controller's copy)",
      vap: { cel: (() => {
        const ns = `${O}.metadata.namespace`;
        const author = `${O}.spec.author`;
        const grantee = `${O}.spec.grantDomain`;
        return [
        {
          expression: `!(has(${ns}) && ${hasSpec("author")} && ${hasSpec("grantDomain")} && ${ns} != ${author} && ${ns} != ${grantee})`,
          message: `'metadata.namespace: is ' + ${celShow(ns)} + ', neither the author ' + ${celShow(author)} + ' nor the grantee ' + ${celShow(grantee)} + '; Kuscia acts only on grants in the author\\'s namespace, so this one grants nothing'`,
        },
      ]; })() },
      check(o, ctx) {
        const ns = at(o, "metadata", "namespace");
        const author = at(o, "spec", "author");
        const grantee = at(o, "spec", "grantDomain");
        if (typeof ns === "string" && typeof author === "string" && typeof grantee === "string" && ns !== author && ns !== grantee) {
          ctx.warn(["metadata", "namespace"], `is ${show(ns)}, neither the author ${show(author)} nor the grantee ${show(grantee)}; Kuscia acts only on grants in the author's namespace, so this one grants nothing`);
        }
      },
    },
    {
      id: "ddg.expiry",
      source: "kuscia-iac policy: a grant whose spec.limit.expirationTime has passed grants nothing (DataMesh checks the limit when the data is used; pkg/crd/apis/kuscia/v1alpha1/domaindatagrant_types.go: GrantLimit), so creating one is almost certainly a wrong date or time zone",
      severity: "error",
      summary: "spec.limit.expirationTime, when set, is in the future",
      vap: { unexpressible: NO_CEL.clock },
      check(o, ctx) {
        const exp = at(o, "spec", "limit", "expirationTime");
        if (typeof exp !== "string") return;
        const t = Date.parse(exp);
        if (Number.isNaN(t)) return; // the schema's date-time format reports it
        if (t <= ctx.now.getTime()) ctx.fail(["spec", "limit", "expirationTime"], `${show(exp)} has passed; the grant would never be usable: set a future time (RFC 3339, e.g. 2030-01-01T00:00:00Z)`);
      },
    },
  ],
};

