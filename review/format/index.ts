/** A review report in the format asked for: what `review` and `audit` print on standard output. */
import type { PolicyConfig } from "../../policy/config/types";
import type { Report } from "../run";
import { formatGithub, githubStream } from "./github";
import { formatJson, jsonStream } from "./json";
import { formatJunit } from "./junit";
import { formatSarif } from "./sarif";
import type { ReportStream } from "./stream";
import { formatText, textStream } from "./text";

export type { ReportStream } from "./stream";

export const REPORT_FORMATS = ["text", "json", "junit", "sarif", "github"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * Base URL of the documentation the SARIF `helpUri`s point into (policy/ruledocs.ts adds
 * `docs/rules/<id>.md`): KUSCIA_IAC_DOCS_URL when set (a fork's or a mirror's docs), else the
 * published package of this version on unpkg, which serves the package's docs/ tree.
 */
export function docsBaseUrl(): string {
  const given = process.env.KUSCIA_IAC_DOCS_URL?.trim();
  if (given) return given;
  const pkg = require("../../../package.json") as { name: string; version: string };
  return `https://unpkg.com/${pkg.name}@${pkg.version}/`;
}

/**
 * The format as a stream written result by result (text, json, github), or undefined for the
 * formats that need the whole report before their first byte (junit counts tests in its
 * header; sarif lists the rules of all results first). See review/format/stream.ts.
 */
export function streamFormat(format: ReportFormat, color: boolean): ReportStream | undefined {
  switch (format) {
    case "json":
      return jsonStream();
    case "github":
      return githubStream();
    case "text":
      return textStream(color);
    default:
      return undefined;
  }
}

/** `color` applies to text only (a terminal, and NO_COLOR unset); `config` sets SARIF's per-rule default levels. */
export function formatReport(report: Report, format: ReportFormat, color: boolean, config?: PolicyConfig): string {
  switch (format) {
    case "json":
      return formatJson(report);
    case "junit":
      return formatJunit(report);
    case "sarif":
      return formatSarif(report, require("../../../package.json").version as string, config, docsBaseUrl());
    case "github":
      return formatGithub(report);
    default:
      return formatText(report, color);
  }
}
