/**
 * Who may ask for a review. The API server can present a client certificate
 * or a bearer token (AdmissionConfiguration kubeConfigFile); when either check
 * is configured, a request must pass one of them. Failures are answered 401
 * before the body is read.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey, type JSONWebKeySet } from "jose";
import { watchFiles, type FileWatch } from "./tls";

export interface AuthOptions {
  /** Client certificates are verified by TLS against this CA (the server sets requestCert). */
  clientCertificates?: boolean;
  /** JWKS file path or https URL that signs bearer tokens. */
  jwks?: string;
  /** Required `aud` of bearer tokens (mandatory with jwks). */
  audience?: string;
  /** Required `iss` of bearer tokens. */
  issuer?: string;
  /** How long a fetch of a JWKS URL may take, in ms (default 3000: a review waits for it). */
  jwksTimeoutMs?: number;
}

export type AuthResult = { ok: true; method: "none" | "client-certificate" | "bearer"; subject?: string } | { ok: false; reason: string };

export interface Authenticator {
  /** Configured methods; empty means callers are not authenticated. */
  readonly methods: string[];
  authenticate(req: IncomingMessage): Promise<AuthResult>;
  close(): void;
}

// Asymmetric algorithms only: a JWKS that carried a shared secret would let anyone who reads it mint tokens.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];
const MAX_TOKEN = 8192;
const CLOCK_TOLERANCE_S = 30;

function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

function loopback(u: URL): boolean {
  return u.hostname === "localhost" || u.hostname === "127.0.0.1" || u.hostname === "[::1]";
}

function loadJwksFile(path: string): JWTVerifyGetKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`--jwks ${path}: not a readable JSON file (${(e as Error).message})`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`--jwks ${path}: expected a JWK Set {"keys": [...]} with at least one key`);
  if (keys.some((k) => (k as { kty?: unknown }).kty === "oct" || (k as { d?: unknown }).d !== undefined)) {
    throw new Error(`--jwks ${path}: holds secret or private key material; give only public keys`);
  }
  return createLocalJWKSet(parsed as JSONWebKeySet);
}

export interface AuthLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function createAuthenticator(opts: AuthOptions, log: AuthLogger): Authenticator {
  const methods: string[] = [];
  if (opts.clientCertificates) methods.push("client-certificate");
  let keySet: JWTVerifyGetKey | undefined;
  let jwksWatch: FileWatch | undefined;
  if (opts.jwks) {
    if (!opts.audience) throw new Error("--jwks needs --audience: a token minted for another service must not be accepted here");
    if (isUrl(opts.jwks)) {
      const url = new URL(opts.jwks);
      if (url.protocol !== "https:" && !loopback(url)) throw new Error("--jwks URL must be https (plain http only on loopback)");
      keySet = createRemoteJWKSet(url, { timeoutDuration: opts.jwksTimeoutMs ?? 3000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    } else {
      const path = opts.jwks;
      keySet = loadJwksFile(path);
      jwksWatch = watchFiles([path], () => {
        try {
          keySet = loadJwksFile(path);
          log.info({ jwks: path }, "reloaded JWKS");
        } catch (e) {
          log.error({ jwks: path, err: (e as Error).message }, "kept the previous JWKS: the new file is not usable");
        }
      });
    }
    methods.push("bearer");
  }

  async function bearer(req: IncomingMessage): Promise<AuthResult | undefined> {
    const h = req.headers.authorization;
    if (!keySet || !h) return undefined;
    // RFC 7235 section 2.1: the auth-scheme is case-insensitive ("bearer" is Bearer).
    const m = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(h);
    if (!m || m[1].length > MAX_TOKEN) return { ok: false, reason: "malformed Authorization header" };
    try {
      const { payload } = await jwtVerify(m[1], keySet, {
        audience: opts.audience,
        ...(opts.issuer ? { issuer: opts.issuer } : {}),
        algorithms: ALGORITHMS,
        requiredClaims: ["exp"],
        clockTolerance: CLOCK_TOLERANCE_S,
      });
      return { ok: true, method: "bearer", subject: typeof payload.sub === "string" ? payload.sub.slice(0, 256) : undefined };
    } catch (e) {
      // jose's codes (ERR_JWT_EXPIRED, ERR_JWT_CLAIM_VALIDATION_FAILED, ...) say why without quoting the token.
      const err = e as { code?: string; claim?: string };
      return { ok: false, reason: `bearer token refused (${err.code ?? "invalid"}${err.claim ? `: ${err.claim}` : ""})` };
    }
  }

  return {
    methods,
    async authenticate(req) {
      if (methods.length === 0) return { ok: true, method: "none" };
      const socket = req.socket as TLSSocket;
      if (opts.clientCertificates && socket.authorized) {
        const cn = socket.getPeerCertificate()?.subject?.CN;
        return { ok: true, method: "client-certificate", subject: Array.isArray(cn) ? cn[0] : cn };
      }
      const b = await bearer(req);
      if (b) return b;
      if (opts.clientCertificates && socket.authorizationError) {
        // Without a peer certificate OpenSSL still reports a verification code
        // (UNABLE_TO_GET_ISSUER_CERT), which reads as if a certificate had been sent.
        const presented = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
        if (!presented) return { ok: false, reason: `no client certificate presented: expected ${methods.join(" or ")}` };
        return { ok: false, reason: `client certificate refused (${String(socket.authorizationError)})` };
      }
      return { ok: false, reason: `no credentials: expected ${methods.join(" or ")}` };
    },
    close() {
      jwksWatch?.close();
    },
  };
}
