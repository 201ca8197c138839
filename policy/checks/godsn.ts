/**
 * Datastore endpoints as Kuscia's start-up check reads them
 * (pkg/utils/datastore/datastore_endpoint_check.go: CheckDatastoreEndpoint), ported from the
 * Go code it runs up to the first packet of its database ping:
 * - go-sql-driver/mysql v1.6.0: ParseDSN (dsn.go, with normalize and parseDSNParams);
 * - lib/pq v1.10.9: ParseURL (url.go, over Go's net/url Parse), NewConnector and the
 *   connection's settings before it writes (conn.go: handleDriverSettings, dial, ssl);
 * - Go's net.Dialer address parsing (parseNetwork, SplitHostPort, LookupPort, the resolver's
 *   isDomainName), which both drivers reach when they dial.
 * Go is 1.26 here, as the test tool that holds this port to upstream is built with it.
 * Values are never returned whole: only what the rules need (driver, database).
 */
import { parseGoDuration } from "./goyaml";

export type DsnCheck = { ok: { driver: "mysql" | "postgres"; scheme: string; database: string } } | { error: string };

// ---------------------------------------------------------------------------------------
// Go net: what net.Dialer.DialContext refuses before it creates a socket or asks DNS.

const HOSTS_FILE_NAMES = new Set(["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"]);

/** Well-known services (/etc/services) the Go resolver would look a non-numeric port up in. */
const SERVICES: Record<string, number> = { mysql: 3306, postgresql: 5432, postgres: 5432, http: 80, https: 443 };

/** net.isDomainName. */
export function goIsDomainName(s: string): boolean {
  if (s === ".") return true;
  const l = s.length;
  if (l === 0 || l > 254 || (l === 254 && s[l - 1] !== ".")) return false;
  let last = ".";
  let nonNumeric = false;
  let partlen = 0;
  for (const c of s) {
    if ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_") {
      nonNumeric = true;
      partlen++;
    } else if (c >= "0" && c <= "9") {
      partlen++;
    } else if (c === "-") {
      if (last === ".") return false;
      partlen++;
      nonNumeric = true;
    } else if (c === ".") {
      if (last === "." || last === "-") return false;
      if (partlen > 63 || partlen === 0) return false;
      partlen = 0;
    } else {
      return false;
    }
    last = c;
  }
  if (last === "-" || partlen > 63) return false;
  return nonNumeric;
}

/** net.SplitHostPort. */
export function goSplitHostPort(hostport: string): { host: string; port: string } | { error: string } {
  const missingPort = "missing port in address";
  const tooManyColons = "too many colons in address";
  const i = hostport.lastIndexOf(":");
  if (i < 0) return { error: missingPort };
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === "[") {
    const end = hostport.indexOf("]");
    if (end < 0) return { error: "missing ']' in address" };
    if (end + 1 === hostport.length) return { error: missingPort };
    if (end + 1 !== i) return { error: hostport[end + 1] === ":" ? tooManyColons : missingPort };
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(":")) return { error: tooManyColons };
  }
  if (hostport.slice(j).includes("[")) return { error: "unexpected '[' in address" };
  if (hostport.slice(k).includes("]")) return { error: "unexpected ']' in address" };
  return { host, port: hostport.slice(i + 1) };
}

/** net.JoinHostPort. */
export function goJoinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** net.parsePort, then LookupPort's range check; undefined when the port is refused. */
function goLookupPort(service: string): number | undefined {
  if (service === "") return 0;
  let s = service;
  let neg = false;
  if (s[0] === "+") s = s.slice(1);
  else if (s[0] === "-") {
    neg = true;
    s = s.slice(1);
  }
  if (!/^[0-9]*$/.test(s)) return SERVICES[service];
  const n = s === "" ? 0 : Number(s.length > 12 ? "999999999999" : s);
  const port = neg ? -n : n;
  return port < 0 || port > 65535 ? undefined : port;
}

function isIpLiteral(host: string): boolean {
  const h = host.replace(/%.*$/, "");
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(h)) return h.split(".").every((x) => Number(x) <= 255 && !/^0\d/.test(x));
  if (!h.includes(":") || h === "") return false;
  return isIPv6(h) && (host.includes("%") ? host.indexOf("%") < host.length - 1 : true);
}

function isIPv6(h: string): boolean {
  let s = h;
  const v4 = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (v4) {
    if (!isIpLiteral(v4[1])) return false;
    s = `${s.slice(0, v4.index)}0:0`;
  }
  const dbl = s.split("::");
  if (dbl.length > 2) return false;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(dbl[0]);
  const tail = dbl.length === 2 ? groups(dbl[1]) : [];
  if (![...head, ...tail].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = head.length + tail.length;
  return dbl.length === 2 ? count < 8 : count === 8;
}

/**
 * What net.Dialer.DialContext(network, address) does before the network: an error message
 * when it stops there (unknown network, bad address, port, host name), undefined when it
 * would create a socket or ask DNS.
 */
export function goDialCheck(network: string, address: string): string | undefined {
  const unknown = `dial ${network}: unknown network ${network}`;
  let net = network;
  const colon = network.lastIndexOf(":");
  if (colon >= 0) {
    net = network.slice(0, colon);
    if (!["ip", "ip4", "ip6"].includes(net)) return unknown;
    const proto = network.slice(colon + 1);
    if (!/^[0-9]+$/.test(proto) && !["icmp", "tcp", "udp", "ipv6-icmp", "igmp"].includes(proto)) return `dial ${network}: unknown IP protocol specified: ${proto}`;
  } else if (!["tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix", "unixgram", "unixpacket"].includes(net)) {
    return unknown;
  }
  if (net.startsWith("unix")) return undefined;
  let host = address;
  if (net.startsWith("tcp") || net.startsWith("udp")) {
    const hp = goSplitHostPort(address);
    if ("error" in hp) return `dial ${network}: address ${address}: ${hp.error}`;
    if (goLookupPort(hp.port) === undefined) return `dial ${network}: lookup ${network}/${hp.port}: unknown port`;
    host = hp.host;
  }
  if (host === "") return undefined;
  if (isIpLiteral(host)) {
    // filterAddrList: a "4" network takes only IPv4 (IPv4-mapped IPv6 included), a "6" one only IPv6.
    const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(host);
    if ((net.endsWith("4") && !v4) || (net.endsWith("6") && v4)) return `dial ${network}: address ${host}: no suitable address found`;
    return undefined;
  }
  if (HOSTS_FILE_NAMES.has(host.toLowerCase())) return undefined;
  if (!goIsDomainName(host)) return `dial ${network}: lookup ${host}: no such host`;
  return undefined;
}

// ---------------------------------------------------------------------------------------
// go-sql-driver/mysql v1.6.0

const UNSAFE_COLLATIONS = new Set(["big5_chinese_ci", "sjis_japanese_ci", "gbk_chinese_ci", "big5_bin", "gb2312_bin", "gbk_bin", "sjis_bin", "cp932_japanese_ci", "cp932_bin", "gb18030_chinese_ci", "gb18030_bin", "gb18030_unicode_520_ci"]);

function readBool(v: string): boolean | undefined {
  if (["1", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "false", "FALSE", "False"].includes(v)) return false;
  return undefined;
}

/** url.QueryUnescape. */
export function goQueryUnescape(s: string): string | undefined {
  return goUnescape(s, "query");
}

type EscapeMode = "query" | "path" | "userinfo" | "host" | "zone" | "fragment";

const HOST_OK = new Set("!$&'()*+,;=:[]<>\"".split(""));

/** net/url shouldEscape, for the modes Parse uses. */
function shouldEscape(c: string, mode: EscapeMode): boolean {
  if (/[A-Za-z0-9]/.test(c)) return false;
  if ((mode === "host" || mode === "zone") && HOST_OK.has(c)) return false;
  if ("-_.~".includes(c)) return false;
  if ("$&+,/:;=?@".includes(c)) {
    switch (mode) {
      case "path":
        return c === "?";
      case "userinfo":
        return "@/?:".includes(c);
      case "query":
        return true;
      case "fragment":
        return false;
    }
  }
  if (mode === "fragment" && "!()*".includes(c)) return false;
  return true;
}

/** net/url unescape; undefined where Go returns an error. */
function goUnescape(s: string, mode: EscapeMode): string | undefined {
  const bytes: number[] = [];
  const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === "%") {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) return undefined;
      const v = parseInt(s.slice(i + 1, i + 3), 16);
      if (mode === "host" && parseInt(s[i + 1], 16) < 8 && s.slice(i, i + 3) !== "%25") return undefined;
      if (mode === "zone" && s.slice(i, i + 3) !== "%25" && v !== 0x20 && shouldEscape(String.fromCharCode(v), "host")) return undefined;
      bytes.push(v);
      i += 3;
      continue;
    }
    if ((mode === "host" || mode === "zone") && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode)) return undefined;
    if (c === "+" && mode === "query") bytes.push(0x20);
    else for (const b of Buffer.from(c, "utf8")) bytes.push(b);
    i++;
  }
  return Buffer.from(bytes).toString("utf8");
}

/** time.LoadLocation, for the zone names a DSN's loc takes: "", UTC, Local or an IANA name as written. */
function goLoadLocation(name: string): boolean {
  if (name === "" || name === "UTC" || name === "Local") return true;
  if (name.includes("..") || name.startsWith("/") || name.includes("\\")) return false;
  let zones: string[];
  try {
    zones = (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    zones = [];
  }
  if (zones.includes(name)) return true;
  // Links (Asia/Chongqing, Etc/GMT+5, ...) are files of the zone database too; ICU knows
  // them but lists only canonical names, and takes any case, which a file name does not.
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  if (resolved.toLowerCase() === name.toLowerCase()) return resolved === name;
  return name.split("/").every((c) => /^[A-Z]/.test(c));
}

interface MysqlConfig {
  net: string;
  addr: string;
  dbName: string;
}

/** mysql.ParseDSN (v1.6.0): the configuration or the driver's error text. */
export function mysqlParseDsn(dsn: string): MysqlConfig | { error: string } {
  const cfg: MysqlConfig & { tls: string; collation: string; interpolate: boolean; serverPubKey: string } = { net: "", addr: "", dbName: "", tls: "", collation: "utf8mb4_general_ci", interpolate: false, serverPubKey: "" };
  const slash = dsn.lastIndexOf("/");
  if (slash >= 0) {
    const i = slash;
    if (i > 0) {
      let j: number;
      for (j = i; j >= 0; j--) if (dsn[j] === "@") break;
      let k: number;
      for (k = j + 1; k < i; k++) {
        if (dsn[k] === "(") {
          if (dsn[i - 1] !== ")") {
            if (dsn.slice(k + 1, i).includes(")")) return { error: "invalid DSN: did you forget to escape a param value?" };
            return { error: "invalid DSN: network address not terminated (missing closing brace)" };
          }
          cfg.addr = dsn.slice(k + 1, i - 1);
          break;
        }
      }
      cfg.net = dsn.slice(j + 1, k);
    }
    const q = dsn.indexOf("?", i + 1);
    if (q >= 0) {
      const err = parseDsnParams(cfg, dsn.slice(q + 1));
      if (err) return { error: err };
      cfg.dbName = dsn.slice(i + 1, q);
    } else {
      cfg.dbName = dsn.slice(i + 1);
    }
  } else if (dsn.length > 0) {
    return { error: "invalid DSN: missing the slash separating the database name" };
  }
  // normalize
  if (cfg.interpolate && UNSAFE_COLLATIONS.has(cfg.collation)) return { error: "invalid DSN: interpolateParams can not be used with unsafe collations" };
  if (cfg.net === "") cfg.net = "tcp";
  if (cfg.addr === "") {
    if (cfg.net === "tcp") cfg.addr = "127.0.0.1:3306";
    else if (cfg.net === "unix") cfg.addr = "/tmp/mysql.sock";
    // Quotes the network, as go-sql-driver does: where a password holding '/' makes it part of the
    // password, datastore.ts withholds the detail (detailWithoutPassword).
    else return { error: `default addr for network '${cfg.net}' unknown` };
  } else if (cfg.net === "tcp") {
    if ("error" in goSplitHostPort(cfg.addr)) cfg.addr = goJoinHostPort(cfg.addr, "3306");
  }
  if (!["false", "", "true", "skip-verify", "preferred"].includes(cfg.tls)) return { error: `invalid value / unknown config name: ${cfg.tls}` };
  if (cfg.serverPubKey !== "") return { error: `invalid value / unknown server pub key name: ${cfg.serverPubKey}` };
  return { net: cfg.net, addr: cfg.addr, dbName: cfg.dbName };
}

const BOOL_PARAMS = new Set(["allowAllFiles", "allowCleartextPasswords", "allowNativePasswords", "allowOldPasswords", "checkConnLiveness", "clientFoundRows", "columnsWithAlias", "interpolateParams", "multiStatements", "parseTime", "rejectReadOnly"]);

function parseDsnParams(cfg: { tls: string; collation: string; interpolate: boolean; serverPubKey: string }, params: string): string | undefined {
  for (const v of params.split("&")) {
    const eq = v.indexOf("=");
    if (eq < 0) continue;
    const [key, value] = [v.slice(0, eq), v.slice(eq + 1)];
    if (BOOL_PARAMS.has(key)) {
      const b = readBool(value);
      if (b === undefined) return `invalid bool value: ${value}`;
      if (key === "interpolateParams") cfg.interpolate = b;
      continue;
    }
    switch (key) {
      case "collation":
        cfg.collation = value;
        break;
      case "compress":
        return "compression not implemented yet";
      case "loc": {
        const name = goQueryUnescape(value);
        if (name === undefined) return `invalid URL escape in loc`;
        if (!goLoadLocation(name)) return `unknown time zone ${name}`;
        break;
      }
      case "readTimeout":
      case "writeTimeout":
      case "timeout":
        if (parseGoDuration(value) === undefined) return `time: invalid duration ${JSON.stringify(value)}`;
        break;
      case "serverPubKey": {
        const name = goQueryUnescape(value);
        if (name === undefined) return "invalid value for server pub key name";
        cfg.serverPubKey = name;
        break;
      }
      case "strict":
        // The driver panics ("strict mode has been removed"): Kuscia crashes.
        return "strict mode has been removed (go-sql-driver/mysql panics on this parameter)";
      case "tls": {
        const b = readBool(value);
        if (b !== undefined) cfg.tls = b ? "true" : "false";
        else if (["skip-verify", "preferred"].includes(value.toLowerCase())) cfg.tls = value.toLowerCase();
        else {
          const name = goQueryUnescape(value);
          if (name === undefined) return "invalid value for TLS config name";
          cfg.tls = name;
        }
        break;
      }
      case "maxAllowedPacket":
        if (!/^[+-]?[0-9]+$/.test(value) || BigInt(value) > 2n ** 63n - 1n || BigInt(value) < -(2n ** 63n)) return `strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`;
        break;
      default:
        if (goQueryUnescape(value) === undefined) return `invalid URL escape in parameter ${key}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// net/url.Parse (the parts lib/pq's ParseURL reads)

interface GoUrl {
  scheme: string;
  user?: { username: string; password?: string };
  host: string;
  path: string;
  rawQuery: string;
}

/** url.Parse; undefined error-free parse or the error text. */
export function goUrlParse(raw: string): GoUrl | { error: string } {
  const hash = raw.indexOf("#");
  const u = hash >= 0 ? raw.slice(0, hash) : raw;
  if (/[\x00-\x1f\x7f]/.test(u)) return { error: "net/url: invalid control character in URL" };
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(u);
  if (u.startsWith(":")) return { error: "missing protocol scheme" };
  const scheme = m ? m[1].toLowerCase() : "";
  let rest = m ? u.slice(m[0].length) : u;
  let rawQuery = "";
  if (rest.endsWith("?") && rest.split("?").length === 2) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf("?");
    if (q >= 0) [rest, rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];
  }
  const out: GoUrl = { scheme, host: "", path: "", rawQuery };
  if (!rest.startsWith("/")) {
    if (scheme !== "") return out; // opaque
    const colon = rest.indexOf(":");
    const slash = rest.indexOf("/");
    if (colon >= 0 && (slash < 0 || colon < slash)) return { error: "first path segment in URL cannot contain colon" };
  }
  if ((scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) [authority, rest] = [authority.slice(0, slash), authority.slice(slash)];
    const at = authority.lastIndexOf("@");
    const host = parseHost(scheme, at < 0 ? authority : authority.slice(at + 1));
    if (typeof host !== "string") return host;
    out.host = host;
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) return { error: "net/url: invalid userinfo" };
      const c = userinfo.indexOf(":");
      const username = goUnescape(c < 0 ? userinfo : userinfo.slice(0, c), "userinfo");
      const password = c < 0 ? undefined : goUnescape(userinfo.slice(c + 1), "userinfo");
      if (username === undefined || (c >= 0 && password === undefined)) return { error: "invalid URL escape in userinfo" };
      out.user = { username, ...(c >= 0 ? { password } : {}) };
    }
  }
  const path = goUnescape(rest, "path");
  if (path === undefined) return { error: "invalid URL escape in path" };
  out.path = path;
  if (hash >= 0 && goUnescape(raw.slice(hash + 1), "fragment") === undefined) return { error: "invalid URL escape in fragment" };
  return out;
}

function validOptionalPort(p: string): boolean {
  return p === "" || /^:[0-9]*$/.test(p);
}

/**
 * net/url's "invalid port %q after host", without the quote: where a password holds '/', '?'
 * or '#', the authority ends there, the password's head is read as a port, and Go's message
 * quotes it (a secret no redaction can tell from a port). Named instead, with the fix.
 */
const INVALID_PORT = "invalid port after host: what follows the host's ':' is not a number (a password holding '/', '?' or '#' ends the host there: percent-encode them)";

function parseHost(scheme: string, host: string): string | { error: string } {
  const open = host.lastIndexOf("[");
  if (open > 0) return { error: "invalid IP-literal" };
  if (open === 0) {
    const close = host.lastIndexOf("]");
    if (close < 0) return { error: "missing ']' in host" };
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) return { error: INVALID_PORT };
    const hostname = host.slice(1, close);
    const zone = hostname.indexOf("%25");
    const unescaped = zone >= 0 ? [goUnescape(hostname.slice(0, zone), "host"), goUnescape(hostname.slice(zone), "zone")] : [goUnescape(hostname, "host")];
    if (unescaped.some((x) => x === undefined)) return { error: "invalid URL escape in host" };
    const name = unescaped.join("");
    const bare = name.replace(/%.*$/, "");
    if (!isIPv6(bare) || (name.includes("%") && name.endsWith("%"))) return { error: "invalid host: ParseAddr" };
    return `[${name}]${colonPort}`;
  }
  const i = host.indexOf(":");
  if (i >= 0) {
    let at = i;
    if (host.lastIndexOf(":") !== i && scheme !== "http" && scheme !== "https") at = host.lastIndexOf(":");
    const colonPort = host.slice(at);
    if (!validOptionalPort(colonPort)) return { error: INVALID_PORT };
  }
  const unescaped = goUnescape(host, "host");
  return unescaped === undefined ? { error: "invalid character in host name" } : unescaped;
}

/** url.ParseQuery, keeping only what parses (what lib/pq's u.Query() sees). */
function goQueryValues(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of raw.split("&")) {
    if (part === "" || part.includes(";")) continue;
    const eq = part.indexOf("=");
    const k = goQueryUnescape(eq < 0 ? part : part.slice(0, eq));
    const v = goQueryUnescape(eq < 0 ? "" : part.slice(eq + 1));
    if (k === undefined || v === undefined) continue;
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// lib/pq v1.10.9

/** pq.ParseURL: the connection settings, in the order the kv string it builds lists them (sorted). */
export function pqParseUrl(url: string): [string, string][] | { error: string } {
  const u = goUrlParse(url);
  if ("error" in u) return u;
  if (u.scheme !== "postgres" && u.scheme !== "postgresql") return { error: `invalid connection protocol: ${u.scheme}` };
  const kvs: [string, string][] = [];
  const accrue = (k: string, v: string | undefined) => {
    if (v) kvs.push([k, v]);
  };
  if (u.user) {
    accrue("user", u.user.username);
    accrue("password", u.user.password);
  }
  const hp = goSplitHostPort(u.host);
  if ("error" in hp) accrue("host", u.host);
  else {
    accrue("host", hp.host);
    accrue("port", hp.port);
  }
  if (u.path !== "") accrue("dbname", u.path.slice(1));
  for (const [k, v] of goQueryValues(u.rawQuery)) accrue(k, v);
  // ParseURL sorts the `k='v'` strings; parseOpts then keeps the last value of a key.
  const escaped = (v: string) => v.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  kvs.sort((a, b) => cmpBytes(`${a[0]}='${escaped(a[1])}'`, `${b[0]}='${escaped(b[1])}'`));
  return kvs;
}

function cmpBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * pq.NewConnector over the ParseURL settings, then the connection up to its first write:
 * handleDriverSettings, dial (connect_timeout, the address), ssl (sslmode). Undefined when
 * the connection would reach the network.
 */
export function pqConnectCheck(kvs: [string, string][]): string | undefined {
  const o = new Map<string, string>([
    ["host", "localhost"],
    ["port", "5432"],
  ]);
  for (const [k, v] of kvs) {
    // parseOpts reads the kv string back: a key ends at '=' or a space; a key with a space in
    // it (from a query parameter) leaves a word without its '='.
    if (/[\s=]/.test(k) || k === "") return `missing "=" after ${JSON.stringify(k.split(/[\s=]/)[0])} in connection info string"`;
    o.set(k, v);
  }
  const enc = o.get("client_encoding");
  if (enc !== undefined && !["utf8", "unicode"].includes(enc.toLowerCase().replace(/[^a-z0-9]/g, ""))) return "client_encoding must be absent or 'UTF8'";
  const datestyle = o.get("datestyle");
  if (datestyle !== undefined && datestyle !== "ISO, MDY") return `setting datestyle must be absent or ISO, MDY; got ${datestyle}`;
  const unix = (o.get("host") ?? "").startsWith("/");
  for (const k of ["disable_prepared_binary_result", "binary_parameters"]) {
    const v = o.get(k);
    if (v !== undefined && v !== "yes" && v !== "no") return `unrecognized value "${v}" for ${k}`;
  }
  const timeout = o.get("connect_timeout");
  if (timeout !== undefined && timeout !== "0" && !/^[+-]?[0-9]+$/.test(timeout)) return `invalid value for parameter connect_timeout: strconv.ParseInt: parsing ${JSON.stringify(timeout)}: invalid syntax`;
  const host = o.get("host") ?? "";
  const port = o.get("port") ?? "";
  const dial = unix ? undefined : goDialCheck("tcp", goJoinHostPort(host, port));
  if (dial) return dial;
  const sslmode = unix ? "disable" : (o.get("sslmode") ?? "");
  if (!["", "require", "verify-ca", "verify-full", "disable"].includes(sslmode)) {
    return `unsupported sslmode "${sslmode}"; only "require" (default), "verify-full", "verify-ca", and "disable" supported`;
  }
  return undefined;
}
