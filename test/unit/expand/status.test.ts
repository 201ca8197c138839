import { strict as assert } from "node:assert";
import { kusciaDeploymentStatus, partyPhase } from "../../../policy/expand";

const party = (replicas: number, availableReplicas: number, domainID = "alice") => ({ domainID, role: "", deployment: "d", replicas, availableReplicas });

describe("expansion: KusciaDeployment status", () => {
  it("phases a party from its Deployment's replicas and available replicas", () => {
    assert.equal(partyPhase({ replicas: 2, availableReplicas: 2 }), "Available");
    assert.equal(partyPhase({ replicas: 2, availableReplicas: 3 }), "Available");
    assert.equal(partyPhase({ replicas: 3, availableReplicas: 1 }), "PartialAvailable");
    assert.equal(partyPhase({ replicas: 1, availableReplicas: 0 }), "Progressing");
    assert.equal(partyPhase({ replicas: 0, availableReplicas: 0 }), "Progressing");
    assert.equal(partyPhase(undefined), "Progressing");
  });

  it("is Available when every party is, PartialAvailable when one is partial, Progressing while any is", () => {
    assert.equal(kusciaDeploymentStatus({ parties: [party(1, 1), party(2, 2, "bob")] }).phase, "Available");
    assert.equal(kusciaDeploymentStatus({ parties: [party(1, 1), party(2, 1, "bob")] }).phase, "PartialAvailable");
    const s = kusciaDeploymentStatus({ parties: [party(1, 1), party(2, 0, "bob")] });
    assert.equal(s.phase, "Progressing");
    assert.equal(s.availableParties, 1);
    assert.deepEqual(s.parties.map((p) => p.phase), ["Available", "Progressing"]);
  });

  it("stays Progressing until every party has reported, and is Failed on errors", () => {
    assert.equal(kusciaDeploymentStatus({ parties: [party(1, 1)], totalParties: 2 }).phase, "Progressing");
    assert.equal(kusciaDeploymentStatus({ parties: [], totalParties: 0 }).phase, "Progressing");
    const f = kusciaDeploymentStatus({ parties: [party(1, 1)], errors: ["AppImage missing"] });
    assert.equal(f.phase, "Failed");
    assert.equal(f.message, "AppImage missing");
  });
});
