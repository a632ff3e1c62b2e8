import { describe, expect, it } from "vitest";
import { endOfDay, parseInstant } from "./dates";

describe("parseInstant", () => {
  it("reads a calendar date as midnight UTC", () => {
    expect(parseInstant("2024-02-29")?.toISOString()).toBe("2024-02-29T00:00:00.000Z");
  });

  it("reads RFC 3339 date-times with an offset", () => {
    expect(parseInstant("2024-05-31T12:30:00+02:00")?.toISOString()).toBe("2024-05-31T10:30:00.000Z");
    expect(parseInstant("2024-05-31T12:30:00.123Z")?.toISOString()).toBe("2024-05-31T12:30:00.123Z");
  });

  it.each(["2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "1969-12-31", "2100-01-01", "2024-05-31T24:00:00Z", "2024-05-31T12:30:00", "31/05/2024", "tomorrow", "", "2024-05-31T12:30:00Z; DROP TABLE users"])(
    "refuses %j",
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );

  it("ends a day at its last millisecond", () => {
    expect(endOfDay(parseInstant("2024-05-31")!).toISOString()).toBe("2024-05-31T23:59:59.999Z");
  });
});
