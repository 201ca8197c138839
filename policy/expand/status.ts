/**
 * KusciaDeployment status from its Deployments' status, as the controller
 * computes it (refreshPartyDeploymentStatuses in pkg/controllers/kusciadeployment/reconcile.go).
 */

export type PartyPhase = "Progressing" | "PartialAvailable" | "Available";
export type KusciaDeploymentPhase = PartyPhase | "Failed";

/** The fields of a Deployment's `status` the phase depends on. */
export interface DeploymentCounts {
  replicas?: number;
  availableReplicas?: number;
}

export interface PartyStatus {
  domainID: string;
  role: string;
  /** Name of the party's Deployment in namespace `domainID`. */
  deployment: string;
  phase: PartyPhase;
  replicas: number;
  availableReplicas: number;
}

export interface KusciaDeploymentStatus {
  phase: KusciaDeploymentPhase;
  totalParties: number;
  availableParties: number;
  parties: PartyStatus[];
  /** Why the phase is Failed. */
  message?: string;
}

/** Available when every observed replica is available, PartialAvailable when some are, else Progressing. */
export function partyPhase(s: DeploymentCounts | undefined): PartyPhase {
  const replicas = s?.replicas ?? 0;
  const available = s?.availableReplicas ?? 0;
  if (available > 0) return available >= replicas ? "Available" : "PartialAvailable";
  return "Progressing";
}

export interface StatusInput {
  parties: Omit<PartyStatus, "phase">[];
  /** Parties of the KusciaDeployment, including those deployed elsewhere; default `parties.length`. */
  totalParties?: number;
  /** Validation or expansion errors: they make the phase Failed, as the controller's ValidateFailed does. */
  errors?: readonly string[];
}

/**
 * Overall phase: Failed on errors; Progressing while any party is; Available (or
 * PartialAvailable if one party is partial) once every party is available;
 * Progressing while some parties have not reported yet.
 */
export function kusciaDeploymentStatus(input: StatusInput): KusciaDeploymentStatus {
  const parties: PartyStatus[] = input.parties.map((p) => ({ ...p, phase: partyPhase(p) }));
  const totalParties = input.totalParties ?? parties.length;
  const availableParties = parties.filter((p) => p.phase !== "Progressing").length;
  if (input.errors && input.errors.length > 0) {
    return { phase: "Failed", totalParties, availableParties, parties, message: input.errors.join("; ") };
  }
  let phase: KusciaDeploymentPhase = "Progressing";
  if (!parties.some((p) => p.phase === "Progressing") && availableParties === totalParties && totalParties > 0) {
    phase = parties.some((p) => p.phase === "PartialAvailable") ? "PartialAvailable" : "Available";
  }
  return { phase, totalParties, availableParties, parties };
}
