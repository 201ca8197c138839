/**
 * One redaction for every message and log line that might carry a secret. It masks the
 * secret and nothing else: the password of a DSN, a token, key material, the credential of
 * a pre-signed URL. The rule book's own words (`spec.data.password: looks like ...`,
 * `Token: needs tokenConfig`, an example DSN such as `mysql://user:password@tcp(host:3306)/db`)
 * come through untouched, because a message is read as what it is: prose, with user values
 * JSON-quoted inside (checks/values.ts `show`).
 *
 * - Prose (outside quotes) is read token by token (no white space in a URL or a DSN): a
 *   URL's `user:password@`, a Go DSN's `user:password@tcp(...)/`, `password=value`, a
 *   signed URL's query credentials, `Bearer <token>`, a JWT.
 * - A quoted value is decoded and read as user data: all of the above, plus key/value text
 *   inside it (`password: x` on a line of YAML, `password = x` in a libpq conninfo), and a
 *   whole value that is a DSN (its password may then hold spaces). A quoted value right after
 *   a secret's key (`"password": "..."`, `token: "..."`) is masked whole.
 * - PEM private keys, whole or cut short, anywhere.
 *
 * DSN forms (Kuscia's datastore, the Go MySQL driver, lib/pq, kine):
 *   mysql://user:pass@tcp(host:3306)/db      user:pass@tcp(host:3306)/db
 *   user:pass@unix(/run/mysqld.sock)/db      user:pass@/db        user:pass@host:3306/db
 *   postgres://user:pass@host/db             host=h user=u password=secret dbname=d
 *   any scheme://user:pass@host (etcd, nats, http endpoints of kine)
 * Like the Go driver, a password runs to the LAST `@` before the address, so passwords
 * holding `@ : / ? #` are masked whole. Placeholders (`password`, `<password>`, `${DB_PASS}`,
 * `{{.Password}}`, `***`) are not secrets and stay, so a hint keeps its example.
 *
 * Cost: linear in the text (a split into quoted values and tokens, then patterns anchored on
 * literals within each); a text over 64 KiB is cut first, at a token boundary, so a cut never
 * leaves a secret's head without the `@` or key that marks it.
 */

export const MASK = "***";
const MAX_TEXT = 64 * 1024;

/** Query parameters of signed URLs that are credentials (S3/OSS/GCS V2 and V4 signatures, Azure SAS, OAuth tokens, API keys). */
export const QUERY_CREDENTIALS = [
  "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "awsaccesskeyid",
  "x-goog-signature", "x-goog-credential", "googleaccessid",
  "x-oss-signature", "x-oss-credential", "x-oss-security-token", "ossaccesskeyid", "security-token",
  "sig", "token", "access_token", "id_token", "refresh_token", "api_key", "apikey", "api-key", "key",
  "client_secret", "password", "passwd", "pwd", "secret",
] as const;
const QUERY_NAMES = [...QUERY_CREDENTIALS].sort((a, b) => b.length - a.length).map((n) => n.replace(/[-]/g, "\\-")).join("|");
const QUERY = new RegExp(`([?&;](?:${QUERY_NAMES})=)([^&#\\s"'\\\\]*)`, "gi");

/** Keys whose value is a secret (`password`, `dbPassword`, `access_token`...), in key/value text inside a user value and before a quoted value. */
export const SECRET_KEY_WORDS = "password|passwd|pwd|secret|token|api[_-]?key|secret[_-]?key|access[_-]?key[_-]?secret|private[_-]?key";
const SECRET_KEYS = `[A-Za-z0-9_-]{0,40}(?:${SECRET_KEY_WORDS})`; // bounded: an unbounded prefix would make a long run of name characters quadratic
/** In prose only the password keys, and only as `key=value` (the conninfo and flag forms). */
const PROSE_KEY_VALUE = /(^|[^A-Za-z0-9_.?&;])((?:password|passwd|pwd)=)('(?:[^'\\\n]|\\.)*'|\S+)/gi;
/** Inside a user value: `key: value` to the end of the line (YAML), `key = value` to white space (conninfo, flags); `?key=` and `&key=` are QUERY's. */
const VALUE_KEY_COLON = new RegExp(`(^|[\\s{,;"'])((?:${SECRET_KEYS})["']?[ \\t]*:[ \\t]*)("(?:[^"\\\\\\n]|\\\\.)*"|'(?:[^'\\\\\\n]|\\\\.)*'|[^\\n]*)`, "gim");
/** A quoted key of a secret (`"password"` in JSON): the quoted value after its `:` is masked whole. */
const QUOTED_SECRET_KEY = new RegExp(`^"(?:${SECRET_KEYS})"$`, "i");
const VALUE_KEY_EQUALS = new RegExp(`(^|[^A-Za-z0-9_.?&;])((?:${SECRET_KEYS})[ \\t]*=[ \\t]*)('(?:[^'\\\\]|\\\\.)*'|\\S+)`, "gi");
/** Prose ending in a secret's key and `:` or `=`: the quoted value that follows is masked whole. */
const KEY_BEFORE_QUOTE = new RegExp(`(?:^|[^A-Za-z0-9_])(?:${SECRET_KEYS})["']?\\s*[:=]\\s*$`, "i");
// A PEM private key, whole, or cut short (no END line): up to the END line, the end of a quoted value, or the end of the text.
const PEM_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?! \[private key redacted\])(?:[^"-]|-(?!----END))*(?:-----END \1PRIVATE KEY-----)?/g;
const BEARER = /\b(bearer)(\s+)([A-Za-z0-9._~+/-]+=*)/gi;
// An Authorization header's credential, whatever its shape (Bearer, Basic, a bare token).
const AUTH_HEADER = /\b(authorization["']?\s*[:=]\s*(?:(?:bearer|basic|token)\s+)?)([^\s"',;]+)/gi;
// Three base64url segments starting with a JSON header: a JWT wherever it appears.
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// A whole value `scheme://user:password@rest`: the password runs to the last '@' (one anchored match: linear).
const WHOLE_URL = /^([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]*):(.*)@([^@\s]*)$/is;
// What follows a Go DSN's last '@': net(addr)/, a bare /, or a (mistaken) host[:port]/.
const GO_ADDRESS = /^(?:[A-Za-z0-9]+\([^()]*\)|[A-Za-z0-9.-]+(?::[0-9]+)?)?\//;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const JSON_STRING = /"(?:[^"\\\n]|\\.)*"/g;

/** Not a secret: a placeholder of documentation or templates, already masked, or nothing at all. */
export function isPlaceholder(v: string): boolean {
  return (
    v === "" ||
    /^(?:\*+|<[^<>]*>|\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|x{3,}|X{3,})$/.test(v) ||
    /^(?:password|passwd)$/i.test(v)
  );
}

/**
 * Returns `text` with every secret it recognises replaced by `***` (PEM keys by a
 * `[private key redacted]` marker). Pure, linear in the text, idempotent. Never throws.
 */
export function redactSecrets(text: string): string {
  if (typeof text !== "string" || text === "") return text;
  const out = redactPem(cut(text));
  // Prose and JSON-quoted user values, alternately.
  let result = "";
  let last = 0;
  let prevKey = false;
  for (const m of out.matchAll(JSON_STRING)) {
    const prose = out.slice(last, m.index);
    result += redactProse(prose);
    const afterKey = KEY_BEFORE_QUOTE.test(prose) || (prevKey && /^[ \t]*[:=][ \t]*$/.test(prose));
    result += redactQuoted(m[0], afterKey);
    prevKey = QUOTED_SECRET_KEY.test(m[0]);
    last = (m.index ?? 0) + m[0].length;
  }
  return result + redactProse(out.slice(last));
}

/**
 * A user value (not a message) with its secrets masked: what `show` quotes, and what a
 * datastore DSN becomes in a log. Pure, linear, idempotent. Never throws.
 */
export function redactValue(value: string): string {
  if (typeof value !== "string" || value === "") return value;
  let v = redactPem(cut(value));
  // A whole value that is a DSN: its password may hold white space.
  const t = v.trim();
  const whole = SCHEME.test(t) ? wholeUrl(t) : goDsn(t, true);
  if (whole !== undefined) v = v.replace(t, () => whole);
  v = v.replace(VALUE_KEY_COLON, (m, lead: string, key: string, val: string) => {
    const quoted = /^["']/.test(val);
    const shown = quoted ? val : val.replace(/\s+#.*$/, "").trimEnd();
    const bare = quoted ? val.slice(1, -1) : shown;
    return isPlaceholder(bare) ? m : `${lead}${key}${quoted ? `${val[0]}${MASK}${val[0]}` : MASK}${val.slice(shown.length)}`;
  });
  v = v.replace(VALUE_KEY_EQUALS, (m, lead: string, key: string, val: string) => (isPlaceholder(val.replace(/^'(.*)'$/, "$1")) ? m : `${lead}${key}${val.startsWith("'") ? `'${MASK}'` : MASK}`));
  return redactTokens(v);
}

function cut(text: string): string {
  if (text.length <= MAX_TEXT) return text;
  const head = text.slice(0, MAX_TEXT);
  const ws = head.search(/\s\S*$/);
  return (ws > 0 ? head.slice(0, ws) : "") + " ...(truncated)";
}

function redactPem(text: string): string {
  return text.includes("PRIVATE KEY") ? text.replace(PEM_KEY, (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY----- [private key redacted]`) : text;
}

/** The rule book's prose: only what is shaped like a secret, token by token. */
function redactProse(prose: string): string {
  if (prose === "") return prose;
  return redactTokens(prose.replace(PROSE_KEY_VALUE, (m, lead: string, key: string, val: string) => (isPlaceholder(val.replace(/^'(.*)'$/, "$1")) ? m : `${lead}${key}${val.startsWith("'") ? `'${MASK}'` : MASK}`)));
}

/** A JSON-quoted value of a message, decoded, read as user data, re-quoted if anything changed. */
function redactQuoted(quoted: string, afterSecretKey: boolean): string {
  let value: string;
  try {
    value = JSON.parse(quoted) as string;
  } catch {
    // A value cut inside an escape: read the raw text between the quotes.
    const inner = redactValue(quoted.slice(1, -1));
    return afterSecretKey && !isPlaceholder(quoted.slice(1, -1)) ? `"${MASK}"` : `"${inner}"`;
  }
  if (afterSecretKey) return isPlaceholder(value.replace(/\.\.\.$/, "")) ? quoted : `"${MASK}"`;
  const red = redactValue(value);
  return red === value ? quoted : JSON.stringify(red);
}

/** Bearer tokens, then each white-space-free token: URL passwords, Go DSN passwords, query credentials, JWTs. */
function redactTokens(text: string): string {
  let out = text.replace(AUTH_HEADER, (m, head: string, cred: string) => (isPlaceholder(cred) ? m : `${head}${MASK}`));
  out = out.replace(BEARER, (m, scheme: string, sp: string, tok: string) => (tokenLike(tok) ? `${scheme}${sp}${MASK}` : m));
  out = out.replace(/\S+/g, (tok) => {
    let t = tok;
    if (t.includes("@")) t = (t.includes("://") ? urlUserinfo(t) : undefined) ?? goDsn(t, false) ?? t;
    if (t.includes("=")) t = t.replace(QUERY, (m, key: string, val: string) => (isPlaceholder(val) ? m : `${key}${MASK}`));
    if (t.includes("eyJ")) t = t.replace(JWT, MASK);
    return t;
  });
  return out;
}

/** A bearer credential, not a word of prose ("the bearer of this token"). */
function tokenLike(tok: string): boolean {
  const t = tok.replace(/[.,;:)]+$/, "");
  return t === MASK ? false : (t.length >= 8 && /[0-9._~+/=]/.test(t)) || t.length >= 32;
}

/**
 * `scheme://user:password@host...` in `tok` (no white space) with its password masked:
 * the password runs to the token's last '@', as the Go driver reads it.
 * Undefined when there is nothing to mask.
 */
function urlUserinfo(tok: string): string | undefined {
  let changed = false;
  const out = tok.replace(/([a-z][a-z0-9+.-]*:\/\/)(\S*)/i, (m, scheme: string, rest: string) => {
    const at = rest.lastIndexOf("@");
    const colon = rest.indexOf(":");
    if (at < 0 || colon < 0 || colon > at) return m;
    const user = rest.slice(0, colon);
    const pass = rest.slice(colon + 1, at);
    if (/[/@]/.test(user) || isPlaceholder(pass)) return m;
    changed = true;
    return `${scheme}${user}:${MASK}${rest.slice(at)}`;
  });
  return changed ? out : undefined;
}

function wholeUrl(t: string): string | undefined {
  const m = WHOLE_URL.exec(t);
  if (!m || isPlaceholder(m[3])) return urlUserinfo(t);
  return `${m[1]}${m[2]}:${MASK}@${m[4]}`;
}

/**
 * A Go MySQL DSN without scheme in `tok` (`user:password@tcp(h:3306)/db`, `user:password@/db`,
 * `user:password@host:3306/db`), its password masked. The DSN starts after the last `=`, `(`,
 * `,` or quote before its user's ':'; `whole`: `tok` is a whole value, so the password may hold
 * white space. Undefined when `tok` holds no such DSN.
 */
function goDsn(tok: string, whole: boolean): string | undefined {
  if (!tok.includes("@")) return undefined;
  // The last '@' that the Go driver's address follows.
  let at = tok.lastIndexOf("@");
  while (at > 0 && !GO_ADDRESS.test(tok.slice(at + 1))) at = tok.lastIndexOf("@", at - 1);
  if (at <= 0) return undefined;
  const head = tok.slice(0, at);
  const start = whole ? 0 : Math.max(...["=", "(", ",", "'", '"'].map((d) => head.slice(0, Math.max(0, head.indexOf(":"))).lastIndexOf(d))) + 1;
  const colon = head.indexOf(":", start);
  if (colon <= start) return undefined;
  const user = head.slice(start, colon);
  const pass = head.slice(colon + 1);
  if (/[\s/@]/.test(user) || (!whole && /\s/.test(pass)) || isPlaceholder(pass) || pass.startsWith("//")) return undefined;
  return `${tok.slice(0, colon + 1)}${MASK}${tok.slice(at)}`;
}

/**
 * A copy of a log record (a plain object, array, string or Error, nested at most `depth`
 * levels) with redactSecrets applied to every string in it, keys excepted; deeper values
 * become "[nested]". Linear in the record's size. Never throws. For log lines, which carry
 * values a caller chose (an object's name, a request's uid) beside messages.
 */
export function redactRecord(value: unknown, depth = 8): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (value === null || typeof value !== "object") return value;
  if (depth <= 0) return "[nested]";
  if (value instanceof Error) {
    const e = new Error(redactSecrets(value.message));
    e.name = value.name;
    e.stack = value.stack === undefined ? undefined : redactSecrets(value.stack);
    return e;
  }
  if (Array.isArray(value)) return value.map((v) => redactRecord(v, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactRecord(v, depth - 1);
  return out;
}
