/**
 * One AdmissionReview body (already size- and depth-checked: checkJsonDepth) to its answer: JSON.parse,
 * the envelope check and the rule book. The same function runs on the main thread
 * (--review-workers 0, or a custom reviewer) and in the review workers, so both answer
 * byte for byte alike. Throws HttpError (body is not JSON) or BadAdmissionReview: both 400.
 */
import type { PolicyConfig } from "../policy";
import { answer, parseAdmissionReview, type AdmissionResponseBody, type Endpoint, type Reviewer, type ReviewSummary } from "./admission";
import { parseJsonText } from "./body";

export function reviewBody(buf: Buffer, endpoint: Endpoint, reviewer: Reviewer, config: PolicyConfig): { body: AdmissionResponseBody; summary: ReviewSummary } {
  const admission = parseAdmissionReview(parseJsonText(buf));
  return answer(admission, endpoint, reviewer, undefined, config);
}
