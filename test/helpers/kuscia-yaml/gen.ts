/**
 * Generates kuscia.yaml texts for the differential test of the node-configuration rules
 * against Kuscia's own loader (test/e2e/nodeconfig-oracle.test.ts). Seeded: a seed gives
 * the same texts, keys included. Two families:
 * - the type sweep: every field of every mode's struct (and of the structs under it, one
 *   level down) set to YAML values of every type and style (quoted, plain, block, flow,
 *   tagged, every integer, float, boolean and null spelling yaml.v3 resolves);
 * - random cases: a valid configuration of a random mode with a few mutations drawn from the
 *   classes below (keys and their PEM and base64, datastore DSNs of every form, enums in
 *   every case, domain IDs, master endpoints, runk settings, YAML text).
 */
import type { GoShape } from "../../../policy/checks/goyaml";
import type { KusciaYamlShapes, KusciaYamlStep } from "../../../policy/upstream/kuscia-yaml";
import { Rng } from "./rng";
import { KEY_FIELDS, alterKey, derInt, derSeq, makeRsaKey, pem, pkcs1Der, pkcs8Der, type RsaKey } from "./rsa";

/** A YAML value as text: `inline` follows `key: ` on its line; `block` lines follow, indented under the key. */
export interface Snip {
  inline: string;
  block?: string[];
}

const S = (inline: string, block?: string[]): Snip => ({ inline, ...(block ? { block } : {}) });

/** YAML values of every type and style yaml.v3 tells apart. */
export const YAML_KINDS: readonly [string, Snip][] = [
  ["plain string", S("abc")],
  ["plain string with a space", S("a b")],
  ["single-quoted string", S("'abc'")],
  ["double-quoted number", S('"42"')],
  ["double-quoted true", S('"true"')],
  ["single-quoted yes", S("'yes'")],
  ["integer", S("42")],
  ["negative integer", S("-7")],
  ["zero", S("0")],
  ["hex integer", S("0x1F")],
  ["0o octal", S("0o17")],
  ["legacy octal", S("017")],
  ["underscored integer", S("1_000")],
  ["binary integer", S("0b101")],
  ["2^32", S("4294967296")],
  ["2^63", S("9223372036854775808")],
  ["2^64", S("18446744073709551616")],
  ["float", S("1.5")],
  ["exponent", S("1e3")],
  ["leading-dot float", S(".5")],
  ["negative float", S("-2.5")],
  [".inf", S(".inf")],
  ["-.inf", S("-.inf")],
  [".nan", S(".nan")],
  ["1e400", S("1e400")],
  ["true", S("true")],
  ["False", S("False")],
  ["yes", S("yes")],
  ["on", S("on")],
  ["Off", S("Off")],
  ["y", S("y")],
  ["~", S("~")],
  ["null", S("null")],
  ["empty", S("")],
  ["empty quoted", S('""')],
  ["date", S("2024-01-02")],
  ["date-time", S("2024-01-02T03:04:05Z")],
  ["duration text", S("30s")],
  ["flow list", S("[a, b]")],
  ["flow list of integers", S("[1, 2]")],
  ["empty list", S("[]")],
  ["block list", S("", ["- a", "- b"])],
  ["flow mapping", S("{a: 1}")],
  ["empty mapping", S("{}")],
  ["block mapping", S("", ["a: 1", "b: x"])],
  ["literal block", S("|", ["text"])],
  ["folded block", S(">-", ["some text"])],
  ["!!str tag", S("!!str 5")],
  ["!!int tag on a quoted value", S('!!int "5"')],
];

export interface GenCase {
  id: string;
  /** The node mode the configuration was built for (before any mutation of `mode`). */
  mode: KusciaYamlStep;
  yaml: string;
  /** What was generated or changed, for the report. */
  notes: string[];
}

type Entry = [string, Snip | Entry[]];

function isEntries(v: Snip | Entry[]): v is Entry[] {
  return Array.isArray(v);
}

/** Renders entries as block YAML at `indent` spaces. */
export function render(entries: Entry[], indent = 0): string[] {
  const pad = " ".repeat(indent);
  const out: string[] = [];
  for (const [k, v] of entries) {
    if (isEntries(v)) {
      out.push(`${pad}${k}:`, ...render(v, indent + 2));
      continue;
    }
    out.push(v.inline === "" ? `${pad}${k}:` : `${pad}${k}: ${v.inline}`);
    for (const l of v.block ?? []) out.push(`${pad}  ${l}`);
  }
  return out;
}

/** Sets `path` (keys) to `value`, creating mappings on the way; replaces what was there. */
function setPath(entries: Entry[], path: string[], value: Snip | Entry[]): void {
  const [head, ...rest] = path;
  const i = entries.findIndex(([k]) => k === head);
  if (rest.length === 0) {
    if (i >= 0) entries[i] = [head, value];
    else entries.push([head, value]);
    return;
  }
  let child: Entry[];
  if (i >= 0 && isEntries(entries[i][1])) child = entries[i][1] as Entry[];
  else {
    child = [];
    if (i >= 0) entries[i] = [head, child];
    else entries.push([head, child]);
  }
  setPath(child, rest, value);
}

function removeKey(entries: Entry[], key: string): void {
  const i = entries.findIndex(([k]) => k === key);
  if (i >= 0) entries.splice(i, 1);
}

const q = (s: string) => JSON.stringify(s);

// ---------------------------------------------------------------------------------------
// Keys

export interface KeySet {
  main: RsaKey;
  other: RsaKey;
  small1024: RsaKey;
  small512: RsaKey;
}

/** The keys of a run, from its seed (about a second: 2 x 2048, 1024 and 512 bits). */
export function makeKeys(seed: number): KeySet {
  const rng = new Rng(seed ^ 0x5eed);
  return { main: makeRsaKey(2048, rng.fork(1)), other: makeRsaKey(2048, rng.fork(2)), small1024: makeRsaKey(1024, rng.fork(3)), small512: makeRsaKey(512, rng.fork(4)) };
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

const keyDataCache = new WeakMap<RsaKey, string>();

/** domainKeyData the way the docs make it: base64 -w0 of a PKCS#1 PEM. */
export function keyData(k: RsaKey): string {
  let v = keyDataCache.get(k);
  if (v === undefined) keyDataCache.set(k, (v = b64(pem("RSA PRIVATE KEY", pkcs1Der(k)))));
  return v;
}

/** A domainKeyData variant and what it is. */
function keyVariant(keys: KeySet, rng: Rng): [string, string] {
  const k = keys.main;
  const p1 = pkcs1Der(k);
  const variants: (() => [string, string])[] = [
    () => ["PKCS#1", keyData(k)],
    () => ["PKCS#8", b64(pem("PRIVATE KEY", pkcs8Der(p1)))],
    () => ["1024-bit PKCS#1", keyData(keys.small1024)],
    () => ["512-bit PKCS#1", keyData(keys.small512)],
    () => {
      const f = rng.pick(KEY_FIELDS);
      const bit = rng.int(k[f].toString(2).length);
      return [`PKCS#1 with bit ${bit} of ${f} flipped`, keyData(alterKey(k, f, bit))];
    },
    () => {
      const f = rng.pick(["n", "d", "p", "q"] as const);
      return [`PKCS#1 with ${f} of another key`, keyData({ ...k, [f]: keys.other[f] })];
    },
    () => ["PKCS#1 without its CRT values", b64(pem("RSA PRIVATE KEY", pkcs1Der(k, { omitCrt: true })))],
    () => ["PKCS#1 version 1", b64(pem("RSA PRIVATE KEY", pkcs1Der(k, { version: 1n })))],
    () => ["PKCS#1 version 2", b64(pem("RSA PRIVATE KEY", pkcs1Der(k, { version: 2n })))],
    () => ["PKCS#1 with a non-minimal integer", b64(pem("RSA PRIVATE KEY", pkcs1Der(k, { padField: rng.pick(KEY_FIELDS) })))],
    () => ["PKCS#1 with trailing bytes", b64(pem("RSA PRIVATE KEY", Buffer.concat([p1, Buffer.from([0, 0])])))],
    () => ["PKCS#1 truncated", b64(pem("RSA PRIVATE KEY", p1.subarray(0, p1.length - 1 - rng.int(20))))],
    () => ["PKCS#8 body under the PKCS#1 label", b64(pem("RSA PRIVATE KEY", pkcs8Der(p1)))],
    () => ["PKCS#1 body under the PKCS#8 label", b64(pem("PRIVATE KEY", p1))],
    () => ["PKCS#8 with trailing bytes", b64(pem("PRIVATE KEY", Buffer.concat([pkcs8Der(p1), Buffer.from([5, 0])])))],
    () => ["PKCS#1 under the label EC PRIVATE KEY", b64(pem("EC PRIVATE KEY", p1))],
    () => ["PKCS#1 under the label RSA PUBLIC KEY", b64(pem("RSA PUBLIC KEY", derSeq(derInt(k.n), derInt(k.e))))],
    () => ["PKCS#1 with a Proc-Type ENCRYPTED header", b64(pem("RSA PRIVATE KEY", p1, { headers: ["Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF"] }))],
    () => ["PKCS#1 with CRLF line ends", b64(pem("RSA PRIVATE KEY", p1, { eol: "\r\n" }))],
    () => ["PKCS#1 in 76-character lines", b64(pem("RSA PRIVATE KEY", p1, { width: 76 }))],
    () => ["PKCS#1 in one line", b64(pem("RSA PRIVATE KEY", p1, { width: 100000 }))],
    () => ["PKCS#1 with text before BEGIN", b64(`Private-Key: (2048 bit)\n${pem("RSA PRIVATE KEY", p1)}`)],
    () => ["PKCS#1 with text after END", b64(`${pem("RSA PRIVATE KEY", p1)}trailing words\n`)],
    () => ["PKCS#1 with spaces in the PEM body", b64(pem("RSA PRIVATE KEY", p1).replace(/\n(?=[A-Za-z0-9+/])/g, "\n  "))],
    () => ["PKCS#1 with a stray character in the PEM body", b64(pem("RSA PRIVATE KEY", p1).replace(/\n([A-Za-z0-9+/]{10})/, "\n$1!"))],
    () => ["PKCS#1 whose END names another type", b64(pem("RSA PRIVATE KEY", p1, { endLabel: "PRIVATE KEY" }))],
    () => ["PKCS#1 without its END line", b64(pem("RSA PRIVATE KEY", p1).replace(/-----END[^\n]*\n$/, ""))],
    () => ["two PEM blocks, a certificate first", b64(`${pem("CERTIFICATE", Buffer.from("3003020100", "hex"))}${pem("RSA PRIVATE KEY", p1)}`)],
    () => ["an empty PEM block", b64("-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----\n")],
    () => ["not PEM at all", b64("hello, world\n")],
  ];
  return rng.pick(variants)();
}

/** base64 spellings of a valid key: what Go's base64.StdEncoding takes and refuses. */
function base64Variant(keys: KeySet, rng: Rng): [string, Snip] {
  const data = keyData(keys.main);
  const wrap = (w: number, eol: string) => data.match(new RegExp(`.{1,${w}}`, "g"))!.join(eol);
  const variants: (() => [string, Snip])[] = [
    () => ["base64 -w0", S(data)],
    () => ["base64 wrapped at 76 in a plain scalar (YAML folds the breaks into spaces)", S(data.match(/.{1,76}/g)!.join("\n  "))],
    () => ["base64 wrapped at 76 in a literal block", S("|", wrap(76, "\n").split("\n"))],
    () => ["base64 wrapped at 76 in a double-quoted \\n string", S(q(wrap(76, "\n")))],
    () => ["base64 with \\r\\n in a double-quoted string", S(q(wrap(64, "\r\n")))],
    () => ["base64 with a trailing newline (literal block with clip)", S("|", [data])],
    () => ["base64 with spaces", S(q(wrap(64, " ")))],
    () => ["base64 with a tab", S(q(`${data.slice(0, 40)}\t${data.slice(40)}`))],
    () => ["base64 with a leading space", S(q(` ${data}`))],
    () => ["base64 without its padding", S(data.replace(/=+$/, ""))],
    () => ["base64 with extra padding", S(`${data}==`)],
    () => ["base64 with padding in the middle", S(`${data.slice(0, 40)}=${data.slice(41)}`)],
    () => ["base64url", S(data.replace(/\+/g, "-").replace(/\//g, "_"))],
    () => ["a raw PEM key", S("|", pem("RSA PRIVATE KEY", pkcs1Der(keys.main)).trimEnd().split("\n"))],
    () => ["base64 cut by one character", S(data.slice(0, -1))],
    () => ["double base64", S(b64(data))],
  ];
  return rng.pick(variants)();
}

// ---------------------------------------------------------------------------------------
// Datastore endpoints: every part of the go-sql-driver DSN grammar, lib/pq URLs, odd drivers.

function mysqlDsn(rng: Rng): [string, string] {
  const user = rng.pick(["root", "kuscia", "", "us er", "user%40x"]);
  const pass = rng.pick(["", "secret", "p@ss", "p:ss", "p/ss", "p?ss", "pa(ss)"]);
  const cred = user === "" && pass === "" ? rng.pick(["", "@"]) : pass === "" ? `${user}@` : `${user}:${pass}@`;
  const net = rng.pick(["tcp", "tcp", "tcp", "", "tcp6", "tcp4", "unix", "udp", "TCP", "foo", "ip4:1"]);
  const host = rng.pick(["mysql", "mysql.db.svc.cluster.local", "127.0.0.1", "[::1]", "::1", "localhost", "", "my_sql", "-bad", "a..b", "1.2.3.256", "bad host"]);
  // No service names but an unknown one: whether /etc/services lists mysql for udp differs
  // between the loader's machine and Kuscia's image.
  const port = rng.pick([":3306", ":3306", "", ":0", ":65535", ":65536", ":-1", ":nosuchservice", ":+80", ":"]);
  const addr = net === "unix" ? rng.pick(["/var/run/mysqld/mysqld.sock", "", "relative.sock"]) : `${host}${port}`;
  const netAddr = net === "" && addr === "" ? "" : rng.chance(0.1) ? `${net}(${addr}` : `${net}(${addr})`;
  const db = rng.pick(["kine", "kuscia", "kuscia-db", "Kuscia", "kuscia.db", "", "k`ine", "123", "数据库", "db_1$", "a".repeat(65), "db%2Dx"]);
  const params = rng.pick([
    "",
    "?charset=utf8mb4&parseTime=True&loc=Local",
    "?parseTime=true",
    "?parseTime=yes",
    "?loc=UTC",
    "?loc=Asia%2FShanghai",
    "?loc=Asia/Shanghai",
    "?loc=asia/shanghai",
    "?loc=Nowhere/Atlantis",
    "?timeout=5s",
    "?timeout=5",
    "?readTimeout=1m30s&writeTimeout=2h",
    "?tls=true",
    "?tls=skip-verify",
    "?tls=PREFERRED",
    "?tls=custom",
    "?tls=%zz",
    "?interpolateParams=true&collation=gbk_chinese_ci",
    "?interpolateParams=true&collation=utf8mb4_bin",
    "?compress=true",
    "?strict=true",
    "?maxAllowedPacket=1024",
    "?maxAllowedPacket=1k",
    "?serverPubKey=key",
    "?allowNativePasswords=false&checkConnLiveness=0",
    "?columnsWithAlias=maybe",
    "?charset=%zz",
    "?flag",
    "?a=1&&b=2",
    "?",
  ]);
  const dsn = `${cred}${netAddr}/${db}${params}`;
  const variants: [string, string][] = [
    ["mysql DSN", `mysql://${dsn}`],
    ["mysql DSN without the slash", `mysql://${cred}${netAddr}`],
  ];
  const [what, v] = rng.chance(0.9) ? variants[0] : variants[1];
  return [`${what}: user ${q(user)}, password form ${q(pass.replace(/[a-z]/g, "x"))}, net ${q(net)}, address ${q(addr)}, database ${q(db)}, params ${q(params)}`, v];
}

function postgresUrl(rng: Rng): [string, string] {
  const scheme = rng.pick(["postgres", "postgresql", "postgres", "postgresql"]);
  const cred = rng.pick(["", "kuscia:secret@", "kuscia@", "ku%20scia:se%2Fcret@", "user:p@ss@", "us er:x@", ":@", "%zz:x@"]);
  const host = rng.pick(["pg", "pg.db.svc.cluster.local", "127.0.0.1", "[::1]", "[fe80::1%25eth0]", "", "pg_1", "bad host", "[1.2.3.4]", "-pg", "pg,pg2"]);
  const port = rng.pick([":5432", ":5432", "", ":0", ":65536", ":abc", ":"]);
  const db = rng.pick(["/kine", "/kuscia", "/kuscia-db", "/Kuscia", "", "/", "/a%2Fb", "/db%zz", "/k\"ine", "/a/b"]);
  const query = rng.pick([
    "",
    "?sslmode=disable",
    "?sslmode=require",
    "?sslmode=verify-full",
    "?sslmode=prefer",
    "?sslmode=bogus",
    "?connect_timeout=10",
    "?connect_timeout=abc",
    "?client_encoding=UTF8",
    "?client_encoding=latin1",
    "?datestyle=ISO%2C%20MDY",
    "?datestyle=German",
    "?binary_parameters=yes",
    "?binary_parameters=maybe",
    "?application_name=kuscia&sslmode=disable",
    "?a%20b=1",
    "?x=%zz&sslmode=disable",
    "?host=%2Fvar%2Frun%2Fpostgresql",
    "?sslmode=disable#frag",
    "?sslmode=disable#%zz",
  ]);
  return [`PostgreSQL URL: scheme ${scheme}, credentials form ${q(cred.replace(/[a-z]/g, "x"))}, host ${q(host)}, port ${q(port)}, path ${q(db)}, query ${q(query)}`, `${scheme}://${cred}${host}${port}${db}${query}`];
}

function oddEndpoint(rng: Rng): [string, string] {
  return rng.pick<[string, string]>([
    ["empty", ""],
    ["MySQL:// (driver case)", "MySQL://root:pw@tcp(db:3306)/kine"],
    ["POSTGRES://", "POSTGRES://u:p@h:5432/kine"],
    ["mongodb://", "mongodb://u:p@mongo:27017/kine"],
    ["sqlite://", "sqlite:///var/lib/kine.db"],
    ["no scheme", "root:pw@tcp(db:3306)/kine"],
    ["mysql:/ (one slash)", "mysql:/root:pw@tcp(db:3306)/kine"],
    ["postgres:/ (one slash)", "postgres:/u:p@h/kine"],
    ["etcd https", "https://etcd:2379"],
    ["only a scheme", "mysql://"],
    ["mysql:// with a space before", " mysql://root:pw@tcp(db:3306)/kine"],
  ]);
}

/** [what, keys removed from the base, lines appended (given the base64 key)]. */
const FIXED_YAML: readonly [string, string[], (key: string) => string[]][] = [
  ["merged logLevel VERBOSE", ["logLevel"], () => ["<<: {logLevel: VERBOSE}"]],
  ["own logLevel wins over a merged one", ["logLevel"], () => ["<<: {logLevel: VERBOSE}", "logLevel: INFO"]],
  ["first merged mapping wins", ["logLevel"], () => ["<<: [{logLevel: INFO}, {logLevel: VERBOSE}]"]],
  ["later merged mapping loses", ["logLevel"], () => ["<<: [{logLevel: VERBOSE}, {logLevel: INFO}]"]],
  ["mode and domainID from an anchor", ["mode", "domainID"], () => ["base: &b {mode: autonomy, domainID: alice}", "<<: *b"]],
  ["merge of a scalar", [], () => ["<<: 1"]],
  ["merge of a list of scalars", [], () => ["<<: [1]"]],
  ["quoted << is a key", ["logLevel"], () => ['"<<": {logLevel: VERBOSE}']],
  ["domainKeyData !!binary of the base64 key", ["domainKeyData"], (key) => [`domainKeyData: !!binary ${Buffer.from(key).toString("base64")}`]],
  ["domainKeyData !!binary of the PEM", ["domainKeyData"], (key) => [`domainKeyData: !!binary ${key}`]],
  ["logLevel !!binary INFO", ["logLevel"], () => ["logLevel: !!binary SU5GTw=="]],
  ["logLevel !!binary VERBOSE", ["logLevel"], () => ["logLevel: !!binary VkVSQk9TRQ=="]],
  ["logLevel !!binary not base64", ["logLevel"], () => ["logLevel: !!binary '%%%'"]],
];

const FIXED_DATASTORES: readonly [string, string][] = [
  ["tcp6 to localhost", "mysql://root:secret@tcp6(localhost:3306)/kine"],
  ["tcp4 to localhost", "mysql://root:secret@tcp4(localhost:3306)/kine"],
  ["tcp6 to an IPv4 literal", "mysql://root:secret@tcp6(127.0.0.1:3306)/kine"],
  ["tcp4 to an IPv6 literal", "mysql://root:secret@tcp4([::1]:3306)/kine"],
];

function datastoreVariant(rng: Rng): [string, Snip] {
  const r = rng.int(10);
  const [what, v] = r < 5 ? mysqlDsn(rng) : r < 9 ? postgresUrl(rng) : oddEndpoint(rng);
  return [what, S(q(v))];
}

// ---------------------------------------------------------------------------------------
// Enums, domain IDs, endpoints

const MODE_SPELLINGS: Record<string, string[]> = {
  autonomy: ["autonomy", "Autonomy", "AUTONOMY", "aUtOnOmY"],
  lite: ["lite", "Lite", "LITE"],
  master: ["master", "Master", "MASTER"],
};

function enumVariant(rng: Rng, mode: string): [string, string, Snip] {
  const which = rng.pick(["mode", "protocol", "runtime", "logLevel"]);
  const values: Record<string, string[]> = {
    mode: [...MODE_SPELLINGS[mode], "standalone", "", '""', "1"],
    protocol: ["NOTLS", "notls", "Tls", "tls", "MTLS", "mtls", "mTLS", "SSL", '""', "~", "[TLS]"],
    runtime: ["runk", "runc", "runp", "RUNK", "Runc", "docker", '""', "~"],
    logLevel: ["DEBUG", "debug", "Info", "INFO", "WARN", "warn", "warning", "Error", "DPANIC", "dpanic", "panic", "FATAL", "trace", '""', "~", "5"],
  };
  const v = rng.pick(values[which]);
  return [`${which} ${v}`, which, S(v)];
}

function domainIdVariant(rng: Rng): [string, Snip] {
  const v = rng.pick(["alice", "bob-2", "a", "Alice", "alice.example", "alice_1", "-alice", "alice-", "a".repeat(63), "a".repeat(64), "master", "Master", "default", "kube-system", "cross-domain", "kuscia-system", "123", "1alice", "", '""', "~", "[alice]", "{{.DOMAIN_ID}}", "'{{.DOMAIN_ID}}'", "alice bob", "ali:ce", "a.b.c", `${"a".repeat(60)}.${"b".repeat(60)}`]);
  return [`domainID ${v}`, S(v)];
}

function masterEndpointVariant(rng: Rng): [string, Snip] {
  const v = rng.pick([
    "https://kuscia-master.kuscia-master.svc.cluster.local:1080",
    "http://kuscia-master:1080",
    "http://kuscia-master",
    "https://10.0.0.1:1080/",
    "https://kuscia-master:1080/prefix",
    "HTTP://kuscia-master:1080",
    "Https://kuscia-master:1080",
    "kuscia-master:1080",
    "https://",
    "http://:1080",
    "https://user:pw@kuscia-master:1080",
    "https://user@kuscia-master:1080",
    "http://[::1]:1080",
    "http://[::1]",
    "https://kuscia-master:99999",
    "https://kuscia-master:abc",
    "ftp://kuscia-master:21",
    "grpc://kuscia-master:1080",
    "https://kuscia master:1080",
    "https://kuscia_master:1080",
    "https://-master:1080",
    "http://a..b:1080",
    "https://kuscia-master:1080?x=1",
    "https://kuscia-master:1080#frag",
    "https://%zz:1080",
    "http:kuscia-master",
    "{{.MASTER_ENDPOINT}}",
    '""',
    "~",
  ]);
  return [`masterEndpoint ${v}`, S(v.startsWith("{") ? q(v) : v)];
}

// ---------------------------------------------------------------------------------------
// Configurations

const MODES: KusciaYamlStep[] = ["autonomy", "lite", "master"];

function baseConfig(mode: KusciaYamlStep, keys: KeySet, rng: Rng): Entry[] {
  const e: Entry[] = [
    ["mode", S(mode)],
    ["domainID", S(rng.pick(["alice", "bob", "kuscia-system", "carol-1"]))],
    ["domainKeyData", S(keyData(keys.main))],
    ["logLevel", S(rng.pick(["INFO", "DEBUG", "WARN"]))],
    ["protocol", S(rng.pick(["MTLS", "TLS", "NOTLS"]))],
  ];
  if (mode !== "master") {
    const rt = rng.pick(["runk", "runc", "runp"]);
    e.push(["runtime", S(rt)]);
    if (rt === "runk") e.push(["runk", [["namespace", S("autonomy-alice")], ["dnsServers", S("", ["- 10.96.0.10"])]]]);
  }
  if (mode === "lite") {
    e.push(["masterEndpoint", S("https://kuscia-master.kuscia-master.svc.cluster.local:1080")]);
    e.push(["liteDeployToken", S("abcdefg")]);
  } else if (rng.chance(0.5)) {
    e.push(["datastoreEndpoint", S(q(rng.pick(["mysql://kuscia:secret@tcp(mysql:3306)/kine?charset=utf8mb4&parseTime=True&loc=Local", "postgres://kuscia:secret@pg:5432/kine?sslmode=disable"])))]);
  }
  if (rng.chance(0.3)) e.push(["capacity", [["cpu", S("4")], ["memory", S("4Gi")]]]);
  if (rng.chance(0.2)) e.push(["logrotate", [["maxFiles", S("5")], ["maxFileSizeMB", S("100")]]]);
  if (rng.chance(0.2)) e.push(["debug", S("false")]);
  return e;
}

/** Field paths (one or two keys) of a mode's struct, with their shapes. */
export function fieldPaths(shapes: KusciaYamlShapes, mode: KusciaYamlStep, depth = 2): { path: string[]; shape: GoShape }[] {
  const out: { path: string[]; shape: GoShape }[] = [];
  const deref = (s: GoShape): GoShape => {
    for (let i = 0; i < 8; i++) {
      if (s.kind === "ref" && s.type) s = shapes.types[s.type] ?? s;
      else if (s.kind === "ptr" && s.elem) s = s.elem;
      else break;
    }
    return s;
  };
  const walk = (s: GoShape, path: string[]) => {
    const st = deref(s);
    if (st.kind !== "struct" || !st.fields) return;
    for (const [k, f] of Object.entries(st.fields).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (k === "*") continue;
      out.push({ path: [...path, k], shape: f });
      if (path.length + 1 < depth) walk(f, [...path, k]);
    }
  };
  walk(shapes.modes[mode], []);
  return out;
}

export interface GenOptions {
  seed: number;
  shapes: KusciaYamlShapes;
  keys: KeySet;
  /** Random cases on top of the sweep. */
  random: number;
  /** YAML kinds per nested (second-level) field in the sweep; every kind for top-level fields. */
  nestedKinds: number;
}

/** The generated cases of a run: the type sweep, then the random cases. */
export function generate(o: GenOptions): GenCase[] {
  const rng = new Rng(o.seed);
  const cases: GenCase[] = [];
  const emit = (id: string, mode: KusciaYamlStep, entries: Entry[], notes: string[], text?: (lines: string[]) => string) => {
    const lines = render(entries);
    cases.push({ id, mode, yaml: text ? text(lines) : `${lines.join("\n")}\n`, notes });
  };

  // The type sweep.
  const top = new Map<string, KusciaYamlStep[]>();
  for (const m of MODES) for (const f of fieldPaths(o.shapes, m, 1)) top.set(f.path[0], [...(top.get(f.path[0]) ?? []), m]);
  for (const [key, modes] of [...top].sort()) {
    YAML_KINDS.forEach(([kind, snip], i) => {
      const mode = modes[(i + key.length) % modes.length];
      const base = baseConfig(mode, o.keys, rng.fork(cases.length));
      setPath(base, [key], snip);
      emit(`sweep/${mode}/${key}/${kind}`, mode, base, [`${mode} node, ${key} as ${kind}: ${snip.inline}${snip.block ? ` + block ${JSON.stringify(snip.block)}` : ""}`]);
    });
  }
  let k = 0;
  for (const m of MODES) {
    for (const f of fieldPaths(o.shapes, m, 2).filter((x) => x.path.length === 2)) {
      for (let j = 0; j < o.nestedKinds; j++) {
        const [kind, snip] = YAML_KINDS[k++ % YAML_KINDS.length];
        const base = baseConfig(m, o.keys, rng.fork(cases.length));
        setPath(base, f.path, snip);
        emit(`sweep/${m}/${f.path.join(".")}/${kind}`, m, base, [`${m} node, ${f.path.join(".")} as ${kind}: ${snip.inline}`]);
      }
    }
  }

  // Datastore endpoints whose verdict once depended on the machine the loader ran on, kept in
  // every run: a host name resolves from the machine's hosts file ("localhost" has no IPv6
  // address on some machines), an IP literal of the wrong family is the configuration's error.
  for (const [what, dsn] of FIXED_DATASTORES) {
    const base = baseConfig("master", o.keys, rng.fork(cases.length));
    setPath(base, ["datastoreEndpoint"], S(q(dsn)));
    emit(`fixed/master/datastoreEndpoint/${what}`, "master", base, ["master node", `datastoreEndpoint: ${what}`]);
  }

  // Merge keys and !!binary, which yaml.v3 follows and the `yaml` package does not (found by a
  // new user's inputs): each a small change to an autonomy node, its verdict the loader's.
  for (const [what, drop, extra] of FIXED_YAML) {
    const base = baseConfig("autonomy", o.keys, rng.fork(cases.length));
    for (const k of drop) removeKey(base, k);
    const key = keyData(o.keys.main);
    emit(`fixed/autonomy/yaml/${what}`, "autonomy", base, ["autonomy node", what], (lines) => `${[...lines, ...extra(key)].join("\n")}\n`);
  }

  // Random cases.
  for (let i = 0; i < o.random; i++) {
    const r = rng.fork(100000 + i);
    const mode = r.pick(MODES);
    const base = baseConfig(mode, o.keys, r);
    const notes: string[] = [`${mode} node`];
    let textMutation: ((lines: string[]) => string) | undefined;
    const n = 1 + r.int(3);
    for (let j = 0; j < n; j++) {
      switch (r.int(10)) {
        case 0:
        case 1: {
          const [what, v] = keyVariant(o.keys, r);
          setPath(base, ["domainKeyData"], S(v));
          notes.push(`domainKeyData: ${what}`);
          break;
        }
        case 2: {
          const [what, v] = base64Variant(o.keys, r);
          setPath(base, ["domainKeyData"], v);
          notes.push(`domainKeyData: ${what}`);
          break;
        }
        case 3:
        case 4: {
          const [what, v] = datastoreVariant(r);
          setPath(base, ["datastoreEndpoint"], v);
          notes.push(`datastoreEndpoint: ${what}`);
          break;
        }
        case 5: {
          const [what, key, v] = enumVariant(r, mode);
          setPath(base, [key], v);
          notes.push(what);
          break;
        }
        case 6: {
          const [what, v] = domainIdVariant(r);
          setPath(base, ["domainID"], v);
          notes.push(what);
          break;
        }
        case 7: {
          const [what, v] = masterEndpointVariant(r);
          setPath(base, ["masterEndpoint"], v);
          notes.push(what);
          break;
        }
        case 8: {
          const which = r.int(6);
          if (which === 0) {
            removeKey(base, r.pick(["domainID", "domainKeyData", "mode", "runtime", "masterEndpoint", "protocol", "logLevel"]));
            notes.push("a key removed");
          } else if (which === 1) {
            setPath(base, ["runtime"], S("runk"));
            setPath(base, ["runk"], [["namespace", S(r.pick(["autonomy-alice", "", "Alice", "a.b", "~", "{{.NS}}", "x".repeat(64)]))]]);
            notes.push("runk with a namespace variant");
          } else if (which === 2) {
            setPath(base, ["runk"], [["dnsServers", r.pick([S("10.96.0.10"), S("[10.96.0.10]"), S("", ["- 10.96.0.10"]), S("'10.96.0.10'")])], ["enableLogging", r.pick([S("true"), S('"true"'), S("yes"), S("1")])], ["logMaxFiles", r.pick([S("5"), S('"5"'), S("5.5"), S("-1")])]]);
            notes.push("runk settings in several YAML types");
          } else if (which === 3) {
            setPath(base, ["liteDeployToken"], r.pick([S(""), S("tok"), S("[a]"), S("123")]));
            notes.push("liteDeployToken variant");
          } else if (which === 4) {
            setPath(base, ["kusciaAPI"], [["protocol", r.pick([S("tls"), S("SSL"), S("[TLS]"), S("~")])]]);
            notes.push("kusciaAPI.protocol variant");
          } else {
            setPath(base, ["garbageCollection"], [["kusciaDomainDataGC", [["enable", r.pick([S("true"), S('"false"'), S("on"), S("2")])], ["durationHours", r.pick([S("720"), S("7.5"), S("1e2"), S('"24"')])]]]]);
            notes.push("garbageCollection variant");
          }
          break;
        }
        default: {
          const which = r.int(8);
          notes.push(["duplicate key", "tab indentation", "CRLF line ends", "an anchor and an alias", "a second document", "a comment after a value", "flow-style mapping document", "a key with an empty name"][which]);
          textMutation = (lines) => {
            switch (which) {
              case 0:
                return `${lines.join("\n")}\n${lines[1]}\n`;
              case 1:
                return `${lines.map((l) => l.replace(/^ {2}/, "\t")).join("\n")}\n`;
              case 2:
                return `${lines.join("\r\n")}\r\n`;
              case 3:
                return `${lines.map((l) => (l.startsWith("domainID: ") ? l.replace("domainID: ", "domainID: &id ") : l)).join("\n")}\nliteDeployToken: *id\n`;
              case 4:
                return `${lines.join("\n")}\n---\nmode: nothing\n`;
              case 5:
                return `${lines.map((l) => (l.startsWith("logLevel: ") ? `${l} # the log level` : l)).join("\n")}\n`;
              case 6:
                return `{${lines.filter((l) => /^[A-Za-z]+: [^|>]/.test(l)).map((l) => l.replace(/: /, ": ")).join(", ")}}\n`;
              default:
                return `${lines.join("\n")}\n: orphan\n`;
            }
          };
        }
      }
    }
    emit(`random/${i}`, mode, base, notes, textMutation);
  }
  return cases;
}
