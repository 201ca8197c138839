/**
 * The Kuscia node configuration: `kuscia.yaml` inside a ConfigMap that carries
 * the label kuscia.secretflow/config: "true" (the autonomy manifests mount it
 * into the Kuscia pod). Other ConfigMaps are not ours and are skipped.
 */
import { parseYamlValue, type YamlLimits } from "../yaml";
import type { KindPolicy, RuleContext } from "../engine";
import type { Segment } from "../paths";
import { checkPkcs1RsaKey } from "../checks/pem";
import { parseMysqlDsn, redactDsn } from "../checks/dsn";
import { dnsLabel, domainId, placeholder } from "../checks/names";
import { at, isObj, show, type Obj } from "../checks/values";

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

function enumCheck(ctx: RuleContext, c: Obj, key: string, allowed: string[], hint: string, caseInsensitive = false): void {
  const v = c[key];
  if (v === undefined || v === null || v === "") return;
  const ok = typeof v === "string" && (caseInsensitive ? allowed.map((a) => a.toLowerCase()).includes(v.toLowerCase()) : allowed.includes(v));
  if (!ok) ctx.fail(field(key), `found ${show(v)}, expected one of ${allowed.join(", ")}; ${hint}`);
}

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
      check(o, ctx) {
        const { error } = configOf(o);
        if (error) ctx.fail(KEY_PATH, error);
      },
    },
    {
      id: "nodeconfig.domain-id",
      severity: "error",
      summary: "domainID is a DNS subdomain usable as a namespace name, not reserved",
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
      summary: "domainKeyData is base64 of a PKCS#1 RSA private key (BEGIN RSA PRIVATE KEY) of at least 2048 bits",
      check(o, ctx) {
        withConfig(o, (c) => {
          const v = c.domainKeyData;
          if (v === undefined || v === null || v === "") return ctx.fail(field("domainKeyData"), "is required: base64 of the node's PKCS#1 RSA private key (`openssl genrsa -traditional 2048 | base64 -w0`)");
          if (typeof v !== "string") return ctx.fail(field("domainKeyData"), "must be a string holding base64 of a PEM key");
          if (placeholder(v)) return ctx.fail(field("domainKeyData"), "still contains a template placeholder ({{...}}): render the template before applying it");
          const why = checkPkcs1RsaKey(v);
          if (why) ctx.fail(field("domainKeyData"), why);
        });
      },
    },
    {
      id: "nodeconfig.datastore",
      severity: "error",
      summary: "datastoreEndpoint is a MySQL DSN whose database name has no '-'",
      check(o, ctx) {
        withConfig(o, (c) => {
          const v = c.datastoreEndpoint;
          if (v === undefined || v === null || v === "") return; // Kuscia falls back to its embedded SQLite
          if (typeof v !== "string") return ctx.fail(field("datastoreEndpoint"), "must be a string DSN");
          const res = parseMysqlDsn(v);
          // Messages quote the DSN only with its password masked.
          if ("error" in res) return ctx.fail(field("datastoreEndpoint"), `${show(redactDsn(v), 120)} ${res.error}`);
          if (res.dsn.database.includes("-")) {
            ctx.fail(field("datastoreEndpoint"), `database name ${show(res.dsn.database)} contains '-', which Kuscia does not support; create and use a database named without it (e.g. ${show(res.dsn.database.replace(/-/g, "_"))})`);
          }
        });
      },
    },
    {
      id: "nodeconfig.enums",
      severity: "error",
      summary: "mode, protocol, runtime and logLevel take documented values",
      check(o, ctx) {
        withConfig(o, (c) => {
          enumCheck(ctx, c, "mode", ["autonomy", "lite", "master"], "the deployment mode of this node", true);
          enumCheck(ctx, c, "protocol", ["NOTLS", "TLS", "MTLS"], "empty means MTLS");
          enumCheck(ctx, c, "runtime", ["runk", "runp", "runc"], "on Kubernetes use runk (or runp)");
          enumCheck(ctx, c, "logLevel", ["DEBUG", "INFO", "WARN", "ERROR"], "INFO is the usual choice", true);
        });
      },
    },
    {
      id: "nodeconfig.runk",
      severity: "error",
      summary: "with runtime runk, runk.namespace is a valid namespace name",
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
      id: "nodeconfig.protocol.notls",
      severity: "warning",
      summary: "protocol NOTLS sends node traffic in clear text",
      check(o, ctx) {
        withConfig(o, (c) => {
          if (c.protocol === "NOTLS") ctx.warn(field("protocol"), "is NOTLS: KusciaAPI and the gateway speak plain HTTP; use TLS or MTLS outside a trusted network");
        });
      },
    },
  ],
};
