/**
 * A lite node's masterEndpoint as Kuscia's gateway reads it (pkg/gateway/commands/root.go:
 * Run): utils.ProbePeerEndpoint sends it a GET with Go's http.Client (url.Parse, then the
 * transport's checks of scheme, host and address before it dials), and ConnectToMaster ->
 * config.LoadMasterProxyConfig -> utils.ParseURL splits it by hand
 * (pkg/gateway/utils/http.go: ParseURL: an exact "http://" or "https://" prefix, then
 * host[:port] whose port must be a number when there is exactly one ':'). Ported from that
 * code and Go 1.26's net/http and net/url. Pure.
 */
import { goDialCheck, goJoinHostPort, goUrlParse } from "./godsn";

/** Why the gateway refuses `endpoint`, or undefined when it would send its probe. */
export function masterEndpointProblem(endpoint: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(endpoint)) return "has no scheme: write http:// or https:// before the host (Go's http.Client sends nothing else)";
  const u = goUrlParse(endpoint);
  if ("error" in u) return `is not a URL Go parses (${u.error})`;
  if (u.scheme !== "http" && u.scheme !== "https") return `uses ${u.scheme ? `scheme "${u.scheme}"` : "no scheme"}: Go's http.Client sends only http:// and https://`;
  if (u.host === "") return "names no host";
  // net/http canonicalAddr: the host with the URL's port or the scheme's.
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(u.host);
  const hostname = m ? m[1].replace(/^\[|\]$/g, "") : u.host;
  const port = m?.[2] ? m[2] : u.scheme === "https" ? "443" : "80";
  if (/[^\x00-\x7f]/.test(hostname)) return "has a non-ASCII host name: write it in its IDNA form (xn--...)";
  const dial = goDialCheck("tcp", goJoinHostPort(hostname, port));
  if (dial) return `names an address Go cannot dial (${dial})`;
  // utils.ParseURL, on the text as written.
  const prefix = endpoint.startsWith("http://") ? 7 : endpoint.startsWith("https://") ? 8 : 0;
  if (prefix === 0) return "must start with http:// or https:// in lower case: Kuscia's gateway (utils.ParseURL) compares the prefix as written";
  const hostPort = endpoint.slice(prefix).split("/")[0];
  const fields = hostPort.split(":");
  if (fields.length === 2 && !/^[+-]?[0-9]{1,18}$/.test(fields[1])) {
    return "has a host part the gateway cannot split into host and port (utils.ParseURL reads what follows the only ':' as the port; a user:password@ in the URL breaks it)";
  }
  return undefined;
}
