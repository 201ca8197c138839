/**
 * Applying the rule book's defaults (review()'s RFC 6902 `patch`, what the mutating webhook
 * adds) to the props a remediation receives, without losing a secret: the props hold
 * `Secret` instances where the engine knows a value is secret, and a patch may reach into one
 * (a custom resource built from secret arguments has its whole `spec` secret).
 */
import { Secret } from "@pulumi/policy";
import type { PatchOperation } from "../policy";

type Obj = Record<string, unknown>;

/** A deep copy in which every Secret is a new Secret holding a copy of its value. */
function copy(v: unknown): unknown {
  if (v instanceof Secret) return new Secret(copy(v.value));
  if (Array.isArray(v)) return v.map(copy);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Obj = {};
    for (const [k, e] of Object.entries(v as Obj)) out[k] = copy(e);
    return out;
  }
  return v;
}

function decode(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** The container at `v`, looking through a Secret (whose value the copy owns). */
function open(v: unknown): Obj | unknown[] | undefined {
  const inner = v instanceof Secret ? v.value : v;
  return inner && typeof inner === "object" ? (inner as Obj | unknown[]) : undefined;
}

/**
 * `props` with the `add` and `replace` operations of `patch` applied (the defaults use no
 * others), as a new object; `props` is left as it was. An operation whose parent does not exist
 * in `props` is skipped: the patch is relative to the object as the API server delivers it
 * (CRD defaults applied), which the props need not spell out.
 */
export function applyDefaults(props: Obj, patch: readonly PatchOperation[]): { props: Obj; applied: PatchOperation[] } {
  const out = copy(props) as Obj;
  const applied: PatchOperation[] = [];
  for (const op of patch) {
    if (op.op !== "add" && op.op !== "replace") continue;
    const tokens = op.path.split("/").slice(1).map(decode);
    if (tokens.length === 0) continue;
    let parent: Obj | unknown[] | undefined = out;
    for (const t of tokens.slice(0, -1)) {
      if (parent === undefined) break;
      parent = open(Array.isArray(parent) ? parent[Number(t)] : parent[t]);
    }
    if (parent === undefined) continue;
    const last = tokens[tokens.length - 1];
    const value = copy(op.value);
    if (Array.isArray(parent)) {
      const i = last === "-" ? parent.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) continue;
      if (op.op === "add") parent.splice(i, 0, value);
      else if (i < parent.length) parent[i] = value;
      else continue;
    } else {
      if (op.op === "replace" && !(last in parent)) continue;
      parent[last] = value;
    }
    applied.push(op);
  }
  return { props: out, applied };
}
