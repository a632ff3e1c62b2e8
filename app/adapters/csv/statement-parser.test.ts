import { describe, expect, it } from "vitest";
import { CsvStatementParser } from "./statement-parser";

const parser = new CsvStatementParser();

describe("CSV statements", () => {
  it("parses rows with quoting, a BOM and columns in any order", () => {
    const result = parser.parse('\uFEFFamount,date,description\n-12.50,2025-01-02,"Shop, the corner one"\n2500,2025-01-31,"ACME ""salary"""\n');
    expect(result).toEqual({
      ok: true,
      rows: [
        { row: 1, occurredAt: new Date("2025-01-02T00:00:00Z"), description: "Shop, the corner one", amountCents: -1250 },
        { row: 2, occurredAt: new Date("2025-01-31T00:00:00Z"), description: 'ACME "salary"', amountCents: 250000 },
      ],
    });
  });

  it("names every bad cell by row and column", () => {
    const result = parser.parse("date,description,amount\n2025-02-30,ok,1\n2025-01-01,,abc\n");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.fields).sort()).toEqual(["rows[1].date", "rows[2].amount", "rows[2].description"]);
  });

  it("requires the header columns", () => {
    const result = parser.parse("when,what,how much\n2025-01-01,x,1\n");
    expect(result).toMatchObject({ ok: false, fields: { csv: expect.stringContaining("missing date, description, amount") } });
  });

  it("refuses a header without rows and broken quoting", () => {
    expect(parser.parse("date,description,amount\n")).toMatchObject({ ok: false, message: "the statement has no rows" });
    expect(parser.parse('date,description,amount\n2025-01-01,"unterminated,1\n')).toMatchObject({ ok: false, message: expect.stringContaining("malformed CSV") });
  });
});
