/**
 * The Kuscia datastore endpoint: a Go MySQL DSN behind `mysql://`, e.g.
 * mysql://user:password@tcp(host:3306)/database?charset=utf8mb4.
 * Only the parts Kuscia cares about are parsed; the password is never returned.
 */
import { redactValue } from "../redact";

export interface Dsn {
  scheme: string;
  user?: string;
  hasPassword: boolean;
  address?: string;
  database: string;
}

export type DsnResult = { dsn: Dsn } | { error: string };

// Like the Go driver, the password runs to the last '@' before the address.
const MYSQL = /^mysql:\/\/(?:([^:@/]*)(?::(.*))?@)?(?:([a-z]+)(?:\(([^)]*)\))?)?\/([^?]*)(?:\?(.*))?$/s;

export function parseMysqlDsn(value: string): DsnResult {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  if (!scheme) return { error: "is not a DSN: expected mysql://user:password@tcp(host:3306)/database" };
  if (scheme.toLowerCase() !== "mysql") {
    return { error: `uses scheme "${scheme}": Kuscia's datastore is MySQL, expected mysql://user:password@tcp(host:3306)/database` };
  }
  const m = MYSQL.exec(value);
  if (!m) return { error: "is not a valid MySQL DSN: expected mysql://user:password@tcp(host:3306)/database" };
  const [, user, password, , address, database] = m;
  if (!database) return { error: "names no database: expected mysql://user:password@tcp(host:3306)/database" };
  return { dsn: { scheme: "mysql", user: user || undefined, hasPassword: password !== undefined && password !== "", address, database } };
}

/**
 * The DSN with its password masked, safe for a message or a log: every DSN form of
 * policy/redact.ts (with or without scheme, passwords holding '@').
 */
export function redactDsn(value: string): string {
  return redactValue(value);
}
