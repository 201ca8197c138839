/**
 * AdmissionReview v1 in and out. Pure: takes the parsed request body and a
 * reviewer (the rule book's `review`), returns the response body and a summary
 * for the log and the metrics. The HTTP layer owns transport errors (400/413/415);
 * everything here answers with an AdmissionReview once a uid is known.
 */
import { applyPatch } from "fast-json-patch";
import type { Operation as JsonPatchOperation } from "fast-json-patch";
import type { Operation, PatchOperation, ReviewOptions, ReviewResult } from "../policy/types";
import type { PolicyConfig } from "../policy/config/types";
import { redactSecrets } from "../policy/redact";
import { policyFor } from "../policy";
import { jsonClone } from "../policy/walk";

export type Reviewer = (obj: unknown, opts?: ReviewOptions) => ReviewResult;
export type Endpoint = "validate" | "mutate" | "baseline";

export const ADMISSION_API_VERSION = "admission.k8s.io/v1";
const OPERATIONS: readonly Operation[] = ["CREATE", "UPDATE", "DELETE", "CONNECT"];

/** The request is not an AdmissionReview v1 we can answer: the HTTP layer turns this into a 400. */
/** A request that is no AdmissionReview; its message quotes the caller's values, so it is masked like any finding. */
export class BadAdmissionReview extends Error {
  constructor(message: string) {
    super(redactSecrets(message));
  }
}

export interface AdmissionRequest {
  uid: string;
  operation: Operation;
  kind?: { group?: string; version?: string; kind?: string };
  namespace?: string;
  name?: string;
  object: unknown;
  oldObject: unknown;
  dryRun: boolean;
  username?: string;
  /** userInfo.groups, for exempt requesters (every one, whole). */
  groups?: string[];
}

export interface AdmissionResponseBody {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: "AdmissionReview";
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string; reason?: string };
    warnings?: string[];
    patchType?: "JSONPatch";
    patch?: string;
  };
}

export type Verdict = "allowed" | "denied" | "error";

/** What the log line and the metrics need, without any of the object's content. */
export interface ReviewSummary {
  uid: string;
  operation: Operation;
  /** Rule-book kind key when known, otherwise "unknown" (bounded metric cardinality). */
  kind: string;
  namespace?: string;
  name?: string;
  dryRun: boolean;
  verdict: Verdict;
  /** Rule ids of the violations (never their messages: those quote user values). */
  rules?: string[];
  warnings?: number;
  patchOps?: number;
  /** Set when an internal error forced a fail-closed answer; safe to log. */
  error?: string;
  /** Patch operations dropped by the safety net; safe to log (paths only). */
  droppedPatch?: string[];
  /** Findings allowed silently by the policy configuration: rule ids and exception names only (messages quote user values). */
  audits?: { rule: string; exception?: string }[];
  /** Why the requester was admitted without review (an exempt requester of the policy configuration). */
  exempt?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optionalString(v: unknown, field: string, max = 253): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string" || v.length > max) throw new BadAdmissionReview(`${field} must be a string of at most ${max} characters`);
  return v;
}

/** Checks the envelope; throws BadAdmissionReview with a message fit for the 400 body. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isRecord(body)) throw new BadAdmissionReview("body is not a JSON object");
  if (body.kind !== "AdmissionReview") throw new BadAdmissionReview(`kind must be AdmissionReview, got ${JSON.stringify(body.kind)?.slice(0, 64)}`);
  if (body.apiVersion !== ADMISSION_API_VERSION) {
    throw new BadAdmissionReview(`apiVersion must be ${ADMISSION_API_VERSION}, got ${JSON.stringify(body.apiVersion)?.slice(0, 64)}: list only v1 in admissionReviewVersions`);
  }
  const r = body.request;
  if (!isRecord(r)) throw new BadAdmissionReview("request is missing or not an object");
  if (typeof r.uid !== "string" || r.uid.length === 0 || r.uid.length > 128) throw new BadAdmissionReview("request.uid must be a non-empty string of at most 128 characters");
  const operation = r.operation;
  if (typeof operation !== "string" || !OPERATIONS.includes(operation as Operation)) {
    throw new BadAdmissionReview(`request.operation must be one of ${OPERATIONS.join(", ")}`);
  }
  const op = operation as Operation;
  const object = r.object ?? null;
  const oldObject = r.oldObject ?? null;
  if ((op === "CREATE" || op === "UPDATE") && !isRecord(object)) throw new BadAdmissionReview(`request.object must be an object for ${op}`);
  if (op === "UPDATE" && !isRecord(oldObject)) throw new BadAdmissionReview("request.oldObject must be an object for UPDATE");
  if (object !== null && !isRecord(object)) throw new BadAdmissionReview("request.object must be an object or null");
  if (oldObject !== null && !isRecord(oldObject)) throw new BadAdmissionReview("request.oldObject must be an object or null");
  const userInfo = isRecord(r.userInfo) ? r.userInfo : undefined;
  return {
    uid: r.uid,
    operation: op,
    kind: isRecord(r.kind) ? (r.kind as AdmissionRequest["kind"]) : undefined,
    namespace: optionalString(r.namespace, "request.namespace"),
    name: optionalString(r.name, "request.name"),
    object,
    oldObject,
    dryRun: r.dryRun === true,
    // Whole names, never shortened: an exempt name is compared with the requester's exactly, so
    // "system:admin" + 200 more characters is not "system:admin". The body limit bounds them.
    username: typeof userInfo?.username === "string" ? userInfo.username : undefined,
    groups: Array.isArray(userInfo?.groups) ? userInfo.groups.filter((g): g is string => typeof g === "string") : undefined,
  };
}

// Kubernetes truncates long warnings and drops them past 4 KiB in total; keep each readable.
const MAX_WARNING = 256;
const MAX_WARNINGS = 16;
// A status message that lists hundreds of findings helps nobody; the first ones say what to fix.
const MAX_LISTED = 20;

// The rule book never quotes a secret, and redaction here is the second layer for what reaches kubectl.
function withRule(f: { message: string; rule: string }): string {
  return `${redactSecrets(f.message)} [${f.rule}]`;
}

/** "spec.cert: ... [domain.cert]; spec.parties[1].domainID: ... [kd.parties]" */
export function denialMessage(result: ReviewResult): string {
  const listed = result.violations.slice(0, MAX_LISTED).map(withRule);
  // The rule book keeps at most MAX_FINDINGS of each list and counts the rest in `omitted`.
  const more = result.violations.length - listed.length + (result.omitted?.violations ?? 0);
  return listed.join("; ") + (more > 0 ? `; and ${more} more` : "");
}

export function warningStrings(result: ReviewResult): string[] {
  const out = result.warnings.slice(0, MAX_WARNINGS).map((w) => {
    // Shorten the message, never the rule id: the id is what an operator configures.
    const id = ` [${w.rule}]`;
    const msg = redactSecrets(w.message);
    return msg.length + id.length > MAX_WARNING ? `${msg.slice(0, Math.max(0, MAX_WARNING - id.length - 1))}…${id}` : `${msg}${id}`;
  });
  const more = result.warnings.length - out.length + (result.omitted?.warnings ?? 0);
  if (more > 0) out.push(`and ${more} more warnings`);
  return out;
}

// A mutating webhook may only fill defaults inside the payload; identity, type and status are never ours to change.
const PATCHABLE = /^\/(spec|data)(\/|$)/;

/**
 * Keeps the rule book's default patch only if it is well formed, stays inside
 * spec/data and applies cleanly to the object the API server sent.
 */
export function safePatch(obj: unknown, patch: PatchOperation[]): { patch: PatchOperation[]; dropped: string[] } {
  if (patch.length === 0) return { patch, dropped: [] };
  const kept = patch.filter((p) => PATCHABLE.test(p.path) && (p.from === undefined || PATCHABLE.test(p.from)));
  const dropped = patch.filter((p) => !kept.includes(p)).map((p) => `${p.op} ${p.path}`);
  if (kept.length === 0) return { patch: [], dropped };
  const ops = kept as JsonPatchOperation[];
  // fast-json-patch's validate() and deepClone() go through JSON.stringify, which overflows the
  // stack on the 10,000 levels of nesting Kubernetes allows; clone iteratively and validate while applying.
  try {
    applyPatch(jsonClone(obj), ops, true, true);
  } catch {
    return { patch: [], dropped: patch.map((p) => `${p.op} ${p.path}`) };
  }
  return { patch: kept, dropped };
}

function describeTarget(req: AdmissionRequest): { namespace?: string; name?: string } {
  const meta = isRecord(req.object) ? req.object.metadata : isRecord(req.oldObject) ? req.oldObject.metadata : undefined;
  const m = isRecord(meta) ? meta : {};
  return {
    namespace: req.namespace ?? (typeof m.namespace === "string" ? m.namespace : undefined),
    name: req.name ?? (typeof m.name === "string" ? m.name : typeof m.generateName === "string" ? `${m.generateName}*` : undefined),
  };
}

function envelope(response: AdmissionResponseBody["response"]): AdmissionResponseBody {
  return { apiVersion: ADMISSION_API_VERSION, kind: "AdmissionReview", response };
}

/**
 * Answers one parsed AdmissionRequest. Never throws: a reviewer that throws
 * yields allowed=false with code 500 (fail closed) and `summary.error` set.
 */
export function answer(req: AdmissionRequest, endpoint: Endpoint, reviewer: Reviewer, now?: Date, config?: PolicyConfig): { body: AdmissionResponseBody; summary: ReviewSummary } {
  const base = { uid: req.uid, operation: req.operation, dryRun: req.dryRun, ...describeTarget(req) };
  if (endpoint === "baseline") {
    return { body: envelope({ uid: req.uid, allowed: true }), summary: { ...base, kind: "unknown", verdict: "allowed" } };
  }
  // Exempt requesters (Kuscia's own controllers, say) are admitted unreviewed and unpatched:
  // a controller that relabels an old object must never be blocked by a rule.
  const exempt = config?.exemption({ username: req.username, groups: req.groups });
  if (exempt) return { body: envelope({ uid: req.uid, allowed: true }), summary: { ...base, kind: kindOf(req.operation === "DELETE" ? req.oldObject : req.object), verdict: "allowed", exempt } };
  try {
    // On DELETE the API server sends object: null; the stored object is oldObject.
    const subject = req.operation === "DELETE" ? req.oldObject : req.object;
    const reviewOpts = {
      operation: req.operation,
      oldObject: req.operation === "UPDATE" ? req.oldObject : undefined,
      ...(now ? { now } : {}),
      ...(config ? { config } : {}),
      ...(req.namespace ? { namespace: req.namespace } : {}),
    };
    let result = reviewer(subject, reviewOpts);
    // A refusal the defaults repair (kd.template.working-dir: a party template's workingDir,
    // added as KusciaAPI writes it) is no refusal on /mutate: the patch goes out, and
    // /validate then sees the repaired object.
    if (endpoint === "mutate" && !result.allowed && result.patch.length > 0 && (req.operation === "CREATE" || req.operation === "UPDATE")) {
      const { patch } = safePatch(req.object, result.patch);
      if (patch.length === result.patch.length) {
        const repaired = applyPatch(jsonClone(req.object), patch as JsonPatchOperation[], true, true).newDocument;
        const again = reviewer(repaired, reviewOpts);
        if (again.allowed) result = { ...again, patch: result.patch };
      }
    }
    const audits = result.audits.length > 0 ? result.audits.map((a) => ({ rule: a.rule, ...(a.reason.startsWith("exception ") ? { exception: a.reason.slice(10).split(":")[0] } : {}) })) : undefined;
    const kind = result.known ? (result.kind ?? "unknown") : "unknown";
    if (endpoint === "mutate" && result.allowed) {
      const { patch, dropped } = req.operation === "CREATE" || req.operation === "UPDATE" ? safePatch(req.object, result.patch) : { patch: [], dropped: [] };
      const response: AdmissionResponseBody["response"] = { uid: req.uid, allowed: true };
      if (patch.length > 0) {
        response.patchType = "JSONPatch";
        response.patch = Buffer.from(JSON.stringify(patch)).toString("base64");
      }
      const summary: ReviewSummary = { ...base, kind, verdict: "allowed", patchOps: patch.length, audits };
      if (dropped.length > 0) summary.droppedPatch = dropped;
      return { body: envelope(response), summary };
    }
    // A refusal is answered the same way on /mutate as on /validate. The API server runs its
    // own schema and name validation between the two, so without this a misspelt field or
    // name would reach the user as the API server's terse message instead of the rule book's.
    const response: AdmissionResponseBody["response"] = { uid: req.uid, allowed: result.allowed };
    if (!result.allowed) response.status = { code: 403, reason: "Forbidden", message: denialMessage(result) };
    const warnings = warningStrings(result);
    if (warnings.length > 0) response.warnings = warnings;
    const summary: ReviewSummary = { ...base, kind, verdict: result.allowed ? "allowed" : "denied", warnings: warnings.length, audits };
    if (!result.allowed) summary.rules = [...new Set(result.violations.map((v) => v.rule))];
    return { body: envelope(response), summary };
  } catch (e) {
    return {
      body: envelope({
        uid: req.uid,
        allowed: false,
        status: {
          code: 500,
          reason: "InternalError",
          message: `kuscia-iac webhook could not review this object (internal error, uid ${req.uid}); it is refused until the webhook is fixed. See the webhook log.`,
        },
      }),
      summary: { ...base, kind: "unknown", verdict: "error", error: errorWhere(e) },
    };
  }
}

/**
 * Names an internal error by type and code location only: its message may quote
 * a value of the object under review (a DSN, a key), which must never reach the log.
 */
/** The rule-book kind key of an object, or "unknown" (bounded metric cardinality). */
function kindOf(obj: unknown): string {
  const p = policyFor(obj);
  return p ? `${p.apiVersion}/${p.kind}` : "unknown";
}

export function errorWhere(e: unknown): string {
  if (!(e instanceof Error)) return "non-Error thrown";
  const frames = (e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l)).slice(0, 3).map((l) => l.trim());
  return [e.name, ...frames].join(" ");
}
