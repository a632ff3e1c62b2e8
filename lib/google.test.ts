import { describe, expect, it } from "vitest";
import { grantIdOf } from "./google";

describe("grantIdOf", () => {
  it("takes the grantee's own grantId", () => {
    expect(grantIdOf({ member: "serviceAccount:x@p.iam.gserviceaccount.com", grantId: "api" })).toBe("api");
  });

  it("derives one from a literal member: its letters and digits, lowercase, hyphen-joined", () => {
    expect(grantIdOf({ member: "group:Ops-Team@acme.org" })).toBe("group-ops-team-acme-org");
    expect(grantIdOf({ member: "allUsers" })).toBe("allusers");
  });

  it("refuses to derive one from a member known only at apply", () => {
    expect(() => grantIdOf({ member: "serviceAccount:${TfToken[TOKEN.12]}" })).toThrow(/needs a grantId/);
  });
});
