/** Whole nodes as code: Kuscia autonomy nodes and their peering, Iflearner jobs and federations, the admission webhook. */
export { KusciaAutonomyNode, CONFIG_HASH_ANNOTATION, type KusciaAutonomyNodeArgs, type PeerNode } from "./autonomynode";
export { NodePeering, type NodePeeringArgs } from "./peering";
export { KusciaMasterNode, KusciaLiteNode, type KusciaMasterNodeArgs, type KusciaLiteNodeArgs, type MasterRef } from "./centralized";
export { IflearnerJob, iflearnerJobResource, type IflearnerJobArgs } from "./iflearnerjob";
export { IflearnerFederation, type IflearnerFederationArgs, type IflearnerMemberArgs } from "./iflearnerfederation";
export { AdmissionWebhook, type AdmissionWebhookArgs } from "./admissionwebhook";
export { SKIP_AWAIT } from "./objects";
export {
  RsaKey,
  SelfSignedCertificate,
  IssuedCertificate,
  certificateAuthority,
  issuedKeyPair,
  rsaKeyProvider,
  selfSignedCertificateProvider,
  issuedCertificateProvider,
  type RsaKeyArgs,
  type SelfSignedCertificateArgs,
  type IssuedCertificateArgs,
  type CertificateAuthority,
  type KeyPair,
  DeployToken,
  EncryptedInfo,
  deployTokenProvider,
  encryptedInfoProvider,
  type DeployTokenArgs,
  type EncryptedInfoArgs,
} from "../secrets";
export type { NodeProtocol, NodeRuntime, NodeCapacity, NodeLogLevel, NodeMode } from "../../policy/expand/autonomy";
export type { IflearnerRole, IflearnerJobResource } from "../../policy/expand/iflearner";
