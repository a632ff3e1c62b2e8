/**
 * CSV statements (`date,description,amount`, header required, columns in any order) parsed with
 * csv-parse, which handles quoting, embedded commas/newlines and a BOM. Every bad cell is reported
 * as `rows[N].column` (N counts data rows from 1), up to a limit.
 */
import { parse } from "csv-parse/sync";
import { INSTANT_RULE, parseInstant } from "../../domain/dates";
import { MAX_ABS_AMOUNT_CENTS, parseAmountToCents } from "../../domain/money";
import type { StatementRow } from "../../domain/model";
import type { StatementParser, StatementParseResult } from "../../domain/ports";
import { hasControlCharacters, MAX_DESCRIPTION_LENGTH } from "../../domain/text";

const COLUMNS = ["date", "description", "amount"] as const;
const MAX_REPORTED_ERRORS = 20;
export const MAX_STATEMENT_ROWS = 20_000;

export class CsvStatementParser implements StatementParser {
  parse(csv: string): StatementParseResult {
    let records: Array<Record<string, string>>;
    let header: string[] = [];
    try {
      records = parse(csv, {
        bom: true,
        trim: true,
        skip_empty_lines: true,
        columns: (names: string[]) => (header = names.map((name) => name.toLowerCase())),
      });
    } catch (error) {
      const message = `malformed CSV: ${(error as Error).message}`;
      return { ok: false, message, fields: { csv: message } };
    }
    const missing = COLUMNS.filter((column) => !header.includes(column));
    if (missing.length > 0) {
      const message = `the header must name the columns ${COLUMNS.join(",")}; missing ${missing.join(", ")}`;
      return { ok: false, message, fields: { csv: message } };
    }
    if (records.length === 0) return { ok: false, message: "the statement has no rows", fields: { csv: "has a header but no rows" } };
    if (records.length > MAX_STATEMENT_ROWS) {
      const message = `the statement has ${records.length} rows; at most ${MAX_STATEMENT_ROWS} per import`;
      return { ok: false, message, fields: { csv: message } };
    }

    const rows: StatementRow[] = [];
    const fields: Record<string, string> = {};
    const report = (row: number, column: string, rule: string) => {
      if (Object.keys(fields).length < MAX_REPORTED_ERRORS) fields[`rows[${row}].${column}`] = rule;
    };
    records.forEach((record, index) => {
      const row = index + 1;
      const occurredAt = parseInstant(record.date ?? "");
      const description = record.description ?? "";
      const amountCents = parseAmountToCents(record.amount ?? "");
      if (!occurredAt) report(row, "date", INSTANT_RULE);
      if (description.length === 0 || description.length > MAX_DESCRIPTION_LENGTH || hasControlCharacters(description)) {
        report(row, "description", `must be 1-${MAX_DESCRIPTION_LENGTH} characters without control characters`);
      }
      if (amountCents === undefined || amountCents === 0 || Math.abs(amountCents) > MAX_ABS_AMOUNT_CENTS) {
        report(row, "amount", "must be a non-zero decimal amount with at most 2 decimals");
      }
      if (occurredAt && amountCents) rows.push({ row, occurredAt, description, amountCents });
    });
    if (Object.keys(fields).length > 0) return { ok: false, message: "the statement has invalid rows", fields };
    return { ok: true, rows };
  }
}
