/**
 * The serving certificate: loaded from files, checked before use, and swapped
 * in place (server.setSecureContext) when the files change. Only new TLS
 * handshakes see the new pair; connections in flight keep theirs.
 */
import { X509Certificate, createHash, createPrivateKey } from "node:crypto";
import { readFileSync, watch, watchFile, unwatchFile, type FSWatcher, type Stats } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { createSecureContext, type SecureContextOptions } from "node:tls";

/** PEM texts of what a secure context needs. `keyPem` is secret: never log it. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** CA bundle that signs accepted client certificates (mutual TLS), if required. */
  clientCaPem?: string;
}

export interface TlsFiles {
  cert: string;
  key: string;
  clientCa?: string;
}

/** What is logged and exported about the certificate in use (public data only). */
export interface LoadedCertificate {
  subject: string;
  issuer: string;
  serialNumber: string;
  notAfter: Date;
  fingerprint256: string;
}

export const MIN_TLS_VERSION = "TLSv1.2";

export function secureContextOptions(m: TlsMaterial): SecureContextOptions {
  return {
    cert: m.certPem,
    key: m.keyPem,
    ...(m.clientCaPem ? { ca: m.clientCaPem } : {}),
    minVersion: MIN_TLS_VERSION,
  };
}

/**
 * Throws with a message that names the problem (never the key) unless the pair
 * parses, matches, is currently valid and makes a TLS context.
 */
export function checkMaterial(m: TlsMaterial, now = new Date()): LoadedCertificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(m.certPem);
  } catch (e) {
    throw new Error(`the certificate is not a PEM X.509 certificate (${(e as Error).message})`);
  }
  let key;
  try {
    key = createPrivateKey(m.keyPem);
  } catch {
    // The parser's message can quote key bytes; say only what is wrong.
    throw new Error("the private key is not a readable PEM private key");
  }
  if (!cert.checkPrivateKey(key)) throw new Error(`the private key does not match the certificate ${cert.subject} (serial ${cert.serialNumber})`);
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) throw new Error(`the certificate ${cert.subject} is not valid before ${notBefore.toISOString()}`);
  if (now > notAfter) throw new Error(`the certificate ${cert.subject} expired at ${notAfter.toISOString()}`);
  if (m.clientCaPem) {
    try {
      new X509Certificate(m.clientCaPem);
    } catch (e) {
      throw new Error(`the client CA bundle is not a PEM X.509 certificate (${(e as Error).message})`);
    }
  }
  try {
    createSecureContext(secureContextOptions(m));
  } catch (e) {
    throw new Error(`TLS refused the certificate and key (${(e as Error & { code?: string }).code ?? "error"})`);
  }
  return { subject: cert.subject, issuer: cert.issuer, serialNumber: cert.serialNumber, notAfter, fingerprint256: cert.fingerprint256 };
}

export function readMaterial(files: TlsFiles): TlsMaterial {
  return {
    certPem: readFileSync(files.cert, "utf8"),
    keyPem: readFileSync(files.key, "utf8"),
    ...(files.clientCa ? { clientCaPem: readFileSync(files.clientCa, "utf8") } : {}),
  };
}

/** Identifies the content so a touch without change does not count as a reload. */
export function materialHash(m: TlsMaterial): string {
  return createHash("sha256").update(m.certPem).update("\0").update(m.keyPem).update("\0").update(m.clientCaPem ?? "").digest("hex");
}

export interface FileWatch {
  close(): void;
}

/**
 * Calls `onChange` (debounced) when any of `paths` may have changed. Two
 * mechanisms because each misses cases: directory events catch atomic renames
 * and Kubernetes Secret volumes (a `..data` symlink swap) at once; stat polling
 * catches everything, including filesystems without inotify, a little later.
 */
export function watchFiles(paths: string[], onChange: () => void, opts: { pollMs?: number; debounceMs?: number } = {}): FileWatch {
  const pollMs = opts.pollMs ?? 2000;
  const debounceMs = opts.debounceMs ?? 150;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  };

  const absolute = [...new Set(paths.map((p) => resolve(p)))];
  const watchers: FSWatcher[] = [];
  const byDir = new Map<string, Set<string>>();
  for (const p of absolute) byDir.set(dirname(p), (byDir.get(dirname(p)) ?? new Set()).add(basename(p)));
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, filename) => {
        const f = filename?.toString();
        if (!f || names.has(f) || f.startsWith("..")) fire();
      });
      w.on("error", () => undefined);
      watchers.push(w);
    } catch {
      // No inotify for this directory: polling below still sees changes.
    }
  }
  const listener = (cur: Stats, prev: Stats): void => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino || cur.size !== prev.size || cur.ctimeMs !== prev.ctimeMs) fire();
  };
  for (const p of absolute) watchFile(p, { interval: pollMs, persistent: false }, listener);

  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
      for (const p of absolute) unwatchFile(p, listener);
    },
  };
}
