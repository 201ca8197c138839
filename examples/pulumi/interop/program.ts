/**
 * The program body, separate from index.ts so tests can run it under Pulumi mocks.
 *
 * bob (the host) schedules work for alice (the member). On bob's cluster:
 * alice as a partner Domain, and the InteropConfig's native form, RBAC letting
 * alice's identity (ServiceAccount alice/alice, which the partner Domain
 * creates) read what bob places in namespace alice. On alice's cluster: bob as
 * a partner Domain, alice's route to bob, and the InteropConfig itself, which
 * makes alice's Kuscia watch bob's API server.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterDomainRoute, Domain, InteropConfig } from "kuscia-iac";

export interface InteropOptions {
  /** base64 of alice's PEM certificate (RSA >= 2048, CN alice). */
  aliceCert: pulumi.Input<string>;
  /** base64 of bob's PEM certificate (RSA >= 2048, CN bob). */
  bobCert: pulumi.Input<string>;
  /** Provider of bob's cluster. */
  hostProvider?: pulumi.ProviderResource;
  /** Provider of alice's cluster. */
  memberProvider?: pulumi.ProviderResource;
  /** Host name of bob's gateway, as seen from alice's cluster. */
  hostGateway?: string;
}

export function interop(opts: InteropOptions) {
  const onHost = opts.hostProvider ? { provider: opts.hostProvider } : {};
  const onMember = opts.memberProvider ? { provider: opts.memberProvider } : {};

  // bob's cluster
  const aliceOnHost = new Domain("alice-on-bob", { name: "alice", role: "partner", cert: opts.aliceCert, interConnProtocols: ["kuscia"] }, onHost);
  // Not named alice-2-bob: Kuscia's route controller owns InteropConfigs of that name.
  const hostAccess = new InteropConfig("bob-members", { host: "bob", members: ["alice"], emit: "native" }, { ...onHost, dependsOn: [aliceOnHost] });

  // alice's cluster
  const bobOnMember = new Domain("bob-on-alice", { name: "bob", role: "partner", cert: opts.bobCert, interConnProtocols: ["kuscia"], emit: "custom-resource" }, onMember);
  const route = new ClusterDomainRoute(
    "alice-bob",
    {
      source: "alice",
      destination: "bob",
      interConnProtocol: "kuscia",
      authenticationType: "Token",
      tokenConfig: { tokenGenMethod: "RSA-GEN", rollingUpdatePeriod: 86400 },
      endpoint: { host: opts.hostGateway ?? "kuscia-autonomy-bob.autonomy-bob.svc.cluster.local", ports: [{ name: "http", port: 1080, protocol: "HTTP", isTLS: false }] },
    },
    { ...onMember, dependsOn: [bobOnMember] },
  );
  const memberConfig = new InteropConfig("bob-members-on-alice", { name: "bob-members", host: "bob", members: ["alice"], emit: "custom-resource" }, { ...onMember, dependsOn: [route] });

  return {
    hostObjects: pulumi.all([aliceOnHost.created, hostAccess.created]).apply((lists) => lists.flat()),
    memberObjects: pulumi.all([bobOnMember.created, route.created, memberConfig.created]).apply((lists) => lists.flat()),
  };
}
