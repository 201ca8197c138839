/**
 * The Kuscia datastore endpoint (kuscia.yaml `datastoreEndpoint`), checked the way the target
 * release checks it (pkg/utils/datastore/datastore_endpoint_check.go: CheckDatastoreEndpoint):
 * the text before `://` picks the driver, and the rest must parse as that driver's DSN.
 *
 * - mysql://  every release: the rest is a go-sql-driver/mysql DSN, user:password@tcp(host:3306)/db.
 * - postgres:// and postgresql://  from v1.0: the whole value is a lib/pq URL.
 *   v0.15 recognised only `postgresql://` but stripped the scheme before pq.ParseURL and opened
 *   the driver "postgresql", which lib/pq does not register, so no PostgreSQL endpoint worked.
 * Only the parts Kuscia cares about are parsed; the password is never returned.
 */
import type { KusciaVersion } from "../config/version";

export interface Datastore {
  driver: "mysql" | "postgres";
  database: string;
}

export type DatastoreResult = { datastore: Datastore } | { error: string };

const MYSQL_EXAMPLE = "mysql://user:password@tcp(host:3306)/database";
const PG_EXAMPLE = "postgres://user:password@host:5432/database";

/** Parses `value` as the target release would; an error explains what that release accepts. */
export function parseDatastoreEndpoint(value: string, version: KusciaVersion): DatastoreResult {
  const sep = value.indexOf("://");
  const examples = version.atLeast("v1.0") ? `${MYSQL_EXAMPLE} or ${PG_EXAMPLE}` : MYSQL_EXAMPLE;
  if (sep < 0) return { error: `is not a datastore endpoint: expected ${examples}` };
  const driver = value.slice(0, sep);
  const rest = value.slice(sep + 3);
  if (driver === "mysql") return mysql(rest);
  if (driver === "postgres" || driver === "postgresql") {
    if (!version.atLeast("v1.0")) {
      return {
        error: `uses driver "${driver}": Kuscia ${version.name} supports only MySQL (PostgreSQL endpoints work from Kuscia v1.0; v0.15's PostgreSQL check could never succeed); expected ${MYSQL_EXAMPLE}`,
      };
    }
    return postgres(value);
  }
  return { error: `uses driver "${driver}", which Kuscia ${version.name} does not support (the driver name is case-sensitive); expected ${examples}` };
}

/** go-sql-driver/mysql ParseDSN: [user[:password]@][net[(addr)]]/dbname[?params]; the last '/' separates the database. */
function mysql(dsn: string): DatastoreResult {
  const slash = dsn.lastIndexOf("/");
  if (slash < 0) return { error: `is not a valid MySQL DSN (missing the slash separating the database name): expected ${MYSQL_EXAMPLE}` };
  const before = dsn.slice(0, slash);
  const after = dsn.slice(slash + 1);
  const at = before.lastIndexOf("@");
  const netAddr = at >= 0 ? before.slice(at + 1) : before;
  if (netAddr !== "" && !/^[a-z0-9]+(\([^()]*\))?$/i.test(netAddr)) {
    return { error: `is not a valid MySQL DSN (the address must be written net(host:port), e.g. tcp(host:3306)): expected ${MYSQL_EXAMPLE}` };
  }
  const q = after.indexOf("?");
  const database = q >= 0 ? after.slice(0, q) : after;
  if (q >= 0 && !/^([^=&]+=[^&]*)(&[^=&]+=[^&]*)*$/.test(after.slice(q + 1))) {
    return { error: `is not a valid MySQL DSN (parameters must be key=value pairs joined by &): expected ${MYSQL_EXAMPLE}?charset=utf8mb4` };
  }
  return { datastore: { driver: "mysql", database: safeDecode(database) } };
}

/** lib/pq ParseURL: a URL whose scheme is postgres or postgresql; the path is the database. */
function postgres(value: string): DatastoreResult {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return { error: `is not a valid PostgreSQL URL: expected ${PG_EXAMPLE}` };
  }
  if (!u.hostname) return { error: `names no host: expected ${PG_EXAMPLE}` };
  return { datastore: { driver: "postgres", database: safeDecode(u.pathname.replace(/^\//, "")) } };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
