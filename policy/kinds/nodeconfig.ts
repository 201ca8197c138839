/**
 * The Kuscia node configuration: `kuscia.yaml` inside a ConfigMap that carries
 * the label kuscia.secretflow/config: "true" (the autonomy manifests mount it
 * into the Kuscia pod). Other ConfigMaps are not ours and are skipped.
 *
 * The rules read the configuration as Kuscia does: decoded by gopkg.in/yaml.v3 into the
 * target release's config structs (checks/goyaml.ts over policy/upstream/kuscia-yaml.ts),
 * so a string field holds the scalar's text, `yes` in a bool field is true, and a value
 * yaml.v3 cannot decode is reported (nodeconfig.types) where Kuscia would exit.
 */
import type { Document, Node } from "yaml";
import { yamlLib } from "../yaml-lib";
import { parseYamlDocuments, parseYamlValue, type YamlLimits } from "../yaml";
import type { KindPolicy, RuleContext } from "../engine";
import type { KusciaVersion } from "../config/version";
import type { Segment } from "../paths";
import { TO_PKCS1, inspectPrivateKey } from "../checks/pem";
import { k3sDatastoreProblem, parseDatastoreEndpoint } from "../checks/datastore";
import { masterEndpointProblem } from "../checks/goendpoint";
import { detailWithoutPassword } from "../checks/dsn";
import { goDecode, libyamlRefuses, scalarText, type CustomDecoder, type GoYamlProblem } from "../checks/goyaml";
import { NAME_MESSAGES, dnsLabel, dnsSubdomain, domainId, placeholder } from "../checks/names";
import { at, isObj, show, type Obj } from "../checks/values";
import { kusciaYamlShapes, type KusciaYamlStep } from "../upstream/kuscia-yaml";
import { redactSecrets } from "../redact";
import { NO_CEL } from "../vap/reasons";

export const CONFIG_LABEL = "kuscia.secretflow/config";
export const CONFIG_KEY = "kuscia.yaml";

const KEY_PATH: Segment[] = ["data", CONFIG_KEY];

interface ParsedConfig {
  config?: Obj;
  error?: string;
  /** The document Kuscia reads (the first of the text), for the yaml.v3 view. */
  doc?: Document.Parsed;
  /** Documents after the first, which Kuscia never reads. */
  extraDocuments?: number;
}

/** Parsed kuscia.yaml per object, so each rule does not parse it again. */
const parsed = new WeakMap<Obj, ParsedConfig>();

function configOf(o: Obj): ParsedConfig {
  let p = parsed.get(o);
  if (!p) {
    p = parseConfig(at(o, "data", CONFIG_KEY));
    parsed.set(o, p);
  }
  return p;
}

const MULTIPLE = "holds more than one YAML document";

function parseConfig(text: unknown): ParsedConfig {
  if (typeof text !== "string") return { error: `is missing: a ConfigMap labelled ${CONFIG_LABEL}="true" must hold the node configuration under data["${CONFIG_KEY}"]` };
  // Bounded: the text comes from whoever may create a ConfigMap. A real kuscia.yaml is a
  // few KB with a few dozen keys; these limits bound what a hostile one costs.
  const limits: Partial<YamlLimits> = { maxDocumentBytes: 1024 * 1024, maxKeys: 1000, maxDepth: 64, maxAliases: 100, maxExpandedNodes: 100_000 };
  const r = parseYamlValue(text, limits);
  let value: unknown;
  let extraDocuments = 0;
  let doc: Document.Parsed;
  if ("error" in r && r.error === MULTIPLE) {
    // yaml.v3's Unmarshal (loadConfig) reads the first document and ignores the rest.
    const docs = [...parseYamlDocuments(text, limits)];
    const problem = docs.find((d) => d.problem)?.problem;
    if (problem) return { error: problem.limit ? problem.message : `is not valid YAML (${problem.message.replace(/^not valid YAML: /, "")})` };
    value = docs[0].value;
    extraDocuments = docs.length - 1;
    doc = yamlLib().parseAllDocuments(text, { logLevel: "error" })[0] as Document.Parsed;
  } else if ("error" in r) {
    return { error: r.limit ? r.error : `is not valid YAML (${r.error.replace(/^not valid YAML: /, "")})` };
  } else {
    value = r.value;
    doc = yamlLib().parseDocument(text, { uniqueKeys: false, prettyErrors: false, logLevel: "error" });
  }
  const libyaml = libyamlRefuses(doc);
  if (libyaml) return { error: `is not valid YAML for Kuscia: ${libyaml}` };
  if (!isObj(value)) return { error: "is not a YAML mapping of configuration keys" };
  return { config: value, doc, extraDocuments };
}

/** Runs `fn` with the parsed configuration (as YAML gives it), if there is one. */
function withConfig(o: Obj, fn: (c: Obj) => void): void {
  const { config } = configOf(o);
  if (config) fn(config);
}

/** kuscia.yaml as one Kuscia release decodes it. */
interface GoView {
  /** The decoded values (the mode's struct when the mode is one Kuscia knows, else the common part). */
  values: Obj;
  /** Where yaml.v3 refuses the document. */
  problems: GoYamlProblem[];
  /** The mode as the release compares it (lower-cased by releases that lower-case it). */
  mode?: string;
  /** Whether yaml.v3 refused the value at this top-level key (its rule then stays quiet). */
  bad(key: string): boolean;
}

const views = new WeakMap<Obj, Map<string, GoView>>();

/** Protocol.UnmarshalYAML (pkg/common/convert.go): a string, upper-cased, one of three. */
const PROTOCOLS = ["NOTLS", "TLS", "MTLS"];
const decodeProtocol: CustomDecoder = (n: Node | null, path, problems) => {
  const t = n ? scalarText(n) : undefined;
  if (t === undefined) {
    problems.push({ path, message: `found a list or mapping, expected one of ${PROTOCOLS.join(", ")}: yaml.v3 cannot decode it into a string for Kuscia's Protocol` });
    return undefined;
  }
  // The top-level key is nodeconfig.enums'; nested ones (kusciaAPI.protocol, ...) are checked here.
  if (path.length > 1 && !PROTOCOLS.includes(t.toUpperCase())) {
    problems.push({ path, message: `found ${show(t)}, expected one of ${PROTOCOLS.join(", ")} (any case): Kuscia's Protocol.UnmarshalYAML refuses anything else` });
  }
  return t;
};
const CUSTOMS: Record<string, CustomDecoder> = { "github.com/secretflow/kuscia/pkg/common.Protocol": decodeProtocol };

/** Whether the release lower-cases mode (confloader ReadConfig: v0.14 to v1.0 compare it as written). */
function modeCaseless(v: KusciaVersion): boolean {
  return !v.atLeast("v0.14") || v.atLeast("v1.1");
}

function goViewOf(o: Obj, v: KusciaVersion): GoView | undefined {
  const p = configOf(o);
  if (!p.config || !p.doc) return undefined;
  let byRelease = views.get(o);
  if (!byRelease) views.set(o, (byRelease = new Map()));
  const hit = byRelease.get(v.name);
  if (hit) return hit;
  const doc = p.doc;
  const shapes = kusciaYamlShapes(v);
  const opts = { refs: shapes.types, customs: CUSTOMS, doc };
  const root = doc.contents as Node | null;
  // confloader.LoadCommonConfig, then the mode's struct (ReadConfig): a type error in the
  // common part stops Kuscia before the mode is looked at.
  const common = goDecode(root, shapes.modes.common, [], opts);
  const rawMode = at(common.value, "mode");
  const mode = typeof rawMode === "string" ? (modeCaseless(v) ? rawMode.toLowerCase() : rawMode) : undefined;
  const full = mode === "lite" || mode === "master" || mode === "autonomy" ? goDecode(root, shapes.modes[mode as KusciaYamlStep], [], opts) : undefined;
  const seen = new Set<string>();
  const problems = [...common.problems, ...(full?.problems ?? [])].filter((q) => {
    const key = `${q.path.join("\u0000")}\u0001${q.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const badKeys = new Set(problems.map((q) => String(q.path[0] ?? "")));
  const values = isObj(full?.value) ? full.value : isObj(common.value) ? common.value : {};
  const view: GoView = { values, problems, mode, bad: (k) => badKeys.has(k) || badKeys.has("") };
  byRelease.set(v.name, view);
  return view;
}

/** Runs `fn` with the configuration as the target release decodes it, if it parses. */
function withGo(o: Obj, ctx: RuleContext, fn: (view: GoView, c: Obj) => void): void {
  const view = goViewOf(o, ctx.kusciaVersion);
  if (view) fn(view, view.values);
}

function field(name: string): Segment[] {
  // Findings inside kuscia.yaml are addressed as data["kuscia.yaml"].<field> so the user knows which file and key.
  return [...KEY_PATH, ...name.split(".")];
}

/** How the target release reads one enumerated kuscia.yaml key. */
interface EnumSpec {
  key: string;
  allowed: readonly string[];
  /** Compared case-insensitively by the target release. */
  caseInsensitive: boolean;
  /** Value of an absent (or YAML null) key; undefined when Kuscia then refuses to start. */
  absent?: string;
  /** Whether an explicit empty string is accepted. */
  emptyOk: boolean;
  hint: string;
}

function enumCheck(ctx: RuleContext, view: GoView, e: EnumSpec): void {
  if (view.bad(e.key)) return; // nodeconfig.types says what is wrong with it
  const v = view.values[e.key];
  if (v === undefined || v === null) {
    if (e.absent === undefined) ctx.fail(field(e.key), `is required: Kuscia ${ctx.kusciaVersion.name} refuses to start without it; ${e.hint}`);
    return;
  }
  if (v === "" && e.emptyOk) return;
  const ok = typeof v === "string" && (e.caseInsensitive ? e.allowed.some((a) => a.toLowerCase() === v.toLowerCase()) : e.allowed.includes(v));
  if (!ok) {
    const how = e.caseInsensitive ? "any case" : "exactly as written, case-sensitive";
    ctx.fail(field(e.key), `found ${show(v)}, expected one of ${e.allowed.join(", ")} (${how}, as Kuscia ${ctx.kusciaVersion.name} reads it); ${e.hint}`);
  }
}

/** The enumerated keys as the target release parses them. */
function enumSpecs(v: KusciaVersion, mode: string | undefined): EnumSpec[] {
  // v0.14–v1.0 ReadConfig compared mode without lower-casing it (`kuscia init --mode Autonomy`
  // from deploy.sh produced a file those releases refused); v0.8–v0.13 and v1.1 lower-case it.
  // Only a mode the release recognises decodes its struct (and runtime with it): an unknown one is the mode's finding alone.
  const needsRuntime = mode !== undefined && ["autonomy", "lite"].includes(modeCaseless(v) ? mode.toLowerCase() : mode);
  return [
    { key: "mode", allowed: ["autonomy", "lite", "master"], caseInsensitive: modeCaseless(v), emptyOk: false, hint: "the deployment mode of this node" },
    // common.Protocol.UnmarshalYAML upper-cases the value; an explicit "" is refused, an absent key means MTLS for KusciaAPI.
    { key: "protocol", allowed: ["NOTLS", "TLS", "MTLS"], caseInsensitive: true, absent: "", emptyOk: false, hint: "omit the key for the default (MTLS)" },
    // The agent's provider factory switches on the exact string; kuscia start refuses an empty runtime on lite and autonomy nodes.
    { key: "runtime", allowed: ["runc", "runk", "runp"], caseInsensitive: false, absent: needsRuntime ? undefined : "", emptyOk: !needsRuntime, hint: "on Kubernetes use runk (or runp)" },
    // zap's Level.Set: case-insensitive; empty means info.
    { key: "logLevel", allowed: ["DEBUG", "INFO", "WARN", "ERROR", "DPANIC", "PANIC", "FATAL"], caseInsensitive: true, absent: "INFO", emptyOk: true, hint: "INFO is the usual choice" },
  ];
}

const ENUM_SOURCE =
  "cmd/kuscia/confloader/config.go: ReadConfig (mode, lower-cased from v1.1 and before v0.14); pkg/common/convert.go: Protocol.UnmarshalYAML (protocol, upper-cased); pkg/agent/provider/provider_factory.go: NewFactory and cmd/kuscia/utils/kuscia_image.go: initRuntimeAndLogLevel (runtime); pkg/utils/nlog/zlogwriter/zlogwriter.go: changeLogLevel (logLevel)";

export const nodeConfig: KindPolicy = {
  apiVersion: "v1",
  kind: "ConfigMap",
  id: "nodeconfig",
  matches: (o) => at(o, "metadata", "labels", CONFIG_LABEL) === "true",
  rules: [
    {
      id: "nodeconfig.yaml",
      severity: "error",
      summary: `data["${CONFIG_KEY}"] exists and is a YAML mapping`,
      source: "cmd/kuscia/confloader/kuscia_config.go: loadConfig (yaml.Unmarshal of kuscia.yaml); hack/k8s/autonomy/configmap.yaml (the file is the ConfigMap key kuscia.yaml)",
      emits: [
        {
          id: "nodeconfig.yaml.documents",
          severity: "warning",
          summary: `data["${CONFIG_KEY}"] holds one YAML document (Kuscia reads only the first)`,
          source: "cmd/kuscia/confloader/kuscia_config.go: loadConfig (yaml.v3 Unmarshal decodes the first document of the text)",
          vap: { unexpressible: NO_CEL.nodeConfig },
        },
      ],
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        const { error, extraDocuments } = configOf(o);
        if (error) ctx.fail(KEY_PATH, error);
        if (extraDocuments) ctx.warn(KEY_PATH, `holds ${extraDocuments + 1} YAML documents: Kuscia reads only the first and ignores the rest; remove the '---' and what follows`, "nodeconfig.yaml.documents");
      },
    },
    {
      id: "nodeconfig.types",
      severity: "error",
      summary: "every key holds a value of the type Kuscia's config struct has for it (a list where it has a list, a real boolean, an integer in range, ...), as gopkg.in/yaml.v3 decodes it",
      source:
        "cmd/kuscia/confloader/kuscia_config.go: loadConfig (gopkg.in/yaml.v3 Unmarshal into CommonConfig, then LiteKusciaConfig / MasterKusciaConfig / AutonomyKusciaConfig; start.go exits on the error); yaml.v3 decode.go and resolve.go (policy/checks/goyaml.ts); the structs' shapes: policy/upstream/kuscia-yaml*.ts",
      vap: { unexpressible: NO_CEL.nodeConfig },
      releases: "each release decodes with its own config structs (v1.1: e909d9f6's, v1.0 and older: v1.0.0b0's; policy/upstream/kuscia-yaml*.ts)",
      check(o, ctx) {
        withGo(o, ctx, (view) => {
          for (const q of view.problems) ctx.fail([...KEY_PATH, ...q.path], `${q.message}; Kuscia ${ctx.kusciaVersion.name} exits at start`);
        });
      },
    },
    {
      id: "nodeconfig.domain-id",
      severity: "error",
      summary: "domainID is set, is not \"master\", and is a DNS-1123 subdomain (the name of the node's Domain)",
      source: "cmd/kuscia/confloader/config.go: ReadConfig (domain should not be empty); cmd/kuscia/start/start.go: Start (not \"master\"); cmd/kuscia/modules/k3s.go: createDefaultDomain (a cluster-scoped Domain named after it: the API server wants a DNS-1123 subdomain)",
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          if (view.bad("domainID")) return;
          const v = c.domainID;
          if (v === undefined || v === "") return ctx.fail(field("domainID"), "is required: the node's domain ID, e.g. alice");
          if (typeof v !== "string") return;
          if (v === "master") return ctx.fail(field("domainID"), `${show(v)} is refused by kuscia start (\"Domain id can't be 'master'\"): choose another domain ID`);
          const why = placeholder(v) ?? dnsSubdomain(v);
          if (why) ctx.fail(field("domainID"), `${show(v)} ${why === NAME_MESSAGES.subdomain ? NAME_MESSAGES.domainId : why}`);
        });
      },
    },
    {
      id: "nodeconfig.domain-id.namespace",
      severity: "error",
      summary: "domainID is a DNS label (it names the domain's Namespace) and not a Kubernetes or Kuscia system namespace",
      source: "kuscia-iac policy: kuscia start accepts any DNS-1123 subdomain, but the domain controller then creates a Namespace of that name (pkg/controllers/domain: a DNS label) and a dotted ID leaves the node without one; default, kube-system, kube-public, kube-node-lease and cross-domain are namespaces of the cluster or of Kuscia",
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          const v = c.domainID;
          if (view.bad("domainID") || typeof v !== "string" || v === "" || v === "master" || placeholder(v) || dnsSubdomain(v)) return;
          const why = domainId(v);
          if (why) ctx.fail(field("domainID"), `${show(v)} ${why}`);
        });
      },
    },
    {
      id: "nodeconfig.domain-key",
      severity: "error",
      summary: "domainKeyData is base64 of an unencrypted RSA private key the target Kuscia release can read (PKCS#1; PKCS#8 too from v0.9), read as Go reads it",
      source:
        "pkg/utils/tls/crypt.go: ParseEncodedKey, ParseKey, ParseRSAPrivateKeyData (base64.StdEncoding, pem.Decode, x509.ParsePKCS1PrivateKey / ParsePKCS8PrivateKey with crypto/rsa's key checks; PKCS#8 from v0.9.0b0; policy/checks/gopem.ts, gorsa.ts); cmd/kuscia/modules/runtime.go: LoadCaDomainKeyAndCert (signs the node's certificates with it: Go refuses RSA keys under 1024 bits, GODEBUG rsa1024min, on for v1.1's go 1.24 line; x509rsacrt likewise makes v1.1 check the key's stored CRT values)",
      vap: { unexpressible: NO_CEL.nodeConfig },
      releases: "v0.8 reads PKCS#1 keys only, so a PKCS#8 key is refused when the target is v0.8; v0.9 and later read PKCS#8 too (see nodeconfig.domain-key.pkcs1); v1.1 (Go 1.24) refuses keys under 1024 bits and checks a key's stored CRT values",
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          if (view.bad("domainKeyData")) return;
          const v = c.domainKeyData;
          if (v === undefined || v === "") return ctx.fail(field("domainKeyData"), "is required: base64 of the node's RSA private key in PKCS#1 form (`openssl genrsa -traditional 2048 | base64 -w0`)");
          if (typeof v !== "string") return;
          if (placeholder(v)) return ctx.fail(field("domainKeyData"), NAME_MESSAGES.placeholder);
          const modern = ctx.kusciaVersion.atLeast("v1.1");
          const k = inspectPrivateKey(v, { crtStrict: modern });
          if ("error" in k) return ctx.fail(field("domainKeyData"), k.error);
          if (k.keyType !== "rsa") return ctx.fail(field("domainKeyData"), `is a PKCS#8 ${k.keyType} key: Kuscia needs an RSA key; generate one with \`openssl genrsa -traditional 2048 | base64 -w0\``);
          if (k.format === "pkcs8" && !ctx.kusciaVersion.atLeast("v0.9")) {
            return ctx.fail(field("domainKeyData"), `is a PKCS#8 key (BEGIN PRIVATE KEY), which Kuscia ${ctx.kusciaVersion.name} cannot read (PKCS#8 is read from v0.9): ${TO_PKCS1}`);
          }
          if (modern && k.bits !== undefined && k.bits < 1024) {
            ctx.fail(field("domainKeyData"), `is an RSA ${k.bits}-bit key: Kuscia ${ctx.kusciaVersion.name} signs the node's certificates with it at start and Go refuses RSA keys under 1024 bits there; generate one with \`openssl genrsa -traditional 2048 | base64 -w0\``);
          }
        });
      },
    },
    {
      id: "nodeconfig.domain-key.pkcs1",
      severity: "error",
      summary: "domainKeyData is in PKCS#1 form (BEGIN RSA PRIVATE KEY), as the Kuscia docs require",
      source: "kuscia-iac policy: the Kuscia docs and hack/k8s/*/configmap.yaml require PKCS#1 (pkg/utils/tls/crypt.go reads PKCS#8 from v0.9.0b0, but other tools that read domain.key expect PKCS#1; see upstream issues #327, #356)",
      vap: { unexpressible: NO_CEL.nodeConfig },
      releases: "applies when the target is v0.9 or later; for v0.8, nodeconfig.domain-key refuses a PKCS#8 key itself",
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          const v = c.domainKeyData;
          if (view.bad("domainKeyData") || typeof v !== "string" || v === "" || placeholder(v)) return;
          const k = inspectPrivateKey(v, { crtStrict: ctx.kusciaVersion.atLeast("v1.1") });
          if ("error" in k || k.keyType !== "rsa" || k.format !== "pkcs8" || !ctx.kusciaVersion.atLeast("v0.9")) return;
          ctx.fail(
            field("domainKeyData"),
            `is a PKCS#8 key (BEGIN PRIVATE KEY); Kuscia v0.9 and later (the target is ${ctx.kusciaVersion.name}) can read it, v0.8 cannot, and the Kuscia docs require PKCS#1 (BEGIN RSA PRIVATE KEY): ${TO_PKCS1}. ` +
              "To accept PKCS#8 keys, set rule nodeconfig.domain-key.pkcs1 to warn or off in the policy configuration",
          );
        });
      },
    },
    {
      id: "nodeconfig.domain-key.size",
      severity: "error",
      summary: "domainKeyData is an RSA key of at least minRsaKeyBits bits (default 2048)",
      source: "kuscia-iac policy: Kuscia generates 2048-bit keys (pkg/utils/tls/crypt.go: GenerateKeyData) but reads any size (v1.1 refuses under 1024 bits: nodeconfig.domain-key); the minimum is the parameter minRsaKeyBits",
      vap: { unexpressible: NO_CEL.nodeConfig },
      params: ["minRsaKeyBits"],
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          const v = c.domainKeyData;
          if (view.bad("domainKeyData") || typeof v !== "string" || v === "" || placeholder(v)) return;
          const k = inspectPrivateKey(v, { crtStrict: ctx.kusciaVersion.atLeast("v1.1") });
          if ("error" in k || k.keyType !== "rsa" || k.bits === undefined) return;
          if (ctx.kusciaVersion.atLeast("v1.1") && k.bits < 1024) return; // nodeconfig.domain-key: Kuscia itself refuses it
          const min = ctx.params.minRsaKeyBits;
          if (k.bits < min) ctx.fail(field("domainKeyData"), `is an RSA ${k.bits}-bit key: the policy asks for at least ${min} bits (\`openssl genrsa -traditional ${Math.max(min, 2048)}\`; parameter minRsaKeyBits)`);
        });
      },
    },
    {
      id: "nodeconfig.datastore",
      severity: "error",
      summary: "on master and autonomy nodes, datastoreEndpoint is a DSN the target release's start-up check accepts (mysql://; postgres:// and postgresql:// from v1.0)",
      source:
        "pkg/utils/datastore/datastore_endpoint_check.go: CheckDatastoreEndpoint (go-sql-driver/mysql v1.6.0 ParseDSN, lib/pq v1.10.9 ParseURL and connector, up to the ping: policy/checks/godsn.ts), called by cmd/kuscia/modules/k3s.go: Run",
      vap: { unexpressible: NO_CEL.nodeConfig },
      releases: "mysql:// at every release; postgres:// and postgresql:// from v1.0 (refused before); what the embedded K3s does with the database name is nodeconfig.datastore.k3s's",
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          if (view.mode !== "master" && view.mode !== "autonomy") return; // a lite node does not read it (nodeconfig.mode-keys)
          if (view.bad("datastoreEndpoint")) return;
          const v = c.datastoreEndpoint;
          if (typeof v !== "string" || v === "") return; // Kuscia falls back to its embedded SQLite
          const res = parseDatastoreEndpoint(v, ctx.kusciaVersion);
          // The value is never quoted: a DSN that does not parse has no known place for its
          // password (`root:pw@db:3306/kine`, or a bare password pasted into the field).
          if ("error" in res) ctx.fail(field("datastoreEndpoint"), res.error);
        });
      },
    },
    {
      id: "nodeconfig.datastore.k3s",
      severity: "error",
      summary: "the K3s the target release embeds can use the datastore: its kine knows the scheme and can create the database when it does not exist",
      source:
        "k3s-io/kine v0.11.3 (Kuscia v0.8 to v1.0: postgres:// only; CREATE DATABASE with the name unquoted) and v0.14 (v1.1: postgres:// and postgresql://; quoted): pkg/endpoint: ParseStorageEndpoint, pkg/drivers/mysql and pkg/drivers/pgsql: createDBIfNotExist; policy/upstream/embedded.ts. kuscia-iac policy where the database exists already: then set this rule to warn",
      vap: { unexpressible: NO_CEL.nodeConfig },
      releases: "follows the K3s each release embeds (policy/upstream/embedded.ts): v0.8 to v1.0 kine v0.11.3 (no postgresql://; database names created unquoted, so only names MySQL or PostgreSQL read unquoted), v1.1 kine v0.14 (quoted)",
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          if (view.mode !== "master" && view.mode !== "autonomy") return;
          const v = c.datastoreEndpoint;
          if (view.bad("datastoreEndpoint") || typeof v !== "string" || v === "") return;
          const res = parseDatastoreEndpoint(v, ctx.kusciaVersion);
          if ("error" in res) return; // nodeconfig.datastore
          const why = k3sDatastoreProblem(res.datastore, ctx.kusciaVersion);
          if (why) ctx.fail(field("datastoreEndpoint"), why);
        });
      },
    },
    {
      id: "nodeconfig.enums",
      severity: "error",
      summary: "mode, protocol, runtime and logLevel take values the target release reads (with its case rules and defaults)",
      source: ENUM_SOURCE,
      vap: { unexpressible: NO_CEL.nodeConfig },
      releases: "mode is read case-insensitively up to v0.13 and from v1.1, case-sensitively from v0.14 to v1.0; the messages name the target release",
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          const mode = typeof c.mode === "string" ? c.mode : undefined;
          for (const e of enumSpecs(ctx.kusciaVersion, mode)) enumCheck(ctx, view, e);
        });
      },
    },
    {
      id: "nodeconfig.runk",
      severity: "error",
      summary: "with runtime runk, runk.namespace is a valid namespace name",
      source: "cmd/kuscia/confloader/kuscia_config.go: RunkConfig.overwriteK8sProviderCfg (runk.namespace is the namespace the agent creates task pods in); kuscia-iac policy: Kuscia starts without it, then every task pod fails",
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          if (c.runtime !== "runk" || view.bad("runk")) return;
          const ns = at(c, "runk", "namespace");
          if (ns === undefined || ns === "") return ctx.fail(field("runk.namespace"), "is required with runtime runk: the namespace task pods are created in");
          const why = typeof ns === "string" ? (placeholder(ns) ?? dnsLabel(ns)) : "must be a string";
          if (why) ctx.fail(field("runk.namespace"), `${show(ns)} ${why}`);
        });
      },
    },
    {
      id: "nodeconfig.lite",
      severity: "error",
      summary: "a lite node has masterEndpoint, an http(s) URL of its master that Kuscia's gateway can probe and split",
      source:
        "cmd/kuscia/confloader/kuscia_config.go: LiteKusciaConfig.OverwriteKusciaConfig (Master.Endpoint = masterEndpoint); pkg/gateway/commands/root.go: Run (utils.ProbePeerEndpoint: Go's http.Client; ConnectToMaster -> config.LoadMasterProxyConfig -> utils.ParseURL: policy/checks/goendpoint.ts); hack/k8s/lite/configmap.yaml (e.g. http://kuscia-master.kuscia-master.svc.cluster.local:1080)",
      emits: [
        {
          id: "nodeconfig.lite.deploy-token",
          severity: "warning",
          summary: "a lite node has liteDeployToken (needed the first time it registers with its master)",
          source: "cmd/kuscia/confloader/kuscia_config.go: GenerateCsrData (the token goes into the CSR the lite node sends its master); pkg/gateway/controller/register_node.go: verifyCSR",
          vap: { unexpressible: NO_CEL.nodeConfig },
        },
      ],
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        withGo(o, ctx, (view, c) => {
          if (view.mode !== "lite" || view.bad("masterEndpoint")) return;
          const ep = c.masterEndpoint;
          if (ep === undefined || ep === "") return ctx.fail(field("masterEndpoint"), "is required on a lite node: the URL of its master's gateway, e.g. https://kuscia-master.kuscia-master.svc.cluster.local:1080");
          if (typeof ep !== "string") return;
          if (placeholder(ep)) return ctx.fail(field("masterEndpoint"), NAME_MESSAGES.placeholder);
          const problem = masterEndpointProblem(ep);
          const why = problem && detailWithoutPassword(problem, ep);
          if (why) return ctx.fail(field("masterEndpoint"), `${show(redactSecrets(ep))} ${why}; expected the http:// or https:// URL of the master, e.g. https://kuscia-master.kuscia-master.svc.cluster.local:1080`);
          const token = c.liteDeployToken;
          if (token === undefined || token === "") {
            ctx.warn(field("liteDeployToken"), "is not set: a lite node registers its certificate with the master using this token the first time it starts; create one on the master for this domain", "nodeconfig.lite.deploy-token");
          }
        });
      },
    },
    {
      id: "nodeconfig.mode-keys",
      severity: "warning",
      summary: "keys the node's mode does not read (masterEndpoint and liteDeployToken outside lite; datastoreEndpoint on lite; runtime on master)",
      source: "cmd/kuscia/confloader/kuscia_config.go: LiteKusciaConfig, MasterKusciaConfig, AutonomyKusciaConfig (the fields each mode unmarshals) and their OverwriteKusciaConfig",
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        withConfig(o, (c) => {
          const mode = typeof c.mode === "string" ? c.mode.toLowerCase() : undefined;
          if (mode !== "lite" && mode !== "master" && mode !== "autonomy") return;
          const ignored: Record<string, string[]> = {
            master: ["masterEndpoint", "liteDeployToken", "runtime", "runk"],
            autonomy: ["masterEndpoint", "liteDeployToken"],
            lite: ["datastoreEndpoint", "clusterToken"],
          };
          for (const k of ignored[mode]) {
            const v = c[k];
            if (v !== undefined && v !== null && v !== "") ctx.warn(field(k), `is ignored: a ${mode} node does not read it`);
          }
        });
      },
    },
    {
      id: "nodeconfig.protocol.notls",
      severity: "warning",
      summary: "protocol NOTLS (any case) sends node traffic in clear text",
      source: "pkg/common/convert.go: Protocol.UnmarshalYAML (upper-cases the value); cmd/kuscia/modules/kusciaapi.go and domainroute.go (NOTLS disables TLS for KusciaAPI and the gateway)",
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        withGo(o, ctx, (_view, c) => {
          if (typeof c.protocol === "string" && c.protocol.toUpperCase() === "NOTLS") {
            ctx.warn(field("protocol"), `is ${c.protocol === "NOTLS" ? "NOTLS" : `${show(c.protocol)} (NOTLS)`}: KusciaAPI and the gateway speak plain HTTP; use TLS or MTLS outside a trusted network`);
          }
        });
      },
    },
  ],
};
