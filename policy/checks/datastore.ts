/**
 * The Kuscia datastore endpoint (kuscia.yaml `datastoreEndpoint`), checked the way the target
 * release reads it, in two places:
 *
 * 1. Kuscia's own start-up check (pkg/utils/datastore/datastore_endpoint_check.go:
 *    CheckDatastoreEndpoint, called by cmd/kuscia/modules/k3s.go: Run): the text before the
 *    first `://` picks the driver and the rest must parse as that driver's DSN, up to the
 *    first packet of its ping (godsn.ts holds the port of the Go code).
 *    - mysql:// every release: the rest is a go-sql-driver/mysql DSN, user:password@tcp(host:3306)/db.
 *    - postgres:// and postgresql:// from v1.0: the whole value is a lib/pq URL. v0.15 knew
 *      only `postgresql://` and opened the sql driver "postgresql", which lib/pq does not
 *      register, so no PostgreSQL endpoint passed.
 * 2. The datastore layer of the K3s the release embeds (kine; policy/upstream/embedded.ts),
 *    which gets the endpoint as it is (`k3s server --datastore-endpoint`): which schemes it
 *    knows, and what it does with the database name (checkDatabaseName).
 *
 * Only the parts Kuscia cares about are returned; the password never is.
 */
import type { KusciaVersion } from "../config/version";
import { embeddedIn, type EmbeddedComponents } from "../upstream/embedded";
import { goDialCheck, goUrlParse, mysqlParseDsn, pqConnectCheck, pqParseUrl } from "./godsn";
import { detailWithoutPassword } from "./dsn";

export interface Datastore {
  driver: "mysql" | "postgres";
  /** The endpoint's scheme as written (`mysql`, `postgres`, `postgresql`). */
  scheme: string;
  /** The database name kine uses (its default `kubernetes` when the endpoint names none). */
  database: string;
}

export type DatastoreResult = { datastore: Datastore } | { error: string };

const MYSQL_EXAMPLE = "mysql://user:password@tcp(host:3306)/database";
const PG_EXAMPLE = "postgres://user:password@host:5432/database";

/**
 * Parses `value` as the target release's start-up check does (Kuscia's own code: what the
 * embedded K3s then does with it is k3sDatastoreProblem's); an error explains what that
 * release accepts. Never quotes the value (it holds a password).
 */
export function parseDatastoreEndpoint(value: string, version: KusciaVersion): DatastoreResult {
  const embedded = embeddedIn(version);
  const pg = version.atLeast("v1.0");
  const examples = pg ? `${MYSQL_EXAMPLE} or ${PG_EXAMPLE}` : MYSQL_EXAMPLE;
  const sep = value.indexOf("://");
  if (sep < 0) return { error: `is not a datastore endpoint (Kuscia finds no "://" in it): expected ${examples}` };
  const driver = value.slice(0, sep);
  const rest = value.slice(sep + 3);
  if (driver === "mysql") {
    const cfg = mysqlParseDsn(rest);
    if ("error" in cfg) return { error: `is not a DSN go-sql-driver/mysql accepts (${detailWithoutPassword(cfg.error, value)}): expected ${MYSQL_EXAMPLE}` };
    const dial = goDialCheck(cfg.net, cfg.addr);
    if (dial) return { error: `names an address Kuscia cannot dial (${detailWithoutPassword(dial, value)}): expected ${MYSQL_EXAMPLE}` };
    return { datastore: { driver: "mysql", scheme: driver, database: cfg.dbName || embedded.kineFacts.defaultDatabase } };
  }
  if (driver === "postgres" || driver === "postgresql") {
    if (!pg) {
      return {
        error: `uses driver "${driver}": Kuscia ${version.name} supports only MySQL (PostgreSQL endpoints work from Kuscia v1.0; v0.15's PostgreSQL check could never succeed); expected ${MYSQL_EXAMPLE}`,
      };
    }
    const kvs = pqParseUrl(value);
    if ("error" in kvs) return { error: `is not a URL lib/pq accepts (${detailWithoutPassword(kvs.error, value)}): expected ${PG_EXAMPLE}` };
    const conn = pqConnectCheck(kvs);
    if (conn) return { error: `is refused by lib/pq before it connects (${detailWithoutPassword(conn, value)}): expected ${PG_EXAMPLE}` };
    return { datastore: { driver: "postgres", scheme: driver, database: kinePostgresDatabase(rest, embedded) } };
  }
  return { error: `uses driver "${driver}", which Kuscia ${version.name} does not support (the driver name is case-sensitive); expected ${examples}` };
}

/** kine pkg/drivers/pgsql: prepareDSN ("postgres://" + the rest, path defaulted, lower-cased from v0.14) and createDBIfNotExist's name. */
function kinePostgresDatabase(rest: string, e: EmbeddedComponents): string {
  const u = goUrlParse(`postgres://${rest}`);
  if ("error" in u) return e.kineFacts.defaultDatabase; // the endpoint already failed lib/pq's parse
  let path = u.path === "" || u.path === "/" ? `/${e.kineFacts.defaultDatabase}` : u.path;
  if (e.kineFacts.postgresCreateQuoted) path = path.toLowerCase();
  return path.slice(1);
}

/**
 * What the K3s a release embeds refuses in a datastore Kuscia's own check accepted: a scheme
 * its kine does not know (pkg/endpoint: ParseStorageEndpoint, "storage backend is not
 * defined"), or a database name kine cannot create (checkDatabaseName). Undefined when K3s
 * can use it.
 */
export function k3sDatastoreProblem(ds: Datastore, version: KusciaVersion): string | undefined {
  const e = embeddedIn(version);
  if (!e.kineFacts.schemes.includes(ds.scheme)) {
    return (
      `uses the scheme "${ds.scheme}://", which Kuscia ${version.name}'s own check accepts but the K3s it embeds does not: ` +
      `K3s ${e.k3s} with kine ${e.kine} knows only ${e.kineFacts.schemes.map((s) => `${s}://`).join(", ")} and exits ("storage backend is not defined"); write ${ds.driver === "postgres" ? "postgres" : ds.driver}://`
    );
  }
  const why = checkDatabaseName(ds, version);
  if (why) return `database name ${JSON.stringify(ds.database)} ${why}; use a database named with letters, digits and '_' only (e.g. ${JSON.stringify(ds.database.replace(/[^0-9A-Za-z_]/g, "_").toLowerCase())})`;
  return undefined;
}

/**
 * Whether the embedded kine can create the database when it does not exist yet
 * (pkg/drivers/mysql and pkg/drivers/pgsql: createDBIfNotExist), and the servers' own limits
 * on database names. Returns why not, or undefined.
 */
export function checkDatabaseName(ds: Datastore, version: KusciaVersion): string | undefined {
  const e = embeddedIn(version);
  const who = `Kuscia ${version.name}'s K3s (${e.k3s}, kine ${e.kine})`;
  const db = ds.database;
  if (ds.driver === "mysql") {
    if (Buffer.byteLength(db, "utf8") > 64) return "is longer than 64 characters, the most MySQL allows for a database name";
    if (/[/\\.]/.test(db) || db.endsWith(" ")) return "contains '/', '\\' or '.', or ends with a space, which MySQL does not allow in a database name";
    if (e.kineFacts.mysqlCreateQuoted) {
      if (db.includes("`")) return `contains a backquote: ${who} creates a missing database with CREATE DATABASE IF NOT EXISTS \`name\`, which that breaks`;
      return undefined;
    }
    // MySQL's unquoted identifiers: letters, digits, $ and _ (and non-ASCII), not digits only.
    if (!/^[0-9A-Za-z$_\u0080-\uffff]+$/.test(db) || /^[0-9]+$/.test(db)) {
      return `is not a name MySQL reads unquoted: ${who} creates a missing database with CREATE DATABASE IF NOT EXISTS <name>, unquoted (quoting came with kine v0.13), so the first start fails unless the database exists`;
    }
    return undefined;
  }
  if (Buffer.byteLength(db, "utf8") > 63) return "is longer than 63 bytes, the most PostgreSQL keeps of a name";
  if (e.kineFacts.postgresCreateQuoted) {
    if (db.includes('"')) return `contains a double quote: ${who} creates a missing database with CREATE DATABASE "name", which that breaks`;
    return undefined;
  }
  if (!/^[a-z_][a-z0-9_$]*$/.test(db)) {
    return `is not a lower-case name PostgreSQL reads unquoted: ${who} creates a missing database with CREATE DATABASE <name>, unquoted (PostgreSQL folds it to lower case, then kine connects with the name as written; quoting and lower-casing came with kine v0.14), so the first start fails unless the database exists`;
  }
  return undefined;
}
