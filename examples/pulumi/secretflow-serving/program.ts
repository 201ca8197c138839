/**
 * The program body, separate from index.ts so tests can run it under Pulumi mocks.
 * Both domains live in this one cluster (Kuscia's centralized mode), so each
 * party's Deployment lands in its own domain's namespace here.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppImage, Domain, KusciaDeployment, type Emit } from "kuscia-iac";

export interface SecretflowServingOptions {
  /** What to create; see kuscia-iac's Emit. Default native. */
  emit?: Emit;
  /** Kubernetes provider of the target cluster; default: the ambient kubeconfig. */
  provider?: pulumi.ProviderResource;
}

const INPUT_CONFIG = {
  partyConfigs: {
    alice: {
      serverConfig: { featureMapping: { v24: "x24", v22: "x22", v21: "x21", v25: "x25", v23: "x23" } },
      modelConfig: { modelId: "glm-test-1", basePath: "/tmp/alice", sourceMd5: "4216c62acba4a630d5039f917612780b", sourcePath: "examples/alice/glm-test.tar.gz", sourceType: "ST_FILE" },
      featureSourceConfig: { mockOpts: {} },
      channel_desc: { protocol: "http" },
    },
    bob: {
      serverConfig: { featureMapping: { v6: "x6", v7: "x7", v8: "x8", v9: "x9", v10: "x10" } },
      modelConfig: { modelId: "glm-test-1", basePath: "/tmp/bob", sourceMd5: "1ded1513dab8734e23152ef906c180fc", sourcePath: "examples/bob/glm-test.tar.gz", sourceType: "ST_FILE" },
      featureSourceConfig: { mockOpts: {} },
      channel_desc: { protocol: "http" },
    },
  },
};

const health = { httpGet: { path: "/health", port: 53511 } };

export function secretflowServing(opts: SecretflowServingOptions = {}) {
  const emit = opts.emit ?? "native";
  const resourceOpts = opts.provider ? { provider: opts.provider } : {};

  const domains = ["alice", "bob"].map((id) => new Domain(id, { emit }, resourceOpts));

  const image = new AppImage(
    "secretflow-serving-image",
    {
      emit,
      image: { name: "secretflow/serving-anolis8", tag: "latest", id: "abc", sign: "abc" },
      configTemplates: {
        "serving-config.conf": `{
  "serving_id": "{{.SERVING_ID}}",
  "input_config": "{{.INPUT_CONFIG}}",
  "cluster_def": "{{.CLUSTER_DEFINE}}",
  "allocated_ports": "{{.ALLOCATED_PORTS}}"
}
`,
      },
      deployTemplates: [
        {
          name: "secretflow",
          replicas: 1,
          spec: {
            restartPolicy: "Never",
            containers: [
              {
                name: "secretflow",
                command: ["sh", "-c", "./secretflow_serving --flagfile=conf/gflags.conf --config_mode=kuscia --serving_config_file=/etc/kuscia/serving-config.conf"],
                configVolumeMounts: [{ mountPath: "/etc/kuscia/serving-config.conf", subPath: "serving-config.conf" }],
                ports: [
                  { name: "service", port: 53509, protocol: "HTTP", scope: "Cluster" },
                  { name: "internal", port: 53510, protocol: "HTTP", scope: "Domain" },
                  { name: "brpc-builtin", port: 53511, protocol: "HTTP", scope: "Domain" },
                ],
                readinessProbe: health,
                livenessProbe: health,
                startupProbe: { ...health, failureThreshold: 30, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
                workingDir: "/root/sf_serving",
              },
            ],
          },
        },
      ],
    },
    resourceOpts,
  );

  const serving = new KusciaDeployment(
    "secretflow-serving",
    {
      emit,
      labels: { "kuscia.secretflow/app-type": "serving" },
      initiator: "alice",
      inputConfig: JSON.stringify(INPUT_CONFIG),
      appImages: [image.object],
      parties: [
        {
          domainID: "alice",
          appImageRef: "secretflow-serving-image",
          template: {
            replicas: 1,
            strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "30%", maxUnavailable: "30%" } },
            // The docs call this container "serving"; the AppImage's is "secretflow", and overrides match by name.
            spec: { containers: [{ name: "secretflow", resources: { limits: { cpu: "100m", memory: "100Mi" }, requests: { cpu: "100m", memory: "100Mi" } } }] },
          },
        },
        { domainID: "bob", appImageRef: "secretflow-serving-image" },
      ],
    },
    // The namespaces must exist before the party Deployments are created in them.
    { ...resourceOpts, dependsOn: domains },
  );

  return {
    domains: domains.map((d) => d.domainId),
    /** Everything created, once created. */
    objects: pulumi.all([...domains.map((d) => d.created), image.created, serving.created]).apply((lists) => lists.flat()),
    /** What the KusciaDeployment created. */
    created: serving.created,
    phase: serving.phase,
    partyStatuses: serving.partyStatuses,
  };
}
