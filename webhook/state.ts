/**
 * The embedded default: with no certificate given, the webhook makes its own CA
 * and serving certificate and keeps them in a private state directory, so
 * `npx kuscia-iac webhook` works on a fresh machine and the caBundle pasted into
 * a webhook configuration stays valid across restarts.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { chmodSync, closeSync, existsSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { caBundleOf, issueCert, selfSignedCert } from "../pki";

export const DEFAULT_SANS = ["localhost", "127.0.0.1"];
const CA_DAYS = 3650;
const LEAF_DAYS = 365;
// Reissue a leaf this close to expiry on start, rather than let it lapse while running.
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

export interface EmbeddedCerts {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
  /** base64 of caPem: the `caBundle` of a webhook configuration. */
  caBundle: string;
  /** What was reused from an earlier run: nothing, the CA only, or CA and serving certificate. */
  reused: "none" | "ca" | "all";
}

export function defaultStateDir(): string {
  const who = typeof process.getuid === "function" ? String(process.getuid()) : (process.env.USERNAME ?? "user");
  return join(tmpdir(), `kuscia-iac-webhook-${who}`);
}

/** Creates the directory 0700, refusing one that another user owns or could have planted. */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`state directory ${dir} is not a directory (a symlink?)`);
  if (typeof process.getuid === "function") {
    if (st.uid !== process.getuid()) throw new Error(`state directory ${dir} belongs to another user; choose one with --state-dir`);
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  }
}

function writePrivate(path: string, text: string, mode: number): void {
  // Write-then-rename: a reader (the running webhook's reload) never sees half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

function readIf(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

function usableCa(certPem?: string, keyPem?: string): boolean {
  if (!certPem || !keyPem) return false;
  try {
    const c = new X509Certificate(certPem);
    return c.ca && c.checkPrivateKey(createPrivateKey(keyPem)) && Date.parse(c.validTo) - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

function usableLeaf(caPem: string, certPem: string | undefined, keyPem: string | undefined, sans: string[]): boolean {
  if (!certPem || !keyPem) return false;
  try {
    const c = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!c.checkIssued(ca) || !c.verify(ca.publicKey) || !c.checkPrivateKey(createPrivateKey(keyPem))) return false;
    if (Date.parse(c.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
    return sans.every((s) => (isIP(s) ? c.checkIP(s) !== undefined : c.checkHost(s, { wildcards: false }) !== undefined));
  } catch {
    return false;
  }
}

/** How long a start waits for another process's lock on the state directory. */
const LOCK_WAIT_MS = 120_000;

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `fn` holding `<dir>/.lock` (created exclusively, holding the holder's pid), so two
 * webhooks started at once on a fresh state directory do not each make a CA: the second waits,
 * then finds and reuses the first one's. A lock whose holder has died is taken over (moved
 * aside first, so two waiters cannot both take it). Throws after LOCK_WAIT_MS of waiting on a
 * live holder.
 */
export async function withStateLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, ".lock");
  const deadline = Date.now() + LOCK_WAIT_MS;
  let delay = 10;
  for (;;) {
    try {
      const fd = openSync(lock, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(lock, "utf8"));
    } catch {
      continue; // released meanwhile
    }
    if (!alive(holder) && holder > 0) {
      const aside = `${lock}.${holder}.${process.pid}`;
      try {
        renameSync(lock, aside);
        if (Number(readFileSync(aside, "utf8")) !== holder) {
          // A live lock was taken between the read and the move: put it back.
          try {
            linkSync(aside, lock);
          } catch {
            // Someone holds a newer one; theirs stands.
          }
        }
        unlinkSync(aside);
      } catch {
        // Another waiter moved it first.
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`state directory ${dir} is locked by process ${holder} (${lock}); if no webhook runs there, remove the lock file`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Reuses the CA and serving certificate in `dir` when they are valid and cover
 * `sans`; otherwise issues what is missing (keeping a good CA, so the caBundle
 * does not change). Holds the directory's lock meanwhile (withStateLock).
 */
export async function ensureEmbeddedCerts(opts: { stateDir?: string; sans?: string[] } = {}): Promise<EmbeddedCerts> {
  const dir = opts.stateDir ?? defaultStateDir();
  privateDir(dir);
  return withStateLock(dir, () => ensureLocked(dir, opts.sans));
}

async function ensureLocked(dir: string, extraSans: string[] | undefined): Promise<EmbeddedCerts> {
  const sans = [...new Set([...DEFAULT_SANS, ...(extraSans ?? [])])];
  const caFile = join(dir, "ca.crt");
  const caKeyFile = join(dir, "ca.key");
  const certFile = join(dir, "tls.crt");
  const keyFile = join(dir, "tls.key");

  let caPem = readIf(caFile);
  let caKeyPem = readIf(caKeyFile);
  let reused: EmbeddedCerts["reused"] = "none";
  if (usableCa(caPem, caKeyPem)) {
    reused = "ca";
  } else {
    const ca = await selfSignedCert({ cn: "kuscia-iac webhook CA", organization: "kuscia-iac", isCA: true, days: CA_DAYS });
    caPem = ca.certPem;
    caKeyPem = ca.keyPem;
    writePrivate(caKeyFile, caKeyPem, 0o600);
    writePrivate(caFile, caPem, 0o644);
  }
  if (reused === "ca" && usableLeaf(caPem!, readIf(certFile), readIf(keyFile), sans)) {
    reused = "all";
  } else {
    const leaf = await issueCert({ ca: { certPem: caPem!, keyPem: caKeyPem! }, cn: sans[0], sans, days: LEAF_DAYS });
    // Key first: the pair is only complete (and reloadable) once the certificate lands.
    writePrivate(keyFile, leaf.keyPem, 0o600);
    writePrivate(certFile, leaf.certPem, 0o644);
  }
  return { dir, caFile, certFile, keyFile, caPem: caPem!, caBundle: caBundleOf(caPem!), reused };
}
