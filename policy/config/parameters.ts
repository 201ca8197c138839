/**
 * Rule parameters: thresholds that are a policy choice rather than an upstream
 * fact. Each has a default, a JSON Schema for the configuration file, and the
 * rules that read it. Rules read them through `RuleContext.params`.
 */

export interface PolicyParameters {
  /** Days before a certificate's notAfter from which `*.expiring` warns. Default 30. */
  certificateExpiryWarningDays: number;
  /** Smallest RSA modulus, in bits, accepted for node keys and domain certificates. Default 2048 (what Kuscia generates). */
  minRsaKeyBits: number;
}

export const DEFAULT_PARAMETERS: Readonly<PolicyParameters> = Object.freeze({
  certificateExpiryWarningDays: 30,
  minRsaKeyBits: 2048,
});

/** JSON Schema of the `parameters` section (additional properties refused, so a typo is an error). */
export const PARAMETERS_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    certificateExpiryWarningDays: { type: "integer", minimum: 0, maximum: 3650, description: "days before expiry from which certificates warn" },
    minRsaKeyBits: { type: "integer", minimum: 1024, maximum: 16384, description: "smallest RSA key size accepted, in bits" },
  },
} as const;
