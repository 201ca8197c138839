/**
 * Runs kuscia-loader (test/e2e/tools/kuscia/loader) in batch mode: one process per release,
 * JSON lines in, one answer per line out, in order. A scratch node root per configuration
 * goes under /dev/shm when it is there (the loader writes keys and certificates for every
 * configuration; on a busy disk that is most of its time).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";

export interface LoaderAnswer {
  id: string;
  ok: boolean;
  stage?: string;
  error?: string;
}

function scratchParent(): string {
  try {
    if (statSync("/dev/shm").isDirectory()) return "/dev/shm";
  } catch {
    // no tmpfs: the system temporary folder
  }
  return tmpdir();
}

/** A loader process that answers configurations one at a time or in bulk. */
export class LoaderSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly root: string;
  private readonly waiting: ((a: LoaderAnswer) => void)[] = [];
  private stderr = "";
  private exited: Error | undefined;

  constructor(bin: string) {
    this.root = mkdtempSync(path.join(scratchParent(), "kuscia-loader-"));
    this.child = spawn(bin, ["--batch", "--root", this.root], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    readline.createInterface({ input: this.child.stdout }).on("line", (line) => {
      const next = this.waiting.shift();
      if (next) next(JSON.parse(line) as LoaderAnswer);
    });
    this.child.on("exit", (code) => {
      this.exited = new Error(`kuscia-loader exited ${code}: ${this.stderr.trim()}`);
      for (const w of this.waiting.splice(0)) w({ id: "", ok: false, stage: "loader", error: this.exited.message });
    });
  }

  /** Answers for every text, in order. */
  run(items: { id: string; yaml: string }[]): Promise<LoaderAnswer[]> {
    return Promise.all(items.map((it) => this.ask(it)));
  }

  ask(item: { id: string; yaml: string }): Promise<LoaderAnswer> {
    if (this.exited) return Promise.reject(this.exited);
    const p = new Promise<LoaderAnswer>((resolve) => this.waiting.push(resolve));
    this.child.stdin.write(`${JSON.stringify(item)}\n`);
    return p.then((a) => {
      if (a.stage === "loader") throw new Error(a.error);
      return a;
    });
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const done = new Promise((r) => this.child.once("exit", r));
      this.child.stdin.end();
      await done;
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
