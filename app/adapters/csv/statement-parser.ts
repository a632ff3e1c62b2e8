/**
 * CSV statements (`date,description,amount`, header required, columns in any order) parsed with
 * csv-parse, which handles quoting, embedded commas/newlines and a BOM. Every bad cell is reported
 * as `rows[N].column` (N counts data rows from 1), up to a limit. The whole statement is stored
 * (the worker imports it later), so every cell, extra columns and the header included, must be text
 * PostgreSQL can hold: a NUL anywhere is reported as `header[N]` (N counts columns from 1) or
 * `rows[N].column`.
 */
import { parse } from "csv-parse/sync";
import { INSTANT_RULE, parseInstant } from "../../domain/dates";
import { MAX_ABS_AMOUNT_CENTS, parseAmountToCents } from "../../domain/money";
import type { StatementRow } from "../../domain/model";
import type { StatementParser, StatementParseResult } from "../../domain/ports";
import { freeTextProblem, MAX_DESCRIPTION_LENGTH, NUL_RULE, storableTextProblem } from "../../domain/text";

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
    // A Map: column names come from the upload and may be `__proto__`.
    const problems = new Map<string, string>();
    const reportField = (field: string, rule: string) => {
      if (problems.size < MAX_REPORTED_ERRORS && !problems.has(field)) problems.set(field, rule);
    };
    const report = (row: number, column: string, rule: string) => reportField(`rows[${row}].${column}`, rule);
    header.forEach((name, index) => {
      const problem = storableTextProblem(name);
      if (problem) reportField(`header[${index + 1}]`, problem);
    });
    records.forEach((record, index) => {
      const row = index + 1;
      const occurredAt = parseInstant(record.date ?? "");
      const description = record.description ?? "";
      const amountCents = parseAmountToCents(record.amount ?? "");
      if (!occurredAt) report(row, "date", INSTANT_RULE);
      if (description.length === 0 || description.length > MAX_DESCRIPTION_LENGTH || freeTextProblem(description)) {
        report(row, "description", `must be 1-${MAX_DESCRIPTION_LENGTH} characters without control characters`);
      }
      for (const [column, value] of Object.entries(record)) {
        const problem = COLUMNS.includes(column as (typeof COLUMNS)[number]) ? undefined : storableTextProblem(value);
        if (problem) report(row, column, problem);
      }
      if (amountCents === undefined || amountCents === 0 || Math.abs(amountCents) > MAX_ABS_AMOUNT_CENTS) {
        report(row, "amount", "must be a non-zero decimal amount with at most 2 decimals");
      }
      if (occurredAt && amountCents) rows.push({ row, occurredAt, description, amountCents });
    });
    // Belt and braces: a NUL the parser dropped or kept outside any cell still cannot be stored.
    if (problems.size === 0 && csv.includes("\u0000")) reportField("csv", NUL_RULE);
    if (problems.size > 0) return { ok: false, message: "the statement has invalid rows", fields: Object.fromEntries(problems) };
    return { ok: true, rows };
  }
}
