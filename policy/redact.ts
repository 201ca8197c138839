/**
 * One redaction for every message and log line that might carry a secret: datastore
 * DSNs, PEM private keys, bearer tokens and JWTs, and `password=` style settings.
 * It errs towards masking too much: a masked host name costs a reader a moment, a
 * leaked password costs a rotation.
 *
 * DSN forms covered (what Kuscia's datastore, the Go MySQL driver, lib/pq and kine take):
 *   mysql://user:pass@tcp(host:3306)/db      user:pass@tcp(host:3306)/db
 *   user:pass@unix(/run/mysqld.sock)/db      user:pass@/db
 *   postgres://user:pass@host/db             postgresql://user:pass@host:5432/db?sslmode=disable
 *   host=h user=u password=secret dbname=d   (and password='quoted secret')
 *   any scheme://user:pass@host (etcd, nats, http endpoints of kine)
 * Like the Go driver, a password runs to the LAST `@` before the address, so passwords
 * holding `@ : / ? #` are masked whole.
 */

export const MASK = "***";
// Placeholders of documentation and hints ("expected mysql://user:password@tcp(host:3306)/db"): masking them hides the fix and protects nothing.
const PLACEHOLDERS = new Set(["password", "<password>", "PASSWORD", MASK]);
const MAX_TEXT = 64 * 1024;

// scheme://user:  then the password runs to the last '@' (greedy, see above) before a closing
// quote or line end: messages quote values as JSON strings, and a hint after the quote may hold
// an example DSN whose '@' must not pull the real host into the mask.
// A URL holds no unescaped white space, so neither does its password.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^:@/\s"'\\]*):((?:[^"\\\s]|\\.)*)@/gi;
// user:password@ followed by anything: the Go driver's proto(addr)/, a bare /, or a mistaken host:port.
// The user is not empty: `"postgres": ... user:pass@tcp(` must not read the closing quote as the DSN's start.
// The password does not start with a space: "field: a@b.c" in prose is not a DSN.
const GO_DSN = /(^|[\s"'=(,])([^\s"':@/\\]+):((?:[^"\\\s]|\\.)(?:[^"\\\n]|\\.)*)@(?=[^\s"'@]+)/gi;
// password=..., passwd=..., "password": "..." (key=value conninfo, query strings, JSON, YAML).
// Not `token:`/`secret:`: rule messages say "Token: needs tokenConfig"; tokens are caught as
// Bearer values and JWTs instead.
const KEY_VALUE = /(["']?\b(?:password|passwd|pwd)\b["']?\s*[:=]\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\\"(?:[^"\\]|\\.)*?\\"|[^\s&;,]+)/gi;
// A PEM private key, whole, or cut short (no END line) up to the end of the text.
const PEM_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
const BEARER = /\b(bearer)(\s+)[A-Za-z0-9._~+/=-]+/gi;
// Three base64url segments starting with a JSON header: a JWT wherever it appears.
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/**
 * Returns `text` with every secret it recognises replaced by `***` (PEM keys by a
 * `[private key redacted]` marker). Pure; linear-ish in the text (each pattern is
 * anchored on a literal: `://`, `@`, `=`, `-----BEGIN`, `bearer`, `eyJ`). Never throws.
 */
export function redactSecrets(text: string): string {
  if (typeof text !== "string" || text === "") return text;
  // The DSN patterns backtrack over the text after a match start; a message is short, and
  // one that is not is cut so the cost stays bounded (cut first: a cut after could expose).
  let out = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) + " ...(truncated)" : text;
  if (out.includes("PRIVATE KEY")) out = out.replace(PEM_KEY, (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY----- [private key redacted]`);
  if (out.includes("@")) {
    if (out.includes("://")) out = out.replace(URL_USERINFO, (m, scheme: string, user: string, pass: string) => (PLACEHOLDERS.has(pass) ? m : `${scheme}${user}:${MASK}@`));
    out = out.replace(GO_DSN, (m, lead: string, user: string, pass: string) => (PLACEHOLDERS.has(pass) || pass.startsWith("//") ? m : `${lead}${user}:${MASK}@`));
  }
  if (/=|:/.test(out)) out = out.replace(KEY_VALUE, (_m, key: string) => `${key}${MASK}`);
  out = out.replace(BEARER, (_m, scheme: string, sp: string) => `${scheme}${sp}${MASK}`);
  out = out.replace(JWT, MASK);
  return out;
}
