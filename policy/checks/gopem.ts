/**
 * Base64 and PEM exactly as Go reads them, for the values Kuscia decodes with Go's standard
 * library: `base64.StdEncoding.DecodeString` (domainKeyData, Domain spec.cert, ...;
 * pkg/utils/tls/crypt.go: ParseEncodedKey, VerifyEncodeCert) and `pem.Decode`
 * (ParseRSAPrivateKeyData, and every certificate reader). Node's own decoders are more
 * lenient (Buffer.from(s, "base64") skips any character it does not know; OpenSSL's PEM
 * reader takes whatever precedes the BEGIN line), so a value they read may still make
 * Kuscia exit. Ported from Go 1.26 encoding/base64 and encoding/pem. Pure.
 */

/**
 * base64.StdEncoding.DecodeString: the standard alphabet with `=` padding, required; `\r`
 * and `\n` are skipped wherever they are (and only they: a space or tab is an error);
 * nothing but newlines after the padding. Non-zero trailing bits are accepted (StdEncoding
 * is not Strict). Returns the bytes, or that Go refuses the text.
 */
export function goStdBase64Decode(s: string): { bytes: Buffer } | { error: true } {
  const data = s.replace(/[\r\n]/g, "");
  if (!STD_BASE64.test(data)) return { error: true };
  return { bytes: Buffer.from(data, "base64") };
}

/** What base64.StdEncoding decodes once `\r` and `\n` are gone: whole quanta, `=` only to pad the last one. */
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** One PEM block as Go's pem.Decode returns it. */
export interface GoPemBlock {
  type: string;
  headers: Record<string, string>;
  bytes: Buffer;
}

const PEM_START = "\n-----BEGIN ";
const PEM_END = "\n-----END ";
const PEM_END_OF_LINE = "-----";

/** Go's getLine: the line without its "\n" (and a "\r" before it), right-trimmed of spaces and tabs; the rest; bytes consumed. */
function getLine(data: string): [string, string, number] {
  let i = data.indexOf("\n");
  let j: number;
  if (i < 0) {
    i = data.length;
    j = i;
  } else {
    j = i + 1;
    if (i > 0 && data[i - 1] === "\r") i--;
  }
  return [data.slice(0, i).replace(/[ \t]+$/, ""), data.slice(j), j];
}

/**
 * pem.Decode (Go 1.26): the first well-formed block of `data`, skipping text before it and
 * malformed blocks; undefined when there is none. `data` is handled as bytes (latin1).
 */
export function goPemDecode(data: Buffer): GoPemBlock | undefined {
  const text = data.toString("latin1");
  let rest = text;
  let endTrailerIndex = 0;
  for (;;) {
    if (endTrailerIndex < 0 || endTrailerIndex > rest.length) return undefined;
    rest = rest.slice(endTrailerIndex);
    let endIndex = rest.indexOf(PEM_END);
    if (endIndex < 0) return undefined;
    endTrailerIndex = endIndex + PEM_END.length;
    const beginIndex = rest.slice(0, endIndex).lastIndexOf(PEM_START.slice(1));
    if (beginIndex < 0 || (beginIndex > 0 && rest[beginIndex - 1] !== "\n")) continue;
    rest = rest.slice(beginIndex + PEM_START.length - 1);
    endIndex -= beginIndex + PEM_START.length - 1;
    endTrailerIndex -= beginIndex + PEM_START.length - 1;

    let [typeLine, after, consumed] = getLine(rest);
    rest = after;
    endIndex -= consumed;
    endTrailerIndex -= consumed;
    if (!typeLine.endsWith(PEM_END_OF_LINE)) continue;
    typeLine = typeLine.slice(0, typeLine.length - PEM_END_OF_LINE.length);

    const headers: Record<string, string> = {};
    let truncated = false;
    for (;;) {
      if (rest.length === 0) {
        truncated = true;
        break;
      }
      const [line, next, used] = getLine(rest);
      const colon = line.indexOf(":");
      if (colon < 0) break;
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      rest = next;
      endIndex -= used;
      endTrailerIndex -= used;
    }
    if (truncated) return undefined;
    if (Object.keys(headers).length > 0 && endIndex < 0) continue;

    let endTrailer = rest.slice(endTrailerIndex);
    const endTrailerLen = typeLine.length + PEM_END_OF_LINE.length;
    if (endTrailer.length < endTrailerLen) continue;
    const restOfEndLine = endTrailer.slice(endTrailerLen);
    endTrailer = endTrailer.slice(0, endTrailerLen);
    if (!endTrailer.startsWith(typeLine) || !endTrailer.endsWith(PEM_END_OF_LINE)) continue;
    if (getLine(restOfEndLine)[0].length !== 0) continue;

    let bytes: Buffer = Buffer.alloc(0);
    if (endIndex > 0) {
      const decoded = goStdBase64Decode(rest.slice(0, endIndex).replace(/[ \t]/g, ""));
      if ("error" in decoded) continue;
      bytes = decoded.bytes;
    }
    return { type: typeLine, headers, bytes };
  }
}
