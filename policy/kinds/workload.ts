/** Container checks shared by AppImage deploy templates and KusciaDeployment party templates. */
import type { RuleContext } from "../engine";
import type { Segment } from "../paths";
import { parseQuantity } from "../checks/quantity";
import { intOrPercent } from "../checks/intorstring";
import { dnsLabel } from "../checks/names";
import { arr, at, isObj, show } from "../checks/values";

/** Container names are DNS labels and unique within a pod. */
export function checkContainerNames(ctx: RuleContext, containersPath: readonly Segment[], containers: unknown[]): void {
  const seen = new Map<string, number>();
  containers.forEach((c, i) => {
    const name = at(c, "name");
    if (typeof name !== "string") return;
    const why = dnsLabel(name);
    if (why) ctx.fail([...containersPath, i, "name"], `${show(name)} ${why}`);
    if (seen.has(name)) ctx.fail([...containersPath, i, "name"], `${show(name)} is also the name of container ${seen.get(name)}; container names must be unique`);
    else seen.set(name, i);
  });
}

/** Each resource's request is a quantity no larger than its limit. */
export function checkResources(ctx: RuleContext, containersPath: readonly Segment[], containers: unknown[]): void {
  containers.forEach((c, i) => {
    const res = at(c, "resources");
    if (!isObj(res)) return;
    const base = [...containersPath, i, "resources"];
    const requests = isObj(res.requests) ? res.requests : {};
    const limits = isObj(res.limits) ? res.limits : {};
    for (const [section, values] of [["requests", requests], ["limits", limits]] as const) {
      for (const [k, v] of Object.entries(values)) {
        if (parseQuantity(v) === undefined) ctx.fail([...base, section, k], `${show(v)} is not a Kubernetes quantity (e.g. 100m, 0.5, 256Mi, 1Gi)`);
      }
    }
    for (const [k, req] of Object.entries(requests)) {
      if (!(k in limits)) continue;
      const r = parseQuantity(req);
      const l = parseQuantity(limits[k]);
      if (r !== undefined && l !== undefined && r > l) {
        ctx.fail([...base, "requests", k], `${show(req)} is more than the limit ${show(limits[k])}; a request must not exceed its limit`);
      }
    }
  });
}

/** Deployment strategy: Recreate, or RollingUpdate with surge/unavailable as int or percent, not both zero. */
export function checkStrategy(ctx: RuleContext, path: readonly Segment[], strategy: unknown): void {
  if (!isObj(strategy)) return;
  const type = strategy.type;
  if (type !== undefined && type !== "Recreate" && type !== "RollingUpdate") {
    ctx.fail([...path, "type"], `found ${show(type)}, expected "Recreate" or "RollingUpdate"`);
    return;
  }
  const ru = strategy.rollingUpdate;
  if (ru === undefined) return;
  if (type === "Recreate") {
    ctx.fail([...path, "rollingUpdate"], 'may only be set when type is "RollingUpdate"; remove it or change the type');
    return;
  }
  if (!isObj(ru)) return;
  const parsed: Record<string, number | undefined> = {};
  for (const k of ["maxSurge", "maxUnavailable"] as const) {
    if (ru[k] === undefined) continue;
    const v = intOrPercent(ru[k]);
    if (!v) ctx.fail([...path, "rollingUpdate", k], `${show(ru[k])} is neither a non-negative integer nor a percentage like "25%"`);
    else if (v.percent && v.value > 100 && k === "maxUnavailable") ctx.fail([...path, "rollingUpdate", k], `${show(ru[k])} is over 100%`);
    parsed[k] = v?.value;
  }
  if (parsed.maxSurge === 0 && parsed.maxUnavailable === 0) {
    ctx.fail([...path, "rollingUpdate"], "maxSurge and maxUnavailable are both 0, so a rollout could never progress; make one of them positive");
  }
}

export function containersOf(spec: unknown): unknown[] | undefined {
  return arr(at(spec, "containers"));
}
