/**
 * `kuscia-iac test --frontend webhook`: each case as the API server would send it, an
 * AdmissionReview v1 over real HTTPS to an in-process webhook (webhook/server.ts) on
 * 127.0.0.1, to /validate and to /mutate. The verdict, the warnings and the patch come from
 * the responses; the refusing rules, audit records, exceptions and exempt requesters from
 * the webhook's own review log line (the same line operators read), matched by request uid.
 *
 * One webhook per policy configuration, clock and set of extra objects. A pinned clock or
 * extra objects need a reviewer on the webhook's main thread (the rule book with that clock;
 * the reference checks against the extra objects as the webhook's watch cache would hold
 * them); other cases go through the review workers, as in production.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { factsOf, refKey, refOf, referencedKinds, review, type Facts, type PolicyConfig } from "../../policy";
import type { PatchOperation } from "../../policy/types";
import { ReferenceSnapshot, withReferences } from "../../webhook/referencecheck";
import { startWebhook, type RunningWebhook } from "../../webhook/server";
import type { AdmissionResponseBody, Reviewer } from "../../webhook/admission";
import type { TestCase } from "../load";
import { allowedUnreviewed, outcomeOf, sortedSet, type Observation } from "../observe";
import { FULL_VIEW, type FrontendView } from "../compare";
import type { Frontend } from "./types";

interface LogLine {
  uid?: string;
  endpoint?: string;
  verdict?: string;
  rules?: string[];
  audits?: { rule: string; exception?: string }[];
  exempt?: string;
}

/** The webhook's review log lines, by uid and endpoint, waited for as they are written. */
class ReviewLog extends Writable {
  private readonly lines = new Map<string, LogLine>();
  private readonly waiting = new Map<string, (l: LogLine) => void>();
  private partial = "";
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    const text = this.partial + chunk.toString("utf8");
    const parts = text.split("\n");
    this.partial = parts.pop()!;
    for (const p of parts) {
      let l: LogLine;
      try {
        l = JSON.parse(p) as LogLine;
      } catch {
        continue;
      }
      if (!l.uid || !l.endpoint) continue;
      const key = `${l.uid}/${l.endpoint}`;
      const w = this.waiting.get(key);
      if (w) {
        this.waiting.delete(key);
        w(l);
      } else this.lines.set(key, l);
    }
    done();
  }
  next(uid: string, endpoint: string): Promise<LogLine> {
    const key = `${uid}/${endpoint}`;
    const l = this.lines.get(key);
    if (l) {
      this.lines.delete(key);
      return Promise.resolve(l);
    }
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }
}

interface Server {
  hook: RunningWebhook;
  log: ReviewLog;
  agent: Agent;
  stateDir: string;
}

function post(s: Server, endpoint: string, body: unknown): Promise<AdmissionResponseBody> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(`/${endpoint}`, s.hook.url),
      { method: "POST", ca: s.hook.caBundlePem, agent: s.agent, headers: { "content-type": "application/json", "content-length": String(payload.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) return reject(new Error(`webhook answered ${res.statusCode} on /${endpoint}: ${text.slice(0, 300)}`));
          resolve(JSON.parse(text) as AdmissionResponseBody);
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** The rule id at the end of a webhook warning (`<message> [<rule>]`), as admission.ts writes it. */
function ruleOfWarning(w: string): string | undefined {
  return /\[([^\]\s]+)\]$/.exec(w)?.[1];
}

export class WebhookFrontend implements Frontend {
  readonly name = "webhook";
  readonly view: FrontendView = FULL_VIEW;
  private readonly servers = new Map<string, Promise<Server>>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;

  private idOf(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }

  private server(c: TestCase): Promise<Server> {
    const key = `${this.idOf(c.config)}/${c.now?.getTime() ?? "-"}/${c.references ? this.idOf(c.references) : "-"}`;
    let s = this.servers.get(key);
    if (!s) {
      s = this.start(c.config, c.now, c.references);
      this.servers.set(key, s);
    }
    return s;
  }

  private async start(config: PolicyConfig, now: Date | undefined, references: Record<string, unknown>[] | undefined): Promise<Server> {
    const log = new ReviewLog();
    let reviewer: Reviewer | undefined = now ? (obj, opts) => review(obj, { ...opts, now }) : undefined;
    if (references) {
      // What the webhook's watch cache would hold: the extra objects' names and the facts the
      // pre-flight checks keep of them (policy/preflight.ts factsOf), every referenced kind complete.
      const held = references.flatMap((o) => {
        const r = refOf(o);
        return r ? [[refKey(r), factsOf(o)] as [string, Facts]] : [];
      });
      reviewer = withReferences(reviewer ?? review, new ReferenceSnapshot({ keys: held.map(([k]) => k), facts: held, complete: referencedKinds().map((k) => `${k.apiVersion}/${k.kind}`) }));
    }
    const stateDir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-test-webhook-"));
    const hook = await startWebhook({
      port: 0,
      stateDir,
      policyConfig: config,
      logger: pino({ level: "info" }, log),
      defaultMetrics: false,
      ...(reviewer ? { reviewer, reviewWorkers: 0 } : { reviewWorkers: 1 }),
    });
    return { hook, log, agent: new Agent({ keepAlive: true, maxSockets: 4 }), stateDir };
  }

  async observe(c: TestCase): Promise<Observation | { notApplicable: string }> {
    const s = await this.server(c);
    const obj = c.object;
    const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
    const gvk = String(obj.apiVersion).split("/");
    const request = (uid: string) => ({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid,
        kind: { group: gvk.length > 1 ? gvk[0] : "", version: gvk[gvk.length - 1], kind: String(obj.kind) },
        operation: c.operation,
        ...(meta.name ? { name: meta.name } : {}),
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
        userInfo: c.userInfo ?? { username: "kuscia-iac-test" },
        object: c.operation === "DELETE" ? null : obj,
        oldObject: c.operation === "DELETE" ? (c.oldObject ?? obj) : (c.oldObject ?? null),
        dryRun: true,
      },
    });
    const uid = randomUUID();
    const [validate, vlog] = await Promise.all([post(s, "validate", request(uid)), s.log.next(uid, "validate")]);
    const muid = randomUUID();
    const [mutate] = await Promise.all([post(s, "mutate", request(muid)), s.log.next(muid, "mutate")]);
    if (vlog.exempt) return allowedUnreviewed(vlog.exempt);
    if (vlog.verdict === "error") throw new Error(`the webhook failed to review ${c.name} (fail closed): see its log`);
    const violations = validate.response.allowed ? [] : (vlog.rules ?? []);
    const warnings = (validate.response.warnings ?? []).map(ruleOfWarning).filter((x): x is string => !!x);
    const audits = vlog.audits ?? [];
    const patch = mutate.response.patch ? (JSON.parse(Buffer.from(mutate.response.patch, "base64").toString("utf8")) as PatchOperation[]) : [];
    const messages = [validate.response.status?.message, ...(validate.response.warnings ?? [])].filter((x): x is string => !!x).slice(0, 5);
    return {
      outcome: outcomeOf({ violations: validate.response.allowed ? [] : [1], warnings, audits }),
      violations: sortedSet(violations),
      warnings: sortedSet(warnings),
      audits: sortedSet(audits.map((a) => a.rule)),
      exceptions: sortedSet(audits.map((a) => a.exception).filter((x): x is string => !!x)),
      patch: validate.response.allowed ? patch : [],
      messages,
    };
  }

  async close(): Promise<void> {
    for (const p of this.servers.values()) {
      const s = await p.catch(() => undefined);
      if (!s) continue;
      s.agent.destroy();
      await s.hook.close();
      rmSync(s.stateDir, { recursive: true, force: true });
    }
    this.servers.clear();
  }
}
