/**
 * The outside baseline of bench/webhook.ts: a bare express endpoint over HTTPS, what a
 * minimal admission webhook is, in a process of its own. It parses the AdmissionReview
 * (express.json, the same body limit as the webhook's) and answers `allowed` with its uid:
 * no authentication, no worker threads, no log line, no metrics, no review. Reports its URL
 * and CA over IPC (the same shape as webhook-server.ts).
 */
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import express from "express";
import { issueCert, selfSignedCert } from "../pki";
import { MAX_BODY_BYTES } from "../webhook/body";

async function main(): Promise<void> {
  const ca = await selfSignedCert({ cn: "bench CA", isCA: true, days: 1 });
  const leaf = await issueCert({ ca, cn: "localhost", sans: ["127.0.0.1", "localhost"], days: 1 });
  const app = express();
  app.use(express.json({ limit: MAX_BODY_BYTES }));
  app.post("/validate", (req, res) => {
    const uid = (req.body as { request?: { uid?: string } })?.request?.uid;
    res.json({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid, allowed: true } });
  });
  const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  process.send!({ url: `https://127.0.0.1:${port}`, ca: ca.certPem });
  process.on("disconnect", () => server.close(() => process.exit(0)));
}

void main();
