import { strict as assert } from "node:assert";
import { formatDecimalMilli, parseQuantity, splitQuantity } from "../../../policy/expand/quantity";

describe("resource quantities as Kuscia's SplitRSC writes them (pkg/utils/resources/common.go)", () => {
  it("divides decimal quantities in milli-units and prints them as Go does", () => {
    assert.equal(splitQuantity("2", 2), "1");
    assert.equal(splitQuantity("1", 3), "333m");
    assert.equal(splitQuantity("500m", 2), "250m");
    assert.equal(splitQuantity("4000", 2), "2k");
    assert.equal(splitQuantity("1.5", 1), "1500m");
    assert.equal(splitQuantity("2G", 2), "1G");
  });

  it("divides binary quantities in whole units and stores them in canonical form, as the job controller does", () => {
    // upstream prints 4096Mi, MustParse and the JSON encoding store 4Gi (seen from Kuscia's own controller)
    assert.equal(splitQuantity("8Gi", 2), "4Gi");
    assert.equal(splitQuantity("4Gi", 4), "1Gi");
    assert.equal(splitQuantity("3Gi", 2), "1536Mi");
    assert.equal(splitQuantity("512Mi", 2), "256Mi");
    assert.equal(splitQuantity("100Mi", 100), "1Mi");
    assert.equal(splitQuantity("1000Mi", 3), "341333Ki"); // 349525333 bytes, printed %.0fKi
    assert.equal(splitQuantity("2Ki", 2), "1Ki");
    assert.equal(splitQuantity("1Ki", 2), "512");
  });

  it("rounds like Go's %.0f (half to even)", () => {
    assert.equal(splitQuantity("5Gi", 2), "2560Mi");
    assert.equal(splitQuantity("5Ki", 2), "2560");
    // 3Mi + 1Ki over 2 = 1573376 bytes = 1536.5Ki: a tie, to even -> 1536Ki = 1.5Mi
    assert.equal(splitQuantity("3073Ki", 2), "1536Ki");
  });

  it("parses what the API server accepts, and refuses what it does not", () => {
    assert.deepEqual(parseQuantity("100m"), { milli: 100n, format: "DecimalSI" });
    assert.deepEqual(parseQuantity("1Ki"), { milli: 1024000n, format: "BinarySI" });
    assert.deepEqual(parseQuantity("1e3"), { milli: 1000000n, format: "DecimalExponent" });
    assert.equal(parseQuantity("1 Gi"), undefined);
    assert.equal(splitQuantity("lots", 2), undefined);
    assert.equal(formatDecimalMilli(0n), "0");
  });
});
