/**
 * Reading an AdmissionReview body with the limits a public endpoint needs:
 * content type, size (checked while streaming, not after) and JSON syntax.
 */
import type { IncomingMessage } from "node:http";

/**
 * Default request body limit, in bytes: 7 MiB, as controller-runtime. The API server
 * admits objects up to 3 MiB, and an UPDATE's AdmissionReview carries two of them
 * (object and oldObject) plus the envelope.
 */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The client went away before its body was complete. Not an error of ours nor a bad
 * request to answer (nobody is left to read the answer): counted and logged apart.
 */
export class ClientAbort extends Error {
  constructor() {
    super("the client closed the connection before the body was complete");
  }
}

/** application/json, optionally with charset=utf-8 (what the API server sends). */
export function checkContentType(req: IncomingMessage): void {
  const ct = req.headers["content-type"];
  if (!ct) throw new HttpError(415, "UnsupportedMediaType", "Content-Type must be application/json");
  const [type, ...params] = ct.split(";").map((s) => s.trim().toLowerCase());
  if (type !== "application/json") throw new HttpError(415, "UnsupportedMediaType", "Content-Type must be application/json");
  const charset = params.find((p) => p.startsWith("charset="))?.slice(8).replace(/"/g, "");
  if (charset && charset !== "utf-8" && charset !== "utf8") throw new HttpError(415, "UnsupportedMediaType", "charset must be utf-8");
  const enc = req.headers["content-encoding"];
  if (enc && enc.toLowerCase() !== "identity") throw new HttpError(415, "UnsupportedMediaType", "Content-Encoding is not supported");
}

/**
 * Default bytes of request bodies held at once across all requests (read, queued or under
 * review): 64 MiB, nine of the largest UPDATEs. With the review workers' heaps this keeps the
 * webhook under the 768Mi memory limit of deploy/ whatever its callers send.
 */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** The bytes every body in the process may hold together; past it, requests are answered 503 unread. */
export class BodyBudget {
  private used = 0;
  constructor(
    readonly limit: number,
    /** Told the bytes in use after every change (the webhook's gauge). */
    private readonly onChange: (used: number) => void = () => undefined,
  ) {}

  get inUse(): number {
    return this.used;
  }

  /** Takes `n` bytes if they fit; false (and nothing taken) otherwise. */
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    this.onChange(this.used);
    return true;
  }

  give(n: number): void {
    if (n === 0) return;
    this.used = Math.max(0, this.used - n);
    this.onChange(this.used);
  }
}

/** The body would pass the process's budget of buffered bytes: answer 503 (Retry-After) without reading it. */
export class OverBudget extends Error {
  constructor(readonly limit: number) {
    super(`the webhook holds ${limit} bytes of request bodies already; retry shortly`);
  }
}

/**
 * A request's share of the budget: the declared Content-Length up front (so a body that
 * cannot fit is refused before a byte is read), or chunk by chunk for a body without one.
 * `release()` gives it all back; call it once the answer is sent.
 */
export class BodyLease {
  private held = 0;
  constructor(private readonly budget: BodyBudget) {}

  /** Takes `n` more bytes; throws OverBudget when they do not fit. */
  grow(n: number): void {
    if (!this.budget.take(n)) throw new OverBudget(this.budget.limit);
    this.held += n;
  }

  get bytes(): number {
    return this.held;
  }

  release(): void {
    this.budget.give(this.held);
    this.held = 0;
  }
}

export interface ReadBodyOptions {
  /** The process's budget of buffered bytes: the declared length is taken up front, a body without one chunk by chunk. */
  lease?: BodyLease;
  /**
   * Called once the body is wanted: its declared length is within `limit` and fits the budget,
   * just before the first byte is read. The server sends `100 Continue` here to a caller that
   * asked for it (`Expect: 100-continue`), so a body that would be refused is never sent.
   */
  onAccepted?: () => void;
  /** Told the size of every chunk kept in memory for the body (the server's byte counter). */
  onBytes?: (n: number) => void;
}

/**
 * Reads the whole body into one Buffer, refusing it as soon as more than `limit` bytes
 * (declared or received) arrive. With `o.lease`, the declared length is taken from the
 * process's budget before reading (a body without one, chunk by chunk). Rejects with
 * HttpError 413 over the limit, OverBudget past the budget, ClientAbort when the connection
 * closes first, or the stream's own error; on a rejection before reading, `o.onAccepted`
 * is never called.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES, o: ReadBodyOptions = {}): Promise<Buffer> {
  const { lease } = o;
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new HttpError(413, "RequestEntityTooLarge", `body is larger than ${limit} bytes`));
  }
  const declaredBytes = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (lease && declaredBytes !== undefined) {
    try {
      lease.grow(declaredBytes);
    } catch (e) {
      return Promise.reject(e);
    }
  }
  o.onAccepted?.();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering; the caller answers 413 and closes the connection rather than read the rest.
        req.pause();
        finish(new HttpError(413, "RequestEntityTooLarge", `body is larger than ${limit} bytes`));
        return;
      }
      if (lease && declaredBytes === undefined) {
        try {
          lease.grow(chunk.length);
        } catch (e) {
          req.pause();
          finish(e as Error);
          return;
        }
      }
      chunks.push(chunk);
      o.onBytes?.(chunk.length);
    };
    const onEnd = (): void => finish();
    // An aborted request emits "error" (ECONNRESET / "aborted") or just "close": both are the client leaving.
    const onError = (e: Error): void => finish(req.destroyed || (e as NodeJS.ErrnoException).code === "ECONNRESET" || e.message === "aborted" ? new ClientAbort() : e);
    const onClose = (): void => finish(new ClientAbort());
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/**
 * Deepest JSON nesting a body may have: the API server's own limit for JSON objects
 * (10,000 levels). Deeper bodies are refused before JSON.parse builds them and before
 * the rule book walks them, which would hold the event loop for seconds.
 */
export const MAX_JSON_DEPTH = 10_000;

/**
 * True when `buf` (JSON text) nests arrays and objects deeper than `max`. One pass over
 * the bytes, skipping strings (and their escapes); no allocation.
 */
export function jsonDepthExceeds(buf: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Throws 400 when `buf` nests deeper than `maxDepth`: cheap, so it runs on the main thread before a review is queued. */
export function checkJsonDepth(buf: Buffer, maxDepth = MAX_JSON_DEPTH): void {
  if (jsonDepthExceeds(buf, maxDepth)) throw new HttpError(400, "BadRequest", `body nests deeper than ${maxDepth} levels`);
}

/** JSON.parse of the body, without the depth check (done before, by checkJsonDepth). */
export function parseJsonText(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    // The parser's message quotes the body; the caller needs only the fact.
    throw new HttpError(400, "BadRequest", "body is not valid JSON");
  }
}

export function parseJson(buf: Buffer, maxDepth = MAX_JSON_DEPTH): unknown {
  checkJsonDepth(buf, maxDepth);
  return parseJsonText(buf);
}
