/** A review report in the format asked for: what `review` and `audit` print on standard output. */
import type { PolicyConfig } from "../../policy/config/types";
import type { Report } from "../run";
import { formatGithub } from "./github";
import { formatJson } from "./json";
import { formatJunit } from "./junit";
import { formatSarif } from "./sarif";
import { formatText } from "./text";

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
