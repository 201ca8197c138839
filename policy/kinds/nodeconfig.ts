/**
 * The Kuscia node configuration: `kuscia.yaml` inside a ConfigMap that carries
 * the label kuscia.secretflow/config: "true" (the autonomy manifests mount it
 * into the Kuscia pod). Other ConfigMaps are not ours and are skipped.
 */
import { parseYamlValue, type YamlLimits } from "../yaml";
import type { KindPolicy, RuleContext } from "../engine";
import type { KusciaVersion } from "../config/version";
import type { Segment } from "../paths";
import { TO_PKCS1, inspectPrivateKey } from "../checks/pem";
import { parseDatastoreEndpoint } from "../checks/datastore";
import { NAME_MESSAGES, dnsLabel, domainId, placeholder } from "../checks/names";
import { at, isObj, show, type Obj } from "../checks/values";
import { NO_CEL } from "../vap/reasons";

export const CONFIG_LABEL = "kuscia.secretflow/config";
export const CONFIG_KEY = "kuscia.yaml";

const KEY_PATH: Segment[] = ["data", CONFIG_KEY];

/** Parsed kuscia.yaml per object, so each rule does not parse it again. */
const parsed = new WeakMap<Obj, { config?: Obj; error?: string }>();

function configOf(o: Obj): { config?: Obj; error?: string } {
  let p = parsed.get(o);
  if (!p) {
    p = parseConfig(at(o, "data", CONFIG_KEY));
    parsed.set(o, p);
  }
  return p;
}

function parseConfig(text: unknown): { config?: Obj; error?: string } {
  if (typeof text !== "string") return { error: `is missing: a ConfigMap labelled ${CONFIG_LABEL}="true" must hold the node configuration under data["${CONFIG_KEY}"]` };
  // Bounded: the text comes from whoever may create a ConfigMap. A real kuscia.yaml is a
  // few KB with a few dozen keys; these limits bound what a hostile one costs.
  const limits: Partial<YamlLimits> = { maxDocumentBytes: 1024 * 1024, maxKeys: 1000, maxDepth: 64, maxAliases: 100, maxExpandedNodes: 100_000 };
  const r = parseYamlValue(text, limits);
  if ("error" in r) return { error: r.limit ? r.error : `is not valid YAML (${r.error.replace(/^not valid YAML: /, "")})` };
  if (!isObj(r.value)) return { error: "is not a YAML mapping of configuration keys" };
  return { config: r.value };
}

/** Runs `fn` with the parsed configuration, if there is one. */
function withConfig(o: Obj, fn: (c: Obj) => void): void {
  const { config } = configOf(o);
  if (config) fn(config);
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

function enumCheck(ctx: RuleContext, c: Obj, e: EnumSpec): void {
  const v = c[e.key];
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
  const modeCaseless = !v.atLeast("v0.14") || v.atLeast("v1.1");
  const needsRuntime = mode !== undefined && mode.toLowerCase() !== "master";
  return [
    { key: "mode", allowed: ["autonomy", "lite", "master"], caseInsensitive: modeCaseless, emptyOk: false, hint: "the deployment mode of this node" },
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
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        const { error } = configOf(o);
        if (error) ctx.fail(KEY_PATH, error);
      },
    },
    {
      id: "nodeconfig.domain-id",
      severity: "error",
      summary: "domainID is a DNS label usable as a namespace name, not reserved",
      source: "cmd/kuscia/confloader/config.go: ReadConfig (domain should not be empty); cmd/kuscia/kusciainit/init.go: validateConfig (ValidateK8sName); cmd/kuscia/modules/k3s.go: createDefaultDomain (the domain ID names a Namespace)",
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        withConfig(o, (c) => {
          const v = c.domainID;
          if (v === undefined || v === null || v === "") return ctx.fail(field("domainID"), "is required: the node's domain ID, e.g. alice");
          if (typeof v !== "string") return ctx.fail(field("domainID"), `found ${show(v)}, expected a string`);
          const why = placeholder(v) ?? domainId(v);
          if (why) ctx.fail(field("domainID"), `${show(v)} ${why}`);
        });
      },
    },
    {
      id: "nodeconfig.domain-key",
      severity: "error",
      summary: "domainKeyData is base64 of an unencrypted RSA private key the target Kuscia release can read (PKCS#1; PKCS#8 too from v0.9)",
      source: "pkg/utils/tls/crypt.go: ParseEncodedKey, ParseKey, ParseRSAPrivateKeyData (PKCS#1 and PKCS#8 RSA from v0.9.0b0; v0.8.0b0 ParsePKCS1PrivateKeyData reads PKCS#1 only); cmd/kuscia/modules/runtime.go: NewModuleRuntimeConfigs",
      vap: { unexpressible: NO_CEL.nodeConfig },
      releases: "v0.8 reads PKCS#1 keys only, so a PKCS#8 key is refused when the target is v0.8; v0.9 and later read PKCS#8 too (see nodeconfig.domain-key.pkcs1)",
      check(o, ctx) {
        withConfig(o, (c) => {
          const v = c.domainKeyData;
          if (v === undefined || v === null || v === "") return ctx.fail(field("domainKeyData"), "is required: base64 of the node's RSA private key in PKCS#1 form (`openssl genrsa -traditional 2048 | base64 -w0`)");
          if (typeof v !== "string") return ctx.fail(field("domainKeyData"), "must be a string holding base64 of a PEM key");
          if (placeholder(v)) return ctx.fail(field("domainKeyData"), NAME_MESSAGES.placeholder);
          const k = inspectPrivateKey(v);
          if ("error" in k) return ctx.fail(field("domainKeyData"), k.error);
          if (k.keyType !== "rsa") return ctx.fail(field("domainKeyData"), `is a PKCS#8 ${k.keyType} key: Kuscia needs an RSA key; generate one with \`openssl genrsa -traditional 2048 | base64 -w0\``);
          if (k.format === "pkcs8" && !ctx.kusciaVersion.atLeast("v0.9")) {
            ctx.fail(field("domainKeyData"), `is a PKCS#8 key (BEGIN PRIVATE KEY), which Kuscia ${ctx.kusciaVersion.name} cannot read (PKCS#8 is read from v0.9): ${TO_PKCS1}`);
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
        withConfig(o, (c) => {
          const v = c.domainKeyData;
          if (typeof v !== "string" || v === "" || placeholder(v)) return;
          const k = inspectPrivateKey(v);
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
      source: "kuscia-iac policy: Kuscia generates 2048-bit keys (pkg/utils/tls/crypt.go: GenerateKeyData) but reads any size; the minimum is the parameter minRsaKeyBits",
      vap: { unexpressible: NO_CEL.nodeConfig },
      params: ["minRsaKeyBits"],
      check(o, ctx) {
        withConfig(o, (c) => {
          const v = c.domainKeyData;
          if (typeof v !== "string" || v === "" || placeholder(v)) return;
          const k = inspectPrivateKey(v);
          if ("error" in k || k.keyType !== "rsa" || k.bits === undefined) return;
          const min = ctx.params.minRsaKeyBits;
          if (k.bits < min) ctx.fail(field("domainKeyData"), `is an RSA ${k.bits}-bit key: the policy asks for at least ${min} bits (\`openssl genrsa -traditional ${Math.max(min, 2048)}\`; parameter minRsaKeyBits)`);
        });
      },
    },
    {
      id: "nodeconfig.datastore",
      severity: "error",
      summary: "datastoreEndpoint is a DSN the target release accepts (mysql://; postgres:// or postgresql:// from v1.0; no '-' in a MySQL database name before v0.10)",
      source: "pkg/utils/datastore/datastore_endpoint_check.go: CheckDatastoreEndpoint (mysql at every release; postgres and postgresql from v1.0.0b0); cmd/kuscia/modules/k3s.go: Run; docs/deployment/kuscia_config_cn.md of v0.8.0b0 and v0.9.0b0 (database name without '-')",
      vap: { unexpressible: NO_CEL.nodeConfig },
      releases: "mysql:// at every release; postgres:// and postgresql:// from v1.0 (refused before); a '-' in a MySQL database name refused before v0.10",
      check(o, ctx) {
        withConfig(o, (c) => {
          const v = c.datastoreEndpoint;
          if (v === undefined || v === null || v === "") return; // Kuscia falls back to its embedded SQLite
          if (typeof v !== "string") return ctx.fail(field("datastoreEndpoint"), "must be a string DSN");
          const res = parseDatastoreEndpoint(v, ctx.kusciaVersion);
          // The value is never quoted: a DSN that does not parse has no known place for its
          // password (`root:pw@db:3306/kine`, or a bare password pasted into the field).
          if ("error" in res) return ctx.fail(field("datastoreEndpoint"), res.error);
          const db = res.datastore.database;
          if (res.datastore.driver === "mysql" && db.includes("-") && !ctx.kusciaVersion.atLeast("v0.10")) {
            ctx.fail(field("datastoreEndpoint"), `database name ${show(db)} contains '-', which Kuscia ${ctx.kusciaVersion.name} does not support; create and use a database named without it (e.g. ${show(db.replace(/-/g, "_"))})`);
          }
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
        withConfig(o, (c) => {
          const mode = typeof c.mode === "string" ? c.mode : undefined;
          for (const e of enumSpecs(ctx.kusciaVersion, mode)) enumCheck(ctx, c, e);
        });
      },
    },
    {
      id: "nodeconfig.runk",
      severity: "error",
      summary: "with runtime runk, runk.namespace is a valid namespace name",
      source: "cmd/kuscia/confloader/kuscia_config.go: RunkConfig.overwriteK8sProviderCfg (runk.namespace is the namespace the agent creates task pods in)",
      vap: { unexpressible: NO_CEL.nodeConfig },
      check(o, ctx) {
        withConfig(o, (c) => {
          if (c.runtime !== "runk") return;
          const ns = at(c, "runk", "namespace");
          if (ns === undefined || ns === null || ns === "") return ctx.fail(field("runk.namespace"), "is required with runtime runk: the namespace task pods are created in");
          const why = typeof ns === "string" ? (placeholder(ns) ?? dnsLabel(ns)) : "must be a string";
          if (why) ctx.fail(field("runk.namespace"), `${show(ns)} ${why}`);
        });
      },
    },
    {
      id: "nodeconfig.lite",
      severity: "error",
      summary: "a lite node has masterEndpoint, the http(s) URL of its master",
      source: "cmd/kuscia/confloader/kuscia_config.go: LiteKusciaConfig.OverwriteKusciaConfig (Master.Endpoint = masterEndpoint); pkg/utils/kusciaconfig/service_config.go: CheckMasterConfig (\"master config must specify endpoint or apiserver\"); hack/k8s/lite/configmap.yaml (e.g. http://kuscia-master.kuscia-master.svc.cluster.local:1080)",
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
        withConfig(o, (c) => {
          if (typeof c.mode !== "string" || c.mode.toLowerCase() !== "lite") return;
          const ep = c.masterEndpoint;
          if (ep === undefined || ep === null || ep === "") return ctx.fail(field("masterEndpoint"), "is required on a lite node: the URL of its master's gateway, e.g. https://kuscia-master.kuscia-master.svc.cluster.local:1080");
          if (typeof ep !== "string") return ctx.fail(field("masterEndpoint"), `found ${show(ep)}, expected a URL string`);
          if (placeholder(ep)) return ctx.fail(field("masterEndpoint"), NAME_MESSAGES.placeholder);
          let url: URL | undefined;
          try {
            url = new URL(ep);
          } catch {
            url = undefined;
          }
          if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
            return ctx.fail(field("masterEndpoint"), `${show(ep)} is not an http:// or https:// URL of the master, e.g. https://kuscia-master.kuscia-master.svc.cluster.local:1080`);
          }
          const token = c.liteDeployToken;
          if (token === undefined || token === null || token === "") {
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
        withConfig(o, (c) => {
          if (typeof c.protocol === "string" && c.protocol.toUpperCase() === "NOTLS") {
            ctx.warn(field("protocol"), `is ${c.protocol === "NOTLS" ? "NOTLS" : `${show(c.protocol)} (NOTLS)`}: KusciaAPI and the gateway speak plain HTTP; use TLS or MTLS outside a trusted network`);
          }
        });
      },
    },
  ],
};
