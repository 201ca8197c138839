/**
 * Finds manifest files and parses them into documents that remember where they
 * came from, so every finding can be reported as file:line.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { LineCounter, parseAllDocuments, isNode, type Document } from "yaml";
import { parseDotted } from "../policy/paths";

export const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

export interface SourceDoc {
  file: string;
  /** Position of the document in its file, from 0. */
  index: number;
  /** 1-based line where the document starts. */
  line: number;
  object: unknown;
  /** Comment lines just before the document (examples use `# rule: <id>`). */
  comment?: string;
  /** 1-based line of a dotted path inside this document, or the document's line. */
  lineOf(dottedPath: string): number;
}

export class LoadError extends Error {
  constructor(readonly file: string, readonly line: number | undefined, message: string) {
    super(`${file}${line ? `:${line}` : ""}: ${message}`);
  }
}

/** Expands files and directories (recursively) into manifest file paths, sorted; `-` is standard input. */
export async function listFiles(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (input === "-") {
      out.push("-");
      continue;
    }
    let st;
    try {
      st = await fs.stat(input);
    } catch (e) {
      throw new LoadError(input, undefined, `cannot read: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`);
    }
    if (st.isDirectory()) out.push(...(await walk(input)));
    else out.push(input);
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && MANIFEST_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

export async function readSource(file: string): Promise<string> {
  if (file === "-") {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await fs.readFile(file, "utf8");
  } catch (e) {
    throw new LoadError(file, undefined, `cannot read: ${(e as Error).message}`);
  }
}

/** Parses every YAML (or JSON) document of a file; a syntax error names the line. Empty documents are dropped. */
export function parseSource(file: string, text: string): SourceDoc[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  if (!Array.isArray(docs)) return []; // an empty stream
  const out: SourceDoc[] = [];
  let prevEnd = 0;
  docs.forEach((doc: Document.Parsed) => {
    const gapStart = prevEnd;
    prevEnd = doc.range[2];
    const err = doc.errors[0];
    if (err) {
      const line = lc.linePos(err.pos[0]).line;
      throw new LoadError(file, line, `not valid YAML: ${err.message.split("\n")[0]}`);
    }
    if (doc.contents === null) return;
    const line = lc.linePos(doc.contents.range?.[0] ?? 0).line;
    let object: unknown;
    try {
      object = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new LoadError(file, line, `cannot be read: ${(e as Error).message}`);
    }
    // The yaml library attaches a leading comment to the document, the map or its first key
    // depending on blank lines; reading the comment lines between documents is simpler and exact.
    const comment =
      text
        .slice(gapStart, doc.contents.range?.[0] ?? gapStart)
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("#"))
        .map((l) => l.replace(/^#\s?/, ""))
        .join("\n") || undefined;
    out.push({
      file,
      index: out.length,
      line,
      object,
      comment,
      lineOf(dottedPath: string): number {
        const segs = parseDotted(dottedPath);
        // Walk down to the deepest node that exists: a missing field is reported at its parent.
        while (segs.length > 0) {
          const node = doc.getIn(segs, true);
          if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
          segs.pop();
        }
        return line;
      },
    });
  });
  return out;
}
