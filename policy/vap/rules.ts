/**
 * The CEL form of every rule that a ValidatingAdmissionPolicy can evaluate inside the API
 * server (no webhook): keyed by rule id, next to the rule book it mirrors. Each validation's
 * `expression` is true when the object passes; `message` is a CEL expression producing the
 * rule book's message of the first finding (`<path>: <text>`, as policy/engine.ts builds
 * it); the generator (vap/generate.ts) appends ` [<rule id>]` as the webhook does.
 *
 * Conventions the generator and the tests rely on:
 * - expressions read the object only as `object` (never `oldObject`) unless the rule is an
 *   UPDATE-only immutability rule: for allowExistingViolations the generator re-evaluates
 *   the same expression with `object` replaced by `oldObject`;
 * - every field is guarded with `has()`; the CRD schema has already checked types;
 * - one validation per kind of finding, in the order the rule reports them.
 *
 * test/unit/vap/rules.test.ts checks that this table and NOT_EXPRESSIBLE together cover
 * every rule of the rule book exactly once, and that on every example the CEL verdict of
 * each rule agrees with review().
 */
import { CROSS_DOMAIN } from "../kinds/crossdomain";
import { CREDENTIAL_KEY, DATASOURCE_TYPES } from "../kinds/domaindata";
import { KD_NAMESPACE } from "../kinds/kusciadeployment";
import { IMAGE_NAME, IMAGE_TAG, NAME_MESSAGES } from "../checks/names";
import { appImageRefWhy, domainIdOk, domainIdWhy, enumText, firstBad, k3sOk, k3sWhy, labelOk, labelWhy, lit, litList, matches, RE, show, subdomainOk, subdomainWhy, taskNameWhy, taskServiceDotCel } from "./cel";

export interface CelValidation {
  /** CEL, true when the object passes. */
  expression: string;
  /** CEL producing the rule book's message (`<path>: <text>`), evaluated when `expression` is false. */
  message: string;
}

export interface CelRule {
  rule: string;
  /** API group/version and kind the rule reviews, e.g. `kuscia.secretflow/v1alpha1/Domain`. */
  kind: string;
  validations: CelValidation[];
  /** Operations the rule applies to; default CREATE and UPDATE. Immutability rules: UPDATE only, and they read `oldObject`. */
  operations?: ("CREATE" | "UPDATE")[];
}

const K = "kuscia.secretflow/v1alpha1";
const o = "object";
/** kinds/domaindata.ts CREDENTIAL_KEY as RE2 (case-insensitive). */
const CREDENTIAL_KEY_RE = `(?i)${CREDENTIAL_KEY.source}`;
const PH = lit(NAME_MESSAGES.placeholder);
const hasPh = (v: string) => matches(v, RE.placeholder);
const isStr = (v: string) => `type(${v}) == string`;

/** `has(object.spec) && has(object.spec.<f>)`. */
const hasSpec = (f: string) => `has(${o}.spec) && has(${o}.spec.${f})`;

/** A domain-ID field `spec.<f>`, checked when present (kinds/common.ts checkDomainId). */
function domainIdField(field: string): CelValidation {
  const v = `${o}.spec.${field}`;
  return { expression: `!(${hasSpec(field)}) || ${domainIdOk(v)}`, message: `${lit(`spec.${field}: `)} + ${show(v)} + ' ' + ${domainIdWhy(v)}` };
}

/** A tightening-schema enum on `spec.<f>` (policy/schema.ts message). */
function enumField(field: string, allowed: readonly string[], hint?: string): CelValidation {
  const v = `${o}.spec.${field}`;
  return { expression: `!(${hasSpec(field)}) || ${v} in ${litList(allowed)}`, message: `${lit(`spec.${field}: `)} + ${enumText(v, allowed, hint)}` };
}

/** `metadata.name` checked by `ok`/`why` when present. */
function nameField(ok: (v: string) => string, why: (v: string) => string): CelValidation {
  const v = `${o}.metadata.name`;
  return { expression: `!has(${o}.metadata.name) || ${ok(v)}`, message: `'metadata.name: ' + ${show(v)} + ' ' + ${why(v)}` };
}

/** An immutable `spec.<f>` (policy/engine.ts immutability message). */
function immutable(rule: string, kind: string, field: string, fix: string): CelRule {
  const before = `oldObject.spec.${field}`;
  const after = `${o}.spec.${field}`;
  return {
    rule,
    kind,
    operations: ["UPDATE"],
    validations: [
      {
        expression: `!(has(oldObject.spec) && has(oldObject.spec.${field})) || (${hasSpec(field)} && ${after} == ${before})`,
        message: `${lit(`spec.${field}: is immutable: it was `)} + ${show(before)} + ', the update sets ' + (${hasSpec(field)} ? ${show(after)} : 'nothing') + ${lit(`; ${fix}`)}`,
      },
    ],
  };
}

/** `metadata.namespace` must be cross-domain (kinds/crossdomain.ts crossDomainRule; the API server always sets the namespace). */
function crossDomain(rule: string, kind: string): CelRule {
  const ns = `${o}.metadata.namespace`;
  return {
    rule,
    kind: `${K}/${kind}`,
    validations: [
      {
        expression: `!has(${ns}) || ${ns} == ${lit(CROSS_DOMAIN)}`,
        message: `'metadata.namespace: is ' + ${show(ns)} + ${lit(`; Kuscia looks ${kind}s up in ${JSON.stringify(CROSS_DOMAIN)} only, so this one would never run`)}`,
      },
    ],
  };
}

/**
 * Parties (kinds/crossdomain.ts checkParties, kinds/kusciadeployment.ts) in the CEL list
 * `list`: valid domain IDs (`idsOk`), each (domainID, role) once (`unique`). Messages take
 * `path`, a CEL string expression such as `'spec.parties'`, and `owner`, a CEL string
 * expression naming the owner in the duplicate message (`'the task'`), or null for a
 * KusciaDeployment's wording.
 */
function parties(list: string) {
  const badId = firstBad(list, "p", `has(p.domainID) && !${domainIdOk("p.domainID")}`);
  const role = (p: string) => `(has(${p}.role) ? ${p}.role : '')`;
  const key = (p: string) => `(has(${p}.domainID) ? ${p}.domainID : '') + '\\u0000' + ${role(p)}`;
  // A party whose (domainID, role) an earlier party has: the first such, found as the
  // last party of the first duplicated pair (exact when no pair is listed three times).
  const keys = `${list}.map(p, ${key("p")})`;
  const d = `${list}.filter(p, ${keys}.filter(k, k == ${key("p")}).size() > 1)[0]`;
  return {
    idsOk: `!${list}.exists(p, has(p.domainID) && !${domainIdOk("p.domainID")})`,
    idsMessage: (path: string) => `${path} + '[' + ${badId.index} + '].domainID: ' + ${show(`${badId.item}.domainID`)} + ' ' + ${domainIdWhy(`${badId.item}.domainID`)}`,
    unique: `${keys}.all(k, ${keys}.filter(j, j == k).size() == 1)`,
    uniqueMessage: (path: string, owner: string | null) =>
      `${path} + '[' + string(${keys}.lastIndexOf(${key(d)})) + ']: domain ' + (has(${d}.domainID) ? ${show(`${d}.domainID`)} : 'undefined') + ` +
      `(${role(d)} != '' ? ' with role ' + ${show(role(d))} : '') + ' is already party ' + string(${keys}.indexOf(${key(d)})) + ` +
      (owner === null ? lit("; each party appears once") : `' of ' + ${owner} + ${lit("; each (domainID, role) appears once")}`),
  };
}

/** The first element of `outer` with an element of its list field `field` for which `bad` (over `y`) holds, and that element; indices as CEL strings. */
function firstBad2(outer: string, x: string, field: string, y: string, bad: string) {
  const o1 = firstBad(outer, x, `has(${x}.${field}) && ${x}.${field}.exists(${y}, ${bad})`);
  const inner = firstBad(`${o1.item}.${field}`, y, bad);
  return { outer: o1, inner };
}

export const CEL_RULES: readonly CelRule[] = [
  // ---- Domain (kinds/domain.ts)
  {
    rule: "domain.name",
    kind: `${K}/Domain`,
    validations: [nameField(domainIdOk, domainIdWhy)],
  },
  {
    rule: "domain.role",
    kind: `${K}/Domain`,
    validations: [enumField("role", ["", "partner"], 'use "partner" for a peer-to-peer partner node, or "" (omit) for a local domain')],
  },
  {
    rule: "domain.interconn-protocols",
    kind: `${K}/Domain`,
    validations: [
      (() => {
        const l = `${o}.spec.interConnProtocols`;
        const b = firstBad(l, "p", `!(p in ['kuscia', 'bfia'])`);
        return {
          expression: `!(${hasSpec("interConnProtocols")}) || ${l}.all(p, p in ['kuscia', 'bfia'])`,
          message: `'spec.interConnProtocols[' + ${b.index} + ']: ' + ${enumText(b.item, ["kuscia", "bfia"], "Kuscia supports kuscia and bfia")}`,
        };
      })(),
    ],
  },
  {
    rule: "domain.partner-cert",
    kind: `${K}/Domain`,
    validations: [
      {
        expression: `!(${hasSpec("role")} && ${o}.spec.role == 'partner' && !has(${o}.spec.cert))`,
        message: lit("spec.cert: is required when spec.role is partner: in peer-to-peer mode the partner's certificate authenticates it; set it to the base64 of the partner's domain.crt"),
      },
    ],
  },
  {
    rule: "domain.interconn-protocols.single",
    kind: `${K}/Domain`,
    validations: [
      {
        expression: `!(${hasSpec("interConnProtocols")}) || size(${o}.spec.interConnProtocols) <= 1`,
        message: `'spec.interConnProtocols: lists ' + string(size(${o}.spec.interConnProtocols)) + ' protocols; Kuscia uses only the first (' + ${show(`${o}.spec.interConnProtocols[0]`)} + ') today'`,
      },
    ],
  },
  {
    rule: "domain.partner-quota",
    kind: `${K}/Domain`,
    validations: [
      {
        expression: `!(${hasSpec("role")} && ${o}.spec.role == 'partner' && has(${o}.spec.resourceQuota) && has(${o}.spec.resourceQuota.podMaxCount))`,
        message: lit("spec.resourceQuota.podMaxCount: is ignored for a partner Domain: Kuscia creates the resource-limitation ResourceQuota only for local domains"),
      },
    ],
  },

  // ---- InteropConfig (kinds/interopconfig.ts)
  { rule: "interop.host", kind: `${K}/InteropConfig`, validations: [domainIdField("host")] },
  {
    rule: "interop.members",
    kind: `${K}/InteropConfig`,
    validations: (() => {
      const l = `${o}.spec.members`;
      const bad = firstBad(l, "m", `!${domainIdOk("m")}`);
      const host = firstBad(l, "m", `${hasSpec("host")} && m == ${o}.spec.host`);
      const dup = `${l}.filter(m, ${l}.indexOf(m) != ${l}.lastIndexOf(m))[0]`;
      return [
        {
          expression: `!(${hasSpec("members")}) || size(${l}) >= 1`,
          message: lit("spec.members: has 0 items, expected at least 1; list the member domain IDs whose namespaces are synchronised from the host"),
        },
        {
          expression: `!(${hasSpec("members")}) || ${l}.all(m, ${domainIdOk("m")})`,
          message: `'spec.members[' + ${bad.index} + ']: ' + ${show(bad.item)} + ' ' + ${domainIdWhy(bad.item)}`,
        },
        {
          // The webhook reports the second occurrence; with a value listed three times, or
          // several repeated values, the index named here may be a later one.
          expression: `!(${hasSpec("members")}) || ${l}.all(m, ${l}.indexOf(m) == ${l}.lastIndexOf(m))`,
          message: `'spec.members[' + string(${l}.lastIndexOf(${dup})) + ']: ' + ${show(dup)} + ' is listed twice (also at spec.members[' + string(${l}.indexOf(${dup})) + ']); remove the duplicate'`,
        },
        {
          expression: `!(${hasSpec("members")} && ${hasSpec("host")}) || !(${o}.spec.host in ${l})`,
          message: `'spec.members[' + ${host.index} + ']: ' + ${show(host.item)} + ' is the host (spec.host); the host schedules jobs for its members and is not one of them'`,
        },
      ];
    })(),
  },
  immutable("interop.host.immutable", `${K}/InteropConfig`, "host", "create a new InteropConfig for the new host and delete this one"),

  // ---- KusciaDeployment (kinds/kusciadeployment.ts)
  {
    rule: "kd.namespace",
    kind: `${K}/KusciaDeployment`,
    validations: [
      {
        expression: `!has(${o}.metadata.namespace) || ${o}.metadata.namespace == ${lit(KD_NAMESPACE)}`,
        message: `'metadata.namespace: is ' + ${show(`${o}.metadata.namespace`)} + ${lit(`; Kuscia reconciles KusciaDeployments only in ${JSON.stringify(KD_NAMESPACE)}, so this one would never be deployed`)}`,
      },
    ],
  },
  {
    rule: "kd.parties",
    kind: `${K}/KusciaDeployment`,
    validations: (() => {
      const l = `${o}.spec.parties`;
      const guard = `!(${hasSpec("parties")}) || `;
      const ref = firstBad(l, "p", `has(p.appImageRef) && !${subdomainOk("p.appImageRef")}`);
      const ps = parties(l);
      return [
        { expression: `${guard}size(${l}) >= 1`, message: lit("spec.parties: has 0 items, expected at least 1; list at least the initiator as a party") },
        { expression: guard + `(${ps.idsOk})`, message: ps.idsMessage("'spec.parties'") },
        {
          expression: `${guard}!${l}.exists(p, has(p.appImageRef) && !${subdomainOk("p.appImageRef")})`,
          message: `'spec.parties[' + ${ref.index} + '].appImageRef: ' + ${show(`${ref.item}.appImageRef`)} + ' ' + ${appImageRefWhy(`${ref.item}.appImageRef`)}`,
        },
        { expression: guard + `(${ps.unique})`, message: ps.uniqueMessage("'spec.parties'", null) },
      ];
    })(),
  },
  {
    rule: "kd.initiator",
    kind: `${K}/KusciaDeployment`,
    validations: [
      domainIdField("initiator"),
      {
        expression: `!(${hasSpec("initiator")} && ${domainIdOk(`${o}.spec.initiator`)} && ${hasSpec("parties")} && ${o}.spec.parties.exists(p, has(p.domainID))) || ${o}.spec.parties.exists(p, has(p.domainID) && p.domainID == ${o}.spec.initiator)`,
        // The webhook lists each party domain once, in order; here a domain that is party twice is listed twice.
        message: `'spec.initiator: ' + ${show(`${o}.spec.initiator`)} + ' is not a party; expected one of ' + ${o}.spec.parties.filter(p, has(p.domainID)).map(p, ${show("p.domainID")}).join(', ')`,
      },
    ],
  },
  {
    rule: "kd.service-name-prefix",
    kind: `${K}/KusciaDeployment`,
    validations: [
      (() => {
        const l = `${o}.spec.parties`;
        const re = "^[a-z]([-a-z0-9]{0,46}[a-z0-9])?$";
        const b = firstBad(l, "p", `has(p.serviceNamePrefix) && !${matches("p.serviceNamePrefix", re)}`);
        return {
          expression: `!(${hasSpec("parties")}) || ${l}.all(p, !has(p.serviceNamePrefix) || ${matches("p.serviceNamePrefix", re)})`,
          message: `'spec.parties[' + ${b.index} + '].serviceNamePrefix: ' + ${show(`${b.item}.serviceNamePrefix`)} + ' must start with a lowercase letter, contain only lowercase letters, digits and \\'-\\', end alphanumeric, at most 48 characters'`,
        };
      })(),
    ],
  },

  // ---- ClusterDomainRoute and DomainRoute (kinds/route.ts)
  ...(["cdr", "dr"] as const).flatMap((p): CelRule[] => {
    const kind = `${K}/${p === "cdr" ? "ClusterDomainRoute" : "DomainRoute"}`;
    const src = `${o}.spec.source`;
    const dst = `${o}.spec.destination`;
    const ports = `${o}.spec.endpoint.ports`;
    const dupPort = `${ports}.filter(x, has(x.name) && ${ports}.filter(y, has(y.name) && y.name == x.name).size() > 1)`;
    const tid = `${o}.spec.transit.domain.domainID`;
    const thirdDomain = `has(${o}.spec.transit) && (!has(${o}.spec.transit.transitMethod) || ${o}.spec.transit.transitMethod == 'THIRD-DOMAIN')`;
    const hasTid = `has(${o}.spec.transit.domain) && has(${tid})`;
    return [
      { rule: `${p}.authentication`, kind, validations: [enumField("authenticationType", ["Token", "MTLS", "None"], "Kuscia supports Token, MTLS and None")] },
      { rule: `${p}.interconn-protocol`, kind, validations: [enumField("interConnProtocol", ["kuscia", "bfia"])] },
      {
        rule: `${p}.domains`,
        kind,
        validations: [
          domainIdField("source"),
          domainIdField("destination"),
          {
            expression: `!(${hasSpec("source")} && ${hasSpec("destination")} && ${src} == ${dst})`,
            message: `'spec.destination: equals spec.source (' + ${show(src)} + '); a route connects two different domains'`,
          },
        ],
      },
      {
        rule: `${p}.name`,
        kind,
        validations: [
          {
            expression: `!(${hasSpec("source")} && ${hasSpec("destination")} && ${src} != '' && ${dst} != '' && has(${o}.metadata.name) && ${o}.metadata.name != '') || ${o}.metadata.name == ${src} + '-' + ${dst}`,
            message: `'metadata.name: is ' + ${show(`${o}.metadata.name`)} + '; Kuscia names routes <source>-<destination> (' + ${show(`${src} + '-' + ${dst}`)} + ')'`,
          },
        ],
      },
      {
        rule: `${p}.token`,
        kind,
        validations: [
          {
            expression: `!(${hasSpec("authenticationType")} && ${o}.spec.authenticationType == 'Token' && !has(${o}.spec.tokenConfig))`,
            message: lit("spec.tokenConfig: is required when authenticationType is Token: set tokenConfig.tokenGenMethod (RSA-GEN, as join_to_host.sh does)"),
          },
          {
            expression: `!(${hasSpec("bodyEncryption")} && !has(${o}.spec.tokenConfig))`,
            message: lit("spec.bodyEncryption: needs spec.tokenConfig: the body encryption key is derived from the route token"),
          },
        ],
      },
      {
        rule: `${p}.transit`,
        kind,
        validations: [
          { expression: `!(${thirdDomain}) || ${hasTid}`, message: lit("spec.transit.domain.domainID: is required for transit through a third domain") },
          { expression: `!(${thirdDomain} && ${hasTid}) || ${domainIdOk(tid)}`, message: `'spec.transit.domain.domainID: ' + ${show(tid)} + ' ' + ${domainIdWhy(tid)}` },
        ],
      },
      {
        rule: `${p}.endpoint`,
        kind,
        validations: [
          {
            expression: `!(has(${o}.spec) && has(${o}.spec.endpoint) && has(${o}.spec.endpoint.ports)) || ${ports}.all(x, !has(x.name) || ${ports}.filter(y, has(y.name) && y.name == x.name).size() == 1)`,
            // The second port of the first repeated name (exact unless a name is used three times).
            message: `'spec.endpoint.ports[' + string(${ports}.map(x, has(x.name) ? x.name : '\\u0000').lastIndexOf(${dupPort}[0].name)) + '].name: ' + ${show(`${dupPort}[0].name`)} + ' is used by another port; port names must be unique'`,
          },
        ],
      },
    ];
  }),
  immutable("cdr.source.immutable", `${K}/ClusterDomainRoute`, "source", "the controller would leave the old DomainRoutes (and InteropConfig) in place; create a new ClusterDomainRoute instead"),
  immutable("cdr.destination.immutable", `${K}/ClusterDomainRoute`, "destination", "the controller would leave the old DomainRoutes (and InteropConfig) in place; create a new ClusterDomainRoute instead"),

  // ---- IflearnerJob (kinds/iflearnerjob.ts)
  {
    rule: "iflearner.role",
    kind: "git.iflytek.com/v1/IflearnerJob",
    validations: [enumField("role", ["server", "client"], "an IflearnerJob is the aggregation server or a client party")],
  },
  {
    rule: "iflearner.host",
    kind: "git.iflytek.com/v1/IflearnerJob",
    validations: [
      {
        expression: `has(${o}.spec) && has(${o}.spec.host)`,
        message: `has(${o}.spec) ? ${lit("spec.host: is required but missing; the Ingress host, e.g. server.iflearner.com or a.party.iflearner.com; without it the Ingress would match every host")} : 'spec: is required but missing'`,
      },
      {
        expression: `!(${hasSpec("host")}) || ${o}.spec.host != ''`,
        message: lit("spec.host: is empty; an Ingress without a host matches every host, capturing all traffic of the ingress controller: set it, e.g. server.iflearner.com"),
      },
      {
        expression: `!(${hasSpec("host")}) || ${o}.spec.host == '' || ${subdomainOk(`${o}.spec.host`)}`,
        message: `'spec.host: ' + ${show(`${o}.spec.host`)} + ' ' + ${subdomainWhy(`${o}.spec.host`)}`,
      },
    ],
  },
  {
    rule: "iflearner.name",
    kind: "git.iflytek.com/v1/IflearnerJob",
    validations: [
      nameField(
        (v) => `(size(${v}) <= 63 && ${matches(v, RE.label1035)})`,
        (v) => `(size(${v}) == 0 ? 'must not be empty' : size(${v}) > 63 ? 'is ' + string(size(${v})) + ' characters; a DNS-1123 label has at most 63' : !${matches(v, RE.label)} ? ${lit("is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit")} : ${lit("must start with a lowercase letter (a Service is named after it, and Service names are DNS-1035 labels)")})`,
      ),
    ],
  },
  {
    rule: "iflearner.selector-label",
    kind: "git.iflytek.com/v1/IflearnerJob",
    validations: [
      {
        expression: `!(has(${o}.spec) && has(${o}.spec.template) && has(${o}.spec.template.metadata) && has(${o}.spec.template.metadata.labels) && 'app' in ${o}.spec.template.metadata.labels) || (has(${o}.metadata.name) && ${o}.spec.template.metadata.labels['app'] == ${o}.metadata.name)`,
        message: `'spec.template.metadata.labels.app: is ' + ${show(`${o}.spec.template.metadata.labels['app']`)} + '; the operator selects the job\\'s pod with app=' + (has(${o}.metadata.name) ? ${show(`${o}.metadata.name`)} : 'undefined') + ', so this label would detach the Service; remove it'`,
      },
    ],
  },

  // ---- KusciaJob and KusciaTask (kinds/kusciajob.ts, kinds/kusciatask.ts)
  crossDomain("kj.namespace", "KusciaJob"),
  crossDomain("kt.namespace", "KusciaTask"),
  { rule: "kj.name", kind: `${K}/KusciaJob`, validations: [nameField(k3sOk, k3sWhy)] },
  {
    rule: "kt.name",
    kind: `${K}/KusciaTask`,
    validations: [nameField(labelOk, taskNameWhy)],
  },
  ...(["kj", "kt"] as const).map((p): CelRule => ({
    rule: `${p}.initiator`,
    kind: `${K}/${p === "kj" ? "KusciaJob" : "KusciaTask"}`,
    validations: [
      { expression: `!(${hasSpec("initiator")}) || ${o}.spec.initiator != ''`, message: lit(`spec.initiator: is empty: set it to the domain ID that starts the ${p === "kj" ? "job" : "task"}`) },
      { ...domainIdField("initiator"), expression: `!(${hasSpec("initiator")}) || ${o}.spec.initiator == '' || ${domainIdOk(`${o}.spec.initiator`)}` },
    ],
  })),
  {
    rule: "kj.app-image",
    kind: `${K}/KusciaJob`,
    validations: [
      (() => {
        const l = `${o}.spec.tasks`;
        const b = firstBad(l, "t", `has(t.appImage) && !${subdomainOk("t.appImage")}`);
        return {
          expression: `!(${hasSpec("tasks")}) || ${l}.all(t, !has(t.appImage) || ${subdomainOk("t.appImage")})`,
          message: `'spec.tasks[' + ${b.index} + '].appImage: ' + ${show(`${b.item}.appImage`)} + ' ' + ${appImageRefWhy(`${b.item}.appImage`)}`,
        };
      })(),
    ],
  },
  {
    rule: "kj.interconn",
    kind: `${K}/KusciaJob`,
    validations: (() => {
      const label = `${o}.metadata.labels['kuscia.secretflow/interconn-protocol-type']`;
      const ann = (k: string) => `${o}.metadata.annotations['kuscia.secretflow/interconn-${k}-parties']`;
      const hasAnn = (k: string) => `has(${o}.metadata.annotations) && 'kuscia.secretflow/interconn-${k}-parties' in ${o}.metadata.annotations && ${ann(k)} != ''`;
      return [
        {
          expression: `!(has(${o}.metadata.labels) && 'kuscia.secretflow/interconn-protocol-type' in ${o}.metadata.labels) || ${label} in ['kuscia', 'bfia']`,
          message: `'metadata.labels["kuscia.secretflow/interconn-protocol-type"]: is ' + ${show(label)} + '; Kuscia knows the interconnection protocols kuscia and bfia (case-sensitive)'`,
        },
        {
          expression: `!(${hasAnn("bfia")} && ${hasAnn("kuscia")})`,
          message: `'metadata.annotations["kuscia.secretflow/interconn-bfia-parties"]: lists bfia partners (' + ${show(ann("bfia"))} + ') while kuscia.secretflow/interconn-kuscia-parties lists kuscia partners (' + ${show(ann("kuscia"))} + '); a job\\'s partners must all use one protocol, and the controller does not re-check a job that already carries these annotations'`,
        },
      ];
    })(),
  },

  ...kusciaTaskRules(),
  ...kusciaJobRules(),
  ...imageRules(),
  ...dataRules(),
  ...moreRules(),

  // ---- names of the KusciaAPI kinds (kinds/domaindata.ts, kinds/appimage.ts, kinds/domainappimage.ts)
  ...(["dds", "dd"] as const).map((p): CelRule => ({
    rule: `${p}.name`,
    kind: `${K}/${p === "dds" ? "DomainDataSource" : "DomainData"}`,
    validations: [nameField(k3sOk, k3sWhy), namespaceDomainId()],
  })),
  {
    rule: "ddg.name",
    kind: `${K}/DomainDataGrant`,
    validations: [
      nameField(k3sOk, k3sWhy),
      namespaceDomainId(),
      { expression: `!(${hasSpec("domainDataID")}) || ${o}.spec.domainDataID != ''`, message: lit("spec.domainDataID: is empty: name the DomainData being granted") },
      {
        expression: `!(${hasSpec("domainDataID")}) || ${o}.spec.domainDataID == '' || ${k3sOk(`${o}.spec.domainDataID`)}`,
        message: `'spec.domainDataID: ' + ${show(`${o}.spec.domainDataID`)} + ' ' + ${k3sWhy(`${o}.spec.domainDataID`)}`,
      },
    ],
  },
  {
    rule: "ddg.domains",
    kind: `${K}/DomainDataGrant`,
    validations: [
      ...(["author", "grantDomain"] as const).flatMap((f): CelValidation[] => [
        { expression: `!(${hasSpec(f)}) || ${o}.spec.${f} != ''`, message: lit(`spec.${f}: is empty: the domain ID ${f === "author" ? "that owns the data" : "the data is granted to"}`) },
        { ...domainIdField(f), expression: `!(${hasSpec(f)}) || ${o}.spec.${f} == '' || ${domainIdOk(`${o}.spec.${f}`)}` },
      ]),
      {
        expression: `!(${hasSpec("author")} && ${hasSpec("grantDomain")} && ${o}.spec.author != '' && ${o}.spec.author == ${o}.spec.grantDomain)`,
        message: `'spec.grantDomain: equals spec.author (' + ${show(`${o}.spec.author`)} + '); a domain does not grant data to itself'`,
      },
    ],
  },
  {
    rule: "dds.type",
    kind: `${K}/DomainDataSource`,
    validations: [enumField("type", DATASOURCE_TYPES, `Kuscia supports ${DATASOURCE_TYPES.join(", ")} (lowercase)`)],
  },
  { rule: "appimage.name", kind: `${K}/AppImage`, validations: [nameField(subdomainOk, subdomainWhy)] },
  { rule: "daimg.name", kind: `${K}/DomainAppImage`, validations: [nameField(subdomainOk, subdomainWhy)] },
];

/** The namespace of a domain's data objects is a domain ID (kinds/domaindata.ts checkOwnerNamespace). */
function namespaceDomainId(): CelValidation {
  const v = `${o}.metadata.namespace`;
  return { expression: `!has(${v}) || ${domainIdOk(v)}`, message: `'metadata.namespace: ' + ${show(v)} + ' ' + ${domainIdWhy(v)}` };
}


/** KusciaTask (kinds/kusciatask.ts): parties and minReservedMembers. */
function kusciaTaskRules(): CelRule[] {
  const kind = `${K}/KusciaTask`;
  const l = `${o}.spec.parties`;
  const guard = `!(${hasSpec("parties")}) || `;
  const ps = parties(l);
  const ref = firstBad(l, "p", `has(p.appImageRef) && !${subdomainOk("p.appImageRef")}`);
  const neg = firstBad(l, "p", "has(p.minReservedPods) && p.minReservedPods < 0");
  const m = `${o}.spec.scheduleConfig.minReservedMembers`;
  return [
    {
      rule: "kt.parties",
      kind,
      validations: [
        { expression: `${guard}size(${l}) > 0`, message: lit("spec.parties: is empty; a task runs on at least one party") },
        { expression: `${guard}(${ps.idsOk})`, message: ps.idsMessage("'spec.parties'") },
        { expression: `${guard}(${ps.unique})`, message: ps.uniqueMessage("'spec.parties'", "'the task'") },
        {
          expression: `${guard}!${l}.exists(p, has(p.appImageRef) && !${subdomainOk("p.appImageRef")})`,
          message: `'spec.parties[' + ${ref.index} + '].appImageRef: ' + ${show(`${ref.item}.appImageRef`)} + ' ' + ${appImageRefWhy(`${ref.item}.appImageRef`)}`,
        },
        {
          expression: `${guard}!${l}.exists(p, has(p.minReservedPods) && p.minReservedPods < 0)`,
          message: `'spec.parties[' + ${neg.index} + '].minReservedPods: is ' + string(${neg.item}.minReservedPods) + '; it must be 0 (all replicas) or more'`,
        },
      ],
    },
    {
      rule: "kt.min-reserved-members",
      kind,
      validations: [
        {
          expression: `!(has(${o}.spec) && has(${o}.spec.scheduleConfig) && has(${m}) && ${hasSpec("parties")} && size(${l}) > 0 && ${m} > size(${l}))`,
          message: `'spec.scheduleConfig.minReservedMembers: is ' + string(${m}) + ' but the task has ' + string(size(${l})) + ' parties; Kuscia uses ' + string(size(${l}))`,
        },
      ],
    },
  ];
}

/** KusciaJob (kinds/kusciajob.ts): tasks, dependencies, parties, tolerable dependencies. */
function kusciaJobRules(): CelRule[] {
  const kind = `${K}/KusciaJob`;
  const tasks = `${o}.spec.tasks`;
  const guard = `!(${hasSpec("tasks")}) || `;
  const idx = (t: string) => `string(${tasks}.indexOf(${t}))`;
  // Aliases and taskIDs as lists parallel to the tasks ('\u0000' where a task has none).
  const aliases = `${tasks}.map(t, has(t.alias) ? t.alias : '\\u0000')`;
  const known = `${tasks}.filter(t, has(t.alias) && t.alias != '').map(t, t.alias)`;
  const ids = `${tasks}.map(t, has(t.taskID) ? t.taskID : '\\u0000')`;
  const emptyAlias = firstBad(tasks, "t", "has(t.alias) && t.alias == ''");
  const dupAlias = `${known}.filter(a, ${aliases}.indexOf(a) != ${aliases}.lastIndexOf(a))[0]`;
  const badId = firstBad(tasks, "t", `has(t.taskID) && t.taskID != '' && !${labelOk("t.taskID")}`);
  const dupId = `${tasks}.filter(t, has(t.taskID) && t.taskID != '' && ${ids}.indexOf(t.taskID) != ${ids}.lastIndexOf(t.taskID))[0].taskID`;
  const unnamed = firstBad(tasks, "t", "!has(t.taskID) || t.taskID == ''");
  const dep = firstBad2(tasks, "t", "dependencies", "d", `!(d in ${known})`);
  const emptyParties = firstBad(tasks, "t", "has(t.parties) && size(t.parties) == 0");
  const idsTask = `${tasks}.filter(t, has(t.parties) && !(${parties("t.parties").idsOk}))[0]`;
  const dupTask = `${tasks}.filter(t, has(t.parties) && !(${parties("t.parties").unique}))[0]`;
  const path = (t: string) => `'spec.tasks[' + ${idx(t)} + '].parties'`;
  // Bandwidth limits: tasks[i].parties[j].bandwidthLimits[k].
  const bw = (bad: string) => {
    const t = firstBad(tasks, "t", `has(t.parties) && t.parties.exists(p, has(p.bandwidthLimits) && p.bandwidthLimits.exists(b, ${bad}))`);
    const p = firstBad(`${t.item}.parties`, "p", `has(p.bandwidthLimits) && p.bandwidthLimits.exists(b, ${bad})`);
    const b = firstBad(`${p.item}.bandwidthLimits`, "b", bad);
    return {
      ok: `${guard}!${tasks}.exists(t, has(t.parties) && t.parties.exists(p, has(p.bandwidthLimits) && p.bandwidthLimits.exists(b, ${bad})))`,
      path: `'spec.tasks[' + ${t.index} + '].parties[' + ${p.index} + '].bandwidthLimits[' + ${b.index} + ']'`,
      item: b.item,
    };
  };
  const destEmpty = bw("has(b.destinationID) && b.destinationID == ''");
  const destBad = bw(`has(b.destinationID) && b.destinationID != '' && !${domainIdOk("b.destinationID")}`);
  const rate = bw("has(b.limitKBps) && b.limitKBps <= 0");
  const tolerable = `${tasks}.filter(t, has(t.tolerable) && t.tolerable && has(t.alias)).map(t, t.alias)`;
  const tol = firstBad2(tasks, "t", "dependencies", "d", `d in ${tolerable}`);
  return [
    {
      rule: "kj.tasks",
      kind,
      validations: [
        { expression: `${guard}!${tasks}.exists(t, has(t.alias) && t.alias == '')`, message: `'spec.tasks[' + ${emptyAlias.index} + '].alias: is empty; every task needs an alias (dependencies refer to tasks by alias)'` },
        {
          // The second task of the first repeated alias (exact unless an alias is used three times).
          expression: `${guard}${known}.all(a, ${aliases}.indexOf(a) == ${aliases}.lastIndexOf(a))`,
          message: `'spec.tasks[' + string(${aliases}.lastIndexOf(${dupAlias})) + '].alias: ' + ${show(dupAlias)} + ' is also the alias of tasks[' + string(${aliases}.indexOf(${dupAlias})) + ']; aliases must be unique (dependencies and task status are keyed by alias)'`,
        },
        {
          expression: `${guard}!${tasks}.exists(t, has(t.taskID) && t.taskID != '' && !${labelOk("t.taskID")})`,
          message: `'spec.tasks[' + ${badId.index} + '].taskID: ' + ${show(`${badId.item}.taskID`)} + ' ' + ${taskNameWhy(`${badId.item}.taskID`)}`,
        },
        {
          expression: `${guard}!${tasks}.exists(t, has(t.taskID) && t.taskID != '' && ${ids}.indexOf(t.taskID) != ${ids}.lastIndexOf(t.taskID))`,
          message: `'spec.tasks[' + string(${ids}.lastIndexOf(${dupId})) + '].taskID: ' + ${show(dupId)} + ' is also the taskID of tasks[' + string(${ids}.indexOf(${dupId})) + ']; each task becomes a KusciaTask named by its taskID'`,
        },
        {
          // kinds/kusciajob.ts generatedTaskIdWhy: a task without taskID is named <job>-<12 hex digits>.
          expression: `!(has(${o}.metadata.name) && ${o}.metadata.name.contains('.')) || ${guard}${tasks}.all(t, has(t.taskID) && t.taskID != '')`,
          message:
            `'metadata.name: ' + ${show(`${o}.metadata.name`)} + ' contains \\'.\\', and tasks[' + ${unnamed.index} + '] has no taskID: the KusciaJob controller names that task "' + ${o}.metadata.name + '-<12 hex digits>" (generateTaskID), which ' + ` +
            `${taskServiceDotCel(`${o}.metadata.name + '-<12 hex digits>'`)} + ' (or give every task a taskID)'`,
        },
      ],
    },
    {
      rule: "kj.dependencies",
      kind,
      validations: [
        {
          expression: `${guard}${tasks}.all(t, !has(t.dependencies) || t.dependencies.all(d, d in ${known}))`,
          // The webhook lists each alias once, at most 10; here an alias used twice is listed twice, and all are listed.
          message:
            `'spec.tasks[' + ${dep.outer.index} + '].dependencies[' + ${dep.inner.index} + ']: ' + ${show(dep.inner.item)} + ' is not the alias of any task of this job (aliases: ' + ` +
            `(size(${known}) == 0 ? 'none' : ${known}.map(a, ${show("a")}).join(', ')) + '); the controller fails the job with ValidateFailed'`,
        },
      ],
    },
    {
      rule: "kj.parties",
      kind,
      validations: [
        { expression: `${guard}!${tasks}.exists(t, has(t.parties) && size(t.parties) == 0)`, message: `'spec.tasks[' + ${emptyParties.index} + '].parties: is empty; a task runs on at least one party'` },
        { expression: `${guard}${tasks}.all(t, !has(t.parties) || (${parties("t.parties").idsOk}))`, message: parties(`${idsTask}.parties`).idsMessage(path(idsTask)) },
        { expression: `${guard}${tasks}.all(t, !has(t.parties) || (${parties("t.parties").unique}))`, message: parties(`${dupTask}.parties`).uniqueMessage(path(dupTask), `'tasks[' + ${idx(dupTask)} + ']'`) },
        { expression: destEmpty.ok, message: `${destEmpty.path} + '.destinationID: is empty; name the domain the limit applies to'` },
        { expression: destBad.ok, message: `${destBad.path} + '.destinationID: ' + ${show(`${destBad.item}.destinationID`)} + ' ' + ${domainIdWhy(`${destBad.item}.destinationID`)}` },
        { expression: rate.ok, message: `${rate.path} + '.limitKBps: is ' + string(${rate.item}.limitKBps) + '; a bandwidth limit must be positive'` },
      ],
    },
    {
      rule: "kj.tolerable-dependency",
      kind,
      validations: [
        {
          expression: `${guard}${tasks}.all(t, !has(t.dependencies) || !t.dependencies.exists(d, d in ${tolerable}))`,
          message:
            `'spec.tasks[' + ${tol.outer.index} + '].dependencies[' + ${tol.inner.index} + ']: ' + ${show(tol.inner.item)} + ' is tolerable (its failure does not fail the job), but this task waits for it to succeed; if it fails, ' + ` +
            `(has(${tol.outer.item}.alias) ? ${show(`${tol.outer.item}.alias`)} : 'undefined') + ' never starts'`,
        },
      ],
    },
  ];
}

/** AppImage and DomainAppImage images (kinds/appimage.ts, kinds/domainappimage.ts; patterns of checks/names.ts). */
function imageRules(): CelRule[] {
  const tagOk = (v: string) => `(!${hasPh(v)} && ${matches(v, IMAGE_TAG.source)})`;
  const tagWhy = (v: string) => `(${hasPh(v)} ? ${PH} : ${lit("is not a valid image tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'")})`;
  const name = `${o}.spec.image.name`;
  const tag = `${o}.spec.image.tag`;
  const images = `${o}.spec.images`;
  const tags = `${images}.map(i, has(i.tag) ? i.tag : '\\u0000')`;
  const bad = firstBad(images, "i", `has(i.tag) && !${tagOk("i.tag")}`);
  const dup = `${images}.filter(i, has(i.tag) && ${tags}.indexOf(i.tag) != ${tags}.lastIndexOf(i.tag))[0].tag`;
  const img = `has(${o}.spec) && has(${o}.spec.image)`;
  return [
    {
      rule: "appimage.image",
      kind: `${K}/AppImage`,
      validations: [
        {
          expression: `!(${img} && has(${name})) || (!${hasPh(name)} && size(${name}) <= 255 && ${matches(name, IMAGE_NAME.source)})`,
          message: `'spec.image.name: ' + ${show(name)} + ' ' + (${hasPh(name)} ? ${PH} : size(${name}) > 255 ? 'is longer than 255 characters' : ${lit("is not a valid image name: expected [registry[:port]/]path with lowercase path components, e.g. secretflow/serving-anolis8")})`,
        },
        // A numeric tag is refused by the CRD schema (a string) before any policy runs.
        { expression: `!(${img} && has(${tag}) && ${isStr(tag)}) || ${tagOk(tag)}`, message: `'spec.image.tag: ' + ${show(tag)} + ' ' + ${tagWhy(tag)}` },
      ],
    },
    {
      rule: "daimg.images",
      kind: `${K}/DomainAppImage`,
      validations: [
        { expression: `!(${hasSpec("images")}) || ${images}.all(i, !has(i.tag) || ${tagOk("i.tag")})`, message: `'spec.images[' + ${bad.index} + '].tag: ' + ${show(`${bad.item}.tag`)} + ' ' + ${tagWhy(`${bad.item}.tag`)}` },
        {
          // The second image of the first repeated tag (exact unless a tag is listed three times).
          expression: `!(${hasSpec("images")}) || ${images}.all(i, !has(i.tag) || ${tags}.indexOf(i.tag) == ${tags}.lastIndexOf(i.tag))`,
          message: `'spec.images[' + string(${tags}.lastIndexOf(${dup})) + '].tag: ' + ${show(dup)} + ' is also images[' + string(${tags}.indexOf(${dup})) + ']; list each tag once'`,
        },
      ],
    },
  ];
}

/** DomainData and DomainDataGrant (kinds/domaindata.ts): spec fields and the owner's namespace. */
function dataRules(): CelRule[] {
  const ns = `${o}.metadata.namespace`;
  const author = `${o}.spec.author`;
  const grantee = `${o}.spec.grantDomain`;
  const uri = `${o}.spec.relativeURI`;
  const ds = `${o}.spec.dataSource`;
  return [
    {
      rule: "dd.spec",
      kind: `${K}/DomainData`,
      validations: [
        { expression: `!(${hasSpec("type")}) || ${o}.spec.type != ''`, message: lit("spec.type: is empty: say what the data is (e.g. table, model, rule, report)") },
        { expression: `!(${hasSpec("relativeURI")}) || ${uri} != ''`, message: lit("spec.relativeURI: is empty: the path of the data relative to its data source") },
        {
          expression: `!(${hasSpec("relativeURI")}) || !${matches(uri, "(^|[\\\\/])\\.\\.([\\\\/]|$)")}`,
          message: `'spec.relativeURI: ' + ${show(uri)} + ${lit(" contains '..'; it must stay inside the data source (Kuscia refuses URIs that escape the base path)")}`,
        },
        { expression: `!(${hasSpec("author")}) || ${author} != ''`, message: lit("spec.author: is empty: the domain ID that owns the data") },
        { ...domainIdField("author"), expression: `!(${hasSpec("author")}) || ${author} == '' || ${domainIdOk(author)}` },
        { expression: `!(${hasSpec("dataSource")}) || ${ds} == '' || ${k3sOk(ds)}`, message: `'spec.dataSource: ' + ${show(ds)} + ' ' + ${k3sWhy(ds)}` },
      ],
    },
    {
      rule: "dd.author",
      kind: `${K}/DomainData`,
      validations: [
        {
          expression: `!(has(${ns}) && ${hasSpec("author")} && ${author} != '' && ${ns} != ${author})`,
          message: `'spec.author: is ' + ${show(author)} + ' but the object is in namespace ' + ${show(ns)} + '; Kuscia treats it as data ' + ${show(author)} + ' granted to ' + ${show(ns)} + ', not data ' + ${show(ns)} + ' owns'`,
        },
      ],
    },
    {
      rule: "ddg.namespace",
      kind: `${K}/DomainDataGrant`,
      validations: [
        {
          expression: `!(has(${ns}) && ${hasSpec("author")} && ${hasSpec("grantDomain")} && ${ns} != ${author} && ${ns} != ${grantee})`,
          message: `'metadata.namespace: is ' + ${show(ns)} + ', neither the author ' + ${show(author)} + ' nor the grantee ' + ${show(grantee)} + '; Kuscia acts only on grants in the author\\'s namespace, so this one grants nothing'`,
        },
      ],
    },
  ];
}

/** AppImage config mounts, DomainDataSource URIs and ignored data keys (kinds/appimage.ts, kinds/domaindata.ts). */
function moreRules(): CelRule[] {
  const tpl = `${o}.spec.configTemplates`;
  const hasTpl = `has(${o}.spec.configTemplates)`;
  const missing = (m: string) => `(!${hasTpl} || !(${m}.subPath in ${tpl}))`;
  const dts = `${o}.spec.deployTemplates`;
  // deployTemplates[i].spec.containers[j].configVolumeMounts[k]
  const badMount = `has(m.subPath) && ${missing("m")}`;
  const inC = (c: string) => `has(${c}.configVolumeMounts) && ${c}.configVolumeMounts.exists(m, ${badMount})`;
  const inT = (t: string) => `has(${t}.spec) && has(${t}.spec.containers) && ${t}.spec.containers.exists(c, ${inC("c")})`;
  const t = firstBad(dts, "t", inT("t"));
  const c = firstBad(`${t.item}.spec.containers`, "c", inC("c"));
  const m = firstBad(`${c.item}.configVolumeMounts`, "m", badMount);
  const uri = `${o}.spec.uri`;
  const type = `${o}.spec.type`;
  const data = `${o}.spec.data`;
  const ignored = `k != 'encryptedInfo' && !k.matches(r'${CREDENTIAL_KEY_RE}')`;
  const key = `${data}.filter(k, ${ignored})[0]`;
  return [
    {
      rule: "appimage.config-mounts",
      kind: `${K}/AppImage`,
      validations: [
        {
          expression: `!(${hasSpec("deployTemplates")}) || !${dts}.exists(t, ${inT("t")})`,
          // The webhook lists the template keys in the manifest's order; the API server's map order is its own.
          message:
            `'spec.deployTemplates[' + ${t.index} + '].spec.containers[' + ${c.index} + '].configVolumeMounts[' + ${m.index} + '].subPath: ' + ${show(`${m.item}.subPath`)} + ` +
            `' is not a key of spec.configTemplates (' + (${hasTpl} && size(${tpl}) > 0 ? ${tpl}.map(k, ${show("k")}).join(', ') : 'none defined') + '); the mounted file is rendered from that template'`,
        },
      ],
    },
    {
      rule: "dds.uri",
      kind: `${K}/DomainDataSource`,
      validations: [
        {
          expression: `!(${hasSpec("uri")} && ${uri} != '' && ${hasSpec("type")} && ${type} == 'localfs' && !${uri}.startsWith('/'))`,
          message: `'spec.uri: ' + ${show(uri)} + ' is not an absolute path; for localfs Kuscia stores the data source\\'s absolute directory here (e.g. /home/kuscia/var/storage/data)'`,
        },
        {
          expression: `!(${hasSpec("uri")} && ${uri} != '' && ${hasSpec("type")} && ${type} == 'oss' && ${matches(uri, "(?i)^[a-z][a-z0-9+.-]*://")})`,
          message: `'spec.uri: ' + ${show(uri)} + ' has a scheme; for oss Kuscia stores <bucket>/<prefix> here, the endpoint belongs in the encrypted info'`,
        },
      ],
    },
    {
      rule: "dds.data.ignored",
      kind: `${K}/DomainDataSource`,
      validations: [
        {
          expression: `!(${hasSpec("data")}) || !${data}.exists(k, ${ignored})`,
          // policy/paths.ts dotted(): an identifier-like key after a dot, anything else as ["key"].
          message: `'spec.data' + (${key}.matches(r'^[A-Za-z_$][A-Za-z0-9_$-]*$') ? '.' + ${key} : '["' + ${key} + '"]') + ': is ignored: Kuscia reads only spec.data.encryptedInfo'`,
        },
      ],
    },
  ];
}
