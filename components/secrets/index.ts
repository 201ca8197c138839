/** Keys and certificates generated once and kept, secret, in the Pulumi state. */
export { RsaKey, type RsaKeyArgs } from "./rsakey";
export { SelfSignedCertificate, IssuedCertificate, DEFAULT_CERT_DAYS, type SelfSignedCertificateArgs, type IssuedCertificateArgs, type CertificateOutputs } from "./certificates";
export { certificateAuthority, issuedKeyPair, namedCertificateAuthority, namedIssuedKeyPair, type KeyPair, type CertificateAuthority, type PairNaming, type IssuedKeyPairArgs } from "./pairs";
export { rsaKeyProvider, selfSignedCertificateProvider, issuedCertificateProvider, deployTokenProvider, encryptedInfoProvider, DYNAMIC_PROVIDERS, DYNAMIC_TYPES, DYNAMIC_MODULE } from "./providers";
export { UNKNOWN, diffSecret, keyFingerprint, encryptOaep, type RsaKeyOutputs, type SelfSignedCertificateOutputs, type IssuedCertificateOutputs } from "./generate";
export { hostSecretsInProvider, secretsHostedByPlugin, hostedType, hostedKind, secretType, HOSTED_MODULE } from "./host";
export { DeployToken, EncryptedInfo, type DeployTokenArgs, type EncryptedInfoArgs } from "./tokens";
