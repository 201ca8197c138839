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

/**
 * A parser's error detail about `value` (a URL or DSN), or a placeholder where the detail holds
 * four or more consecutive characters of its password: a password holding '/', '?', '#' or '@'
 * makes a Go parser cut the value elsewhere and quote the pieces (a port, a network name, an
 * address), and no pattern can tell such a piece from the part it was taken for. The password
 * is what follows the first ':' of everything before the last '@' (after any `scheme://`).
 * Linear in the lengths of both.
 */
export function detailWithoutPassword(detail: string, value: string): string {
  const start = value.indexOf("://") >= 0 ? value.indexOf("://") + 3 : 0;
  const at = value.lastIndexOf("@");
  if (at <= start) return detail;
  const userinfo = value.slice(start, at);
  const colon = userinfo.indexOf(":");
  const password = colon >= 0 ? userinfo.slice(colon + 1) : userinfo;
  const N = 4;
  if (password.length < N) return detail;
  const grams = new Set<string>();
  for (let i = 0; i + N <= password.length; i++) grams.add(password.slice(i, i + N));
  for (let i = 0; i + N <= detail.length; i++) if (grams.has(detail.slice(i, i + N))) return "details withheld: they quote part of the password";
  return detail;
}

