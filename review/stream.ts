/**
 * Reads a manifest file as a stream of documents without holding the file: bytes are read
 * in chunks, decoded, and cut at the `---` markers where policy/yaml.ts splitYamlStream
 * would cut them; each document is read (fast path, or exactly) as soon as the next
 * marker is seen, and dropped by the caller once reviewed. Memory follows the largest
 * document, not the file: a 100 MB stream of small documents costs what one of them does.
 *
 * Texts splitYamlStream does not read are read whole, as readDocs does, from the first
 * document where that shows: a JSON file (`{` first), and the rest of a stream from the
 * first document holding a directive (`%`) or a `...` marker (documents before it are
 * split exactly as a whole parse reads them: a `---` at the start of a line always starts
 * a document, and nothing before a directive changes how it reads).
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { DOCUMENT_START, canSplitYamlStream, readYamlStreamDocument } from "../policy/yaml";
import { LoadError, lineCursor, notAManifest, readDocs, readSource, splitDocs, type LoadOptions, type SourceDoc } from "./load";

/**
 * Bytes read at a time. The pending text holds at most one chunk beyond the document being
 * cut. Small on purpose: a text over V8's large-object size (128 KiB; a chunk of UTF-16 is
 * twice its bytes) is allocated where only a full collection frees it, and with 1 MiB
 * chunks those dead texts were 30 MiB of review's peak on the 14 MB benchmark stream.
 */
export const CHUNK_BYTES = 32 * 1024;

/** Chunks of a file, or of standard input for `-`. Throws LoadError when it cannot be read. */
async function* chunksOf(file: string, chunkBytes: number): AsyncGenerator<Buffer> {
  if (file === "-") {
    for await (const c of process.stdin) yield c as Buffer;
    return;
  }
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, "r");
  } catch (e) {
    throw new LoadError(file, undefined, `cannot read: ${(e as Error).message}`);
  }
  try {
    for (;;) {
      // A fresh buffer per chunk: the decoded text copies it, and the last chunk may be short.
      const buf = Buffer.allocUnsafe(chunkBytes);
      let n: number;
      try {
        n = (await fh.read(buf, 0, chunkBytes, null)).bytesRead;
      } catch (e) {
        throw new LoadError(file, undefined, `cannot read: ${(e as Error).message}`);
      }
      if (n === 0) return;
      yield n < chunkBytes ? buf.subarray(0, n) : buf;
    }
  } finally {
    await fh.close();
  }
}

/**
 * The text of a manifest file, chunk by chunk, with decodeManifest's checks (gzip, NUL
 * bytes, UTF-8) made on each chunk as it comes: a problem late in a file is reported after
 * the documents before it. Throws LoadError.
 */
async function* textOf(file: string, chunkBytes: number): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const chunk of chunksOf(file, chunkBytes)) {
    if (head) {
      head = Buffer.concat([head, chunk.subarray(0, 2)]);
      if (head.length >= 2) {
        if (head[0] === 0x1f && head[1] === 0x8b) throw new LoadError(file, undefined, "is gzip-compressed data, not a manifest: decompress it first (gunzip -c)");
        head = undefined;
      }
    }
    if (chunk.includes(0)) throw new LoadError(file, undefined, "is binary data (it holds NUL bytes), not a YAML or JSON manifest");
    yield decode(file, () => decoder.decode(chunk, { stream: true }));
  }
  yield decode(file, () => decoder.decode());
}

function decode(file: string, f: () => string): string {
  try {
    return f();
  } catch {
    throw new LoadError(file, undefined, "is not UTF-8 text, so not a YAML or JSON manifest");
  }
}

/** Newlines in `text` (the line count a text adds). */
function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * readDocs over a file read in chunks (see the top of this file): yields the same
 * documents, lines and comments as `readDocs(file, await readSource(file))`, and throws
 * the same LoadErrors, at the same point of the stream (a decoding problem: at the chunk
 * that has it).
 */
export async function* streamDocs(file: string, opts: LoadOptions & { chunkBytes?: number } = {}): AsyncGenerator<SourceDoc> {
  if (!opts.discovered) {
    yield* streamFile(file, opts);
    return;
  }
  // As readDocs does for a file found by a directory walk: a file that yields no object and
  // fails to read may be no manifest at all (package.json, a Helm template), which is a skip,
  // not an error. Only then is the whole text read, to tell which.
  let yielded = false;
  try {
    for await (const d of streamFile(file, { ...opts, discovered: false })) {
      yielded = true;
      yield d;
    }
  } catch (e) {
    if (yielded || !(e instanceof LoadError)) throw e;
    let text: string;
    try {
      text = await readSource(file);
    } catch {
      throw e;
    }
    throw notAManifest(file, text, opts.limits) ?? e;
  }
}

async function* streamFile(file: string, opts: LoadOptions & { chunkBytes?: number }): AsyncGenerator<SourceDoc> {
  const limits = opts.limits;
  const json = path.extname(file).toLowerCase() === ".json";
  const texts = textOf(file, opts.chunkBytes ?? CHUNK_BYTES);
  const marker = new RegExp(DOCUMENT_START.source, "gm");
  const index = { n: 0 };
  let buf = ""; // from the start of the document being cut
  let line = 1; // the file's line where buf starts
  let decided = false;
  let ended = false;
  try {
    for (;;) {
      const next = await texts.next();
      ended = next.done === true;
      const scanFrom = Math.max(1, buf.length - 3);
      if (!ended) buf += next.value;
      if (!decided) {
        const first = /\S/.exec(buf);
        if (!first && !ended) continue;
        decided = true;
        // JSON (kubectl get -o json): readDocs' JSON.parse path, on the whole text.
        if (first && (buf[first.index] === "{" || (json && buf[first.index] === "["))) {
          yield* whole(file, buf, texts, line, index, opts);
          return;
        }
      }
      // Cut every document whose end is known: a marker seen with the character after it
      // (`---x` is no marker), or the end of the text.
      marker.lastIndex = scanFrom;
      let start = 0;
      for (;;) {
        const m = marker.exec(buf);
        const end = m && (m.index + 3 < buf.length || ended) ? m.index : ended ? buf.length : -1;
        if (end < 0) break;
        if (end > start || !m) {
          const doc = buf.slice(start, end);
          if (!canSplitYamlStream(doc)) {
            // A directive or `...`: this document and the rest are read whole.
            yield* whole(file, buf.slice(start), texts, line, index, opts);
            return;
          }
          const atLine = lineCursor(doc);
          yield* splitDocs(file, doc, readYamlStreamDocument(doc, 0, doc.length, limits), (o) => line - 1 + atLine(o), index, limits);
          line += newlines(doc);
        }
        start = end;
        if (!m) break;
        marker.lastIndex = end + 1;
      }
      if (ended) return;
      buf = buf.slice(start);
    }
  } finally {
    // Closes the file when the caller stops early or a document throws.
    await texts.return(undefined);
  }
}

/** readDocs over `text` and the rest of `texts`, its lines and document numbers shifted to where `text` starts in the file. */
async function* whole(file: string, text: string, texts: AsyncGenerator<string>, line: number, index: { n: number }, opts: LoadOptions): AsyncGenerator<SourceDoc> {
  const parts = [text];
  for await (const t of texts) parts.push(t);
  const shift = line - 1;
  const base = index.n;
  try {
    for (const d of readDocs(file, parts.join(""), opts)) {
      const lineOf = d.lineOf;
      yield shift === 0 && base === 0 ? d : { ...d, index: base + d.index, line: d.line + shift, lineOf: (p) => lineOf(p) + shift };
      index.n++;
    }
  } catch (e) {
    if (e instanceof LoadError && (shift > 0 || base > 0)) throw new LoadError(e.file, e.line === undefined ? undefined : e.line + shift, e.detail, e.document === undefined ? undefined : e.document + base);
    throw e;
  }
}
