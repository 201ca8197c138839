/**
 * The policy configuration loader's worker thread (started by policyfile/loader.ts): reads
 * the file, hashes its bytes, and parses and validates it, so a 1 MiB configuration costs
 * the webhook's event loop nothing but a message. Answers one request at a time, in order.
 */
// First: the rest loads at the loader's lower priority (workerData.niceDelta, set by loader.ts).
import "../platform/worker-priority";
import { createHash } from "node:crypto";
import { parentPort } from "node:worker_threads";
import { readPolicyBytes } from "./read";
import { checkPolicyConfigurationSource } from "../policy";
import type { LoaderReply, LoaderRequest } from "./loader";

const port = parentPort;
if (!port) throw new Error("policyfile/loadworker.js runs as a worker thread");

port.on("message", (m: LoaderRequest) => {
  let reply: LoaderReply;
  try {
    reply = answer(m);
  } catch (e) {
    reply = { id: m.id, hash: "", errors: [`${m.file}: ${(e as Error).message}`] };
  }
  port.postMessage(reply);
});

function answer(m: LoaderRequest): LoaderReply {
  // The bytes are hashed as read, and decoded only for a compile: a poll of an unchanged 1 MiB
  // file costs a read and a sha256, nothing the garbage collector has to follow.
  const read = readPolicyBytes(m.file);
  if ("errors" in read) return { id: m.id, hash: "", errors: read.errors };
  const hash = createHash("sha256").update(read.bytes).digest("hex");
  if (m.type === "read") return { id: m.id, hash };
  if (hash !== m.expect) return { id: m.id, hash, changed: true };
  const text = read.bytes.toString("utf8");
  // Checked, not built: nobody in this thread reviews with it. The JSON text crosses threads as
  // one string (a copy of bytes), where a structured clone of 11,000 exception objects would
  // be rebuilt object by object on the receiving event loop.
  const r = checkPolicyConfigurationSource(text, m.file, m.now === undefined ? undefined : new Date(m.now));
  if ("errors" in r) return { id: m.id, hash, errors: r.errors };
  return { id: m.id, hash, source: r.source, warnings: r.warnings };
}
