/**
 * review/stream.ts reads a file in chunks and cuts it at its `---` markers itself: it must
 * yield exactly what readDocs yields on the whole text (objects, index, lines, comments, the
 * lines findings ask for) and throw the same errors, wherever the chunks happen to end.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { readDocs, readSource } from "../../../review/load";
import { streamDocs } from "../../../review/stream";
import { EXAMPLES_DIR } from "../../../tools/examples";

type Row = unknown[] | string;

function row(d: { index: number; line: number; comment?: string; object: unknown; lineOf(p: string): number }): Row {
  return [d.index, d.line, d.comment, JSON.stringify(d.object), d.lineOf("metadata.name"), d.lineOf("spec.template.spec.containers.0.image"), d.lineOf("no.such.field")];
}

async function streamed(file: string, chunkBytes: number): Promise<Row[]> {
  const out: Row[] = [];
  try {
    for await (const d of streamDocs(file, { chunkBytes })) out.push(row(d));
  } catch (e) {
    out.push(`error: ${(e as Error).message}`);
  }
  return out;
}

async function whole(file: string): Promise<Row[]> {
  const out: Row[] = [];
  try {
    for (const d of readDocs(file, await readSource(file))) out.push(row(d));
  } catch (e) {
    out.push(`error: ${(e as Error).message}`);
  }
  return out;
}

const CASES: Record<string, string | Buffer> = {
  "two.yaml": "a: 1\n---\nb: 2\n",
  // Documents before a directive are split; from the document holding it on, read whole.
  "directive.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n...\n%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
  "end-marker.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\n...\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
  "list.json": '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}]}',
  "crlf-bom.yaml": "\ufeff# c\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n---\r\n# rule: x\r\napiVersion: v1\r\nkind: ConfigMap\r\n",
  "bad-late.yaml": "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: [\n---\nx: 1\n",
  "not-object.yaml": "apiVersion: v1\nkind: ConfigMap\n---\n- a\n",
  "markers.yaml": "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"---\"}\ndata:\n  x: |\n    ---x\n    ----\n---\n---\n--- # empty\n",
  "blank.yaml": "\n\n   \n",
  "unicode.yaml": "# 创建 a comment in Chinese before the document\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"名字\"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
  "nul.yaml": Buffer.from("apiVersion: v1\u0000kind: Pod\n"),
  "gz.yaml": gzipSync("apiVersion: v1\nkind: ConfigMap\n"),
  "latin1.yaml": Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]),
};

describe("review: streaming a file through the document splitter", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-stream-"));
  for (const [name, content] of Object.entries(CASES)) writeFileSync(path.join(dir, name), content);
  const files = [
    ...Object.keys(CASES).map((n) => path.join(dir, n)),
    ...["accepted", "refused"].flatMap((w) => readdirSync(path.join(EXAMPLES_DIR, w)).map((f) => path.join(EXAMPLES_DIR, w, f))),
  ];

  for (const chunkBytes of [1, 2, 3, 7, 64, 4096, 1 << 20]) {
    // Chunks of a few bytes cut every marker and every UTF-8 sequence: on the crafted cases (the examples take long that way).
    const some = chunkBytes < 7 ? files.slice(0, Object.keys(CASES).length + 1) : files;
    it(`yields what readDocs yields on the whole text, in chunks of ${chunkBytes} bytes`, async () => {
      for (const f of some) assert.deepEqual(await streamed(f, chunkBytes), await whole(f), path.basename(f));
    });
  }

  it("reports a problem late in a file after the documents before it, with its file line", async () => {
    const rows = await streamed(path.join(dir, "bad-late.yaml"), 3);
    assert.equal(rows.length, 2);
    assert.match(String(rows[1]), /bad-late\.yaml:6: not valid YAML/);
  });

  it("refuses binary, compressed and non-UTF-8 files with readSource's messages", async () => {
    assert.match(String((await streamed(path.join(dir, "nul.yaml"), 4096))[0]), /is binary data/);
    assert.match(String((await streamed(path.join(dir, "gz.yaml"), 1))[0]), /is gzip-compressed data/);
    assert.match(String((await streamed(path.join(dir, "latin1.yaml"), 4096))[0]), /is not UTF-8 text/);
    assert.match(String((await streamed(path.join(dir, "missing.yaml"), 4096))[0]), /missing\.yaml: cannot read: ENOENT/);
  });
});
