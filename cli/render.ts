/**
 * `kuscia-iac render`: what the Kuscia custom resources in some files turn
 * into, as Kubernetes objects, so a reviewer sees what will be created.
 * Exit status: 0 rendered, 1 an input object was refused or cannot be
 * expanded (nothing printed for it, the rest still is), 2 usage error or an
 * unreadable file (nothing printed at all).
 */
import { Command, Option } from "commander";
import { stringify } from "yaml";
import { readDocs, readSource, LoadError, type SourceDoc } from "../review/load";
import { listFiles } from "../review/select";
import { ANNOTATION } from "../policy/expand/labels";
import { admit, expand, expandClusterDomainRoute, isKusciaResource, isPartner, type AppImageResource, type DomainResource, type KusciaResource } from "../policy/expand";
import { EMIT_MODES, type Emit } from "../components/emit";
import { describeSchedule, expandKusciaJob, type KusciaJobResource } from "../policy/expand/kusciajob";
import { defaultPolicyConfiguration, PREFLIGHT, ReferenceIndex, refKey, refOf } from "../policy";
import { APPIMAGE } from "../policy/preflight";

export interface RenderOptions {
  format: "yaml" | "json";
  /** `native` (default): the objects Kuscia's controllers create; `custom-resource`: the resources themselves, defaulted; `both`. */
  emit?: Emit;
  /** Fill config template placeholders (default true). */
  renderTemplates?: boolean;
}

export interface RenderIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const processIo = (): RenderIo => ({ stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });

interface Admitted {
  doc: SourceDoc;
  object: KusciaResource;
}

/** Renders the files and returns the exit status; all output goes through `io`. */
export async function runRender(paths: string[], opts: RenderOptions, io: RenderIo = processIo()): Promise<number> {
  const docs: SourceDoc[] = [];
  const unreadable: string[] = [];
  try {
    for (const f of await listFiles(paths)) {
      try {
        // A loop, not push(...spread): a file may hold more documents than call arguments fit.
        for (const d of readDocs(f, await readSource(f))) docs.push(d);
      } catch (e) {
        unreadable.push(e instanceof LoadError ? e.message : `${f}: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    unreadable.push((e as Error).message);
  }
  if (unreadable.length > 0) {
    // A missing file may hold the AppImage another file's KusciaDeployment needs: render nothing rather than half.
    for (const m of unreadable) io.stderr(`kuscia-iac render: ${m}\n`);
    return 2;
  }

  const emit = opts.emit ?? "native";
  let failed = false;
  const admitted: Admitted[] = [];
  const jobs: { doc: SourceDoc; object: KusciaJobResource }[] = [];
  for (const doc of docs) {
    const where = `${doc.file}:${doc.line}`;
    const j = doc.object as { apiVersion?: unknown; kind?: unknown } | null;
    if (j && typeof j === "object" && j.apiVersion === "kuscia.secretflow/v1alpha1" && j.kind === "KusciaJob") {
      // A KusciaJob becomes KusciaTasks (custom resources), started in the order the job controller would.
      const { result, object } = admit(doc.object as KusciaJobResource);
      for (const w of result.warnings) io.stderr(`${doc.file}:${doc.lineOf(w.path)}: warning: ${w.message}\n`);
      if (result.violations.length > 0 || typeof object.metadata?.name !== "string") {
        failed = true;
        io.stderr(`${where}: refused KusciaJob, nothing rendered for it:\n`);
        for (const v of result.violations) io.stderr(`${doc.file}:${doc.lineOf(v.path)}: ${v.message} [${v.rule}]\n`);
        continue;
      }
      jobs.push({ doc, object });
      continue;
    }
    if (!isKusciaResource(doc.object)) {
      const o = doc.object as { apiVersion?: unknown; kind?: unknown } | null;
      io.stderr(`${where}: skipped: ${o && typeof o === "object" ? `${String(o.apiVersion)}/${String(o.kind)}` : "this document"} is not a Kuscia custom resource render expands\n`);
      continue;
    }
    const { result, object } = admit(doc.object);
    for (const w of result.warnings) io.stderr(`${doc.file}:${doc.lineOf(w.path)}: warning: ${w.message}\n`);
    // Everything expanded is named after the resource, so a nameless one (generateName) cannot be rendered.
    const violations = [...result.violations];
    if (typeof object.metadata?.name !== "string") violations.push({ path: "metadata.name", rule: "render.name", message: "metadata.name: is required: the objects Kuscia creates are named after it" });
    if (violations.length > 0) {
      failed = true;
      io.stderr(`${where}: refused ${doc.object.kind}${typeof object.metadata?.name === "string" ? ` ${JSON.stringify(object.metadata.name)}` : ""}, nothing rendered for it:\n`);
      for (const v of violations) io.stderr(`${doc.file}:${doc.lineOf(v.path)}: ${v.message} [${v.rule}]\n`);
      continue;
    }
    admitted.push({ doc, object });
  }

  for (const line of preflightWarnings([...admitted, ...jobs])) io.stderr(line);

  const appImages = admitted.map((a) => a.object).filter((o): o is AppImageResource => o.kind === "AppImage");
  const domains = admitted.map((a) => a.object).filter((o): o is DomainResource => o.kind === "Domain");
  const partnerDomains = domains.filter(isPartner).map((o) => o.metadata.name);
  const out: { source: string; objects: object[]; note?: string }[] = [];
  for (const { doc, object } of admitted) {
    const where = `${doc.file}:${doc.line}`;
    const ex = expand(object, { appImages, partnerDomains, renderConfigTemplates: opts.renderTemplates ?? true });
    for (const w of ex.warnings) io.stderr(`${where}: warning: ${w}\n`);
    if (ex.errors.length > 0) {
      failed = true;
      io.stderr(`${where}: cannot expand ${object.kind} ${JSON.stringify(object.metadata.name)}, nothing rendered for it:\n`);
      for (const e of ex.errors) io.stderr(`${where}: ${e}\n`);
      continue;
    }
    let objects: object[] = [...(emit !== "native" ? [object] : []), ...(emit !== "custom-resource" ? ex.objects : [])];
    if (object.kind === "ClusterDomainRoute") {
      // No native form: the route itself is created, and Kuscia's controller rewrites it and adds DomainRoutes (and an InteropConfig).
      const cdr = expandClusterDomainRoute(object, { domains });
      for (const w of cdr.warnings) io.stderr(`${where}: warning: ${w}\n`);
      objects = emit === "custom-resource" ? [object] : [cdr.route, ...cdr.domainRoutes, ...cdr.interopConfigs];
    }
    // Kuscia's controller allocates port numbers itself (pkg/utils port allocation, recorded in
    // the allocated-ports annotation) unless that annotation is already there; without it the
    // numbers printed are only the AppImage's declared ones.
    let note: string | undefined;
    if (object.kind === "KusciaDeployment" && emit !== "custom-resource" && !object.metadata.annotations?.[ANNOTATION.allocatedPorts]) {
      note = `port numbers shown are the AppImage's declared ports: KusciaDeployment ${JSON.stringify(object.metadata.name)} has no ${ANNOTATION.allocatedPorts} annotation, so Kuscia will allocate its own numbers (20000-32767 per namespace) at deploy time and record them there`;
      io.stderr(`${where}: note: ${note}\n`);
    }
    if (objects.length > 0) out.push({ source: `${where} ${object.kind} ${object.metadata.name}`, objects, note });
  }

  for (const { doc, object } of jobs) {
    // Its tasks' templates come from the AppImages given, self-cluster-as-participant from the partner Domains.
    const where = `${doc.file}:${doc.line}`;
    const ex = expandKusciaJob(object, { appImages, partnerDomains });
    for (const w of ex.warnings) io.stderr(`${where}: warning: ${w}\n`);
    if (ex.errors.length > 0) {
      failed = true;
      io.stderr(`${where}: refused KusciaJob, nothing rendered for it:\n`);
      for (const e of ex.errors) io.stderr(`${where}: ${e}\n`);
      continue;
    }
    const note = describeSchedule(object, ex.schedule);
    io.stderr(`${where}: note: ${note}\n`);
    out.push({ source: `${where} KusciaJob ${object.metadata.name}`, objects: [...(emit !== "native" ? [object] : []), ...ex.tasks], note });
  }
  if (opts.format === "json") {
    io.stdout(JSON.stringify({ apiVersion: "v1", kind: "List", items: out.flatMap((o) => o.objects) }, null, 2) + "\n");
  } else {
    const parts = out.flatMap((o) => o.objects.map((obj, i) => (i === 0 ? `# from ${o.source}\n${o.note ? `# note: ${o.note}\n` : ""}` : "") + stringify(obj, { lineWidth: 0 })));
    io.stdout(parts.join("---\n"));
  }
  return failed ? 1 : 0;
}

const APPIMAGE_KEY = `${APPIMAGE.apiVersion}/${APPIMAGE.kind}`;
const PREFLIGHT_IDS = new Set(PREFLIGHT.map((r) => r.id));

/**
 * The rule book's pre-flight checks (policy/preflight.ts) whose targets render has, one
 * `file:line: warning: ... [rule]` line each, in document order: the AppImages among the
 * documents given are all there are, as the expansion takes them (ref.kd.template-container,
 * ref.kd.deploy-template, ref.kj.deploy-template). A missing target is not reported here: the
 * expansion says it was not given.
 */
function preflightWarnings(docs: readonly { doc: SourceDoc; object: unknown }[]): string[] {
  const index = new ReferenceIndex();
  for (const d of docs) index.add(d.object);
  const found = new Map<string, { path: string; rule: string; message: string }[]>();
  for (const r of index.results({ config: defaultPolicyConfiguration(), complete: new Set([APPIMAGE_KEY]) })) {
    found.set(refKey(r.object), [...r.violations, ...r.warnings].filter((f) => PREFLIGHT_IDS.has(f.rule)));
  }
  const out: string[] = [];
  for (const { doc, object } of docs) {
    const ref = refOf(object);
    for (const f of (ref && found.get(refKey(ref))) || []) out.push(`${doc.file}:${doc.lineOf(f.path)}: warning: ${f.message} [${f.rule}]\n`);
  }
  return out;
}

export function register(program: Command): void {
  program
    .command("render")
    .description("Print the Kubernetes objects the Kuscia custom resources in the given files expand to")
    .argument("<path...>", "files or directories (recursive: *.yaml, *.yml, *.json); - reads standard input")
    .addOption(new Option("-f, --format <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .addOption(new Option("--emit <mode>", "native objects, the custom resources (defaulted), or both").choices([...EMIT_MODES]).default("native"))
    .option("--no-render-templates", "keep AppImage config templates verbatim in the ConfigMaps, as Kuscia stores them")
    .addHelpText(
      "after",
      `
KusciaDeployments find their AppImages among the documents given; parties whose
Domain is given with role partner are left to the partner. ClusterDomainRoutes
have no native form and are printed as they are.

Exit status:
  0  everything rendered
  1  an object was refused by the rule book or could not be expanded (its messages on stderr; nothing rendered for it)
  2  usage error, or a file that cannot be read or parsed (nothing rendered)

Examples:
  kuscia-iac render examples/manifests/accepted/secretflow-serving.yaml
  kuscia-iac render --format json domains.yaml | kubectl apply --dry-run=server -f -`,
    )
    .action(async (paths: string[], opts: RenderOptions) => {
      process.exitCode = await runRender(paths, opts);
    });
}
