/**
 * The API's request DTOs. Objects are strict (an unknown or misspelt field is a 400 naming it);
 * strings are trimmed, length-limited and free of control characters.
 */
import { z } from "zod";
import { endOfDay, INSTANT_RULE, isDateOnly, parseInstant } from "../../domain/dates";
import { MAX_ABS_AMOUNT_CENTS, parseAmountToCents } from "../../domain/money";
import { MAX_PER_PAGE } from "../../domain/queries/transactions";
import { freeTextProblem, MAX_DESCRIPTION_LENGTH } from "../../domain/text";
import { refuse, storableText } from "./validation";

const text = (max: number) =>
  z
    .string("must be a string")
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .superRefine(refuse(freeTextProblem));

const id = z.uuid("must be a UUID");

const instant = z.string("must be a string").meta({ description: INSTANT_RULE, examples: ["2025-01-31", "2025-01-31T12:30:00+01:00"] }).transform((value, ctx) => {
  const parsed = parseInstant(value);
  if (!parsed) {
    ctx.addIssue({ code: "custom", message: INSTANT_RULE });
    return z.NEVER;
  }
  return parsed;
});

/** Amounts as a JSON number or a decimal string, at most two decimals; returned as cents. */
const amount = (rule: { allowNegative: boolean }) =>
  z
    .union([z.number(), z.string()], "must be a number or a decimal string")
    .meta({
      description: `a non-zero ${rule.allowNegative ? "" : "positive "}amount with at most 2 decimals, at most 1000000000.00 in absolute value, as a number or a decimal string`,
      examples: ["-12.50"],
    })
    .transform((value, ctx) => {
    const cents = parseAmountToCents(value);
    const problem =
      cents === undefined
        ? "must be a decimal amount with at most 2 decimals"
        : cents === 0
          ? "must not be zero"
          : Math.abs(cents) > MAX_ABS_AMOUNT_CENTS
            ? "must be at most 1000000000.00 in absolute value"
            : !rule.allowNegative && cents < 0
              ? "must be positive"
              : undefined;
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    }
    return cents!;
  });

/** Query-string integers arrive as text; the published description calls them integers. */
const QUERY_INT_MAX = 999_999_999;
const queryInt = (min: number, max: number, description?: string) =>
  z
    .string("must be a single integer")
    .regex(/^\d{1,9}$/, `must be an integer >= ${min}`)
    .transform(Number)
    .refine((n) => n >= min, `must be an integer >= ${min}`)
    .refine((n) => n <= max, `must be at most ${max}`)
    .meta({
      description,
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
        delete jsonSchema.pattern;
        Object.assign(jsonSchema, { type: "integer", minimum: min, maximum: Math.min(max, QUERY_INT_MAX) });
      },
    });

export const registerBody = z.strictObject(
  {
    email: z
      .email("must be an email address")
      .max(254, "must be at most 254 characters")
      // RFC 5321, section 4.5.3.1.1, as the `email` format of the published JSON Schema reads it.
      .refine((email) => email.lastIndexOf("@") <= 64, "must have at most 64 characters before the @"),
    password: storableText(128, 8),
    name: text(100),
  },
  "must be a JSON object",
);

export const loginBody = z.strictObject(
  {
    // Looked up as given (an unknown address is a 401), but it reaches PostgreSQL: no NUL.
    email: storableText(254),
    password: storableText(128),
  },
  "must be a JSON object",
);

export const createAccountBody = z.strictObject(
  {
    name: text(100),
    currency: z.string("must be a string").regex(/^[A-Z]{3}$/, "must be a 3-letter ISO 4217 code such as EUR"),
  },
  "must be a JSON object",
);

export const createTransactionBody = z.strictObject(
  {
    account_id: id,
    amount: amount({ allowNegative: true }),
    description: text(MAX_DESCRIPTION_LENGTH),
    occurred_at: instant,
    category_id: id.nullable().optional(),
  },
  "must be a JSON object",
);

export const setBudgetBody = z.strictObject(
  { category_id: id, monthly_limit: amount({ allowNegative: false }) },
  "must be a JSON object",
);

export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7E]{1,255}$/, "must be 1-255 printable ASCII characters")
  .optional();

export const listTransactionsQuery = z
  .strictObject({
    account_id: id.optional(),
    category_id: id.optional(),
    from: z.string("must be a single value").optional().meta({ description: `${INSTANT_RULE}; the earliest transaction to include` }),
    to: z.string("must be a single value").optional().meta({ description: `${INSTANT_RULE}; the latest (a date includes that whole day)` }),
    page: queryInt(1, 10_000).default(1),
    // Capped rather than refused: a client asking for 1000 gets the maximum page.
    per_page: queryInt(1, QUERY_INT_MAX, `rows per page; more than ${MAX_PER_PAGE} gives ${MAX_PER_PAGE}`)
      .default(20)
      .transform((n) => Math.min(n, MAX_PER_PAGE)),
  })
  .transform((query, ctx) => {
    const from = query.from === undefined ? undefined : parseInstant(query.from);
    const toDay = query.to === undefined ? undefined : parseInstant(query.to);
    if (query.from !== undefined && !from) ctx.addIssue({ code: "custom", path: ["from"], message: INSTANT_RULE });
    if (query.to !== undefined && !toDay) ctx.addIssue({ code: "custom", path: ["to"], message: INSTANT_RULE });
    const to = toDay && query.to && isDateOnly(query.to) ? endOfDay(toDay) : toDay;
    if (from && to && from > to) ctx.addIssue({ code: "custom", path: ["from"], message: "must not be after to" });
    return {
      accountId: query.account_id,
      categoryId: query.category_id,
      from,
      to,
      page: query.page,
      perPage: query.per_page,
    };
  });

export const importQuery = z.strictObject({ account_id: id });

/** A calendar month (UTC, as budgets count it), `YYYY-MM`, 1970-2099. */
const MONTH = /^(19[7-9]\d|20\d\d)-(0[1-9]|1[0-2])$/;
export const spendingQuery = z.strictObject({
  month: z
    .string("must be a single value")
    .regex(MONTH, "must be a month YYYY-MM between 1970-01 and 2099-12")
    .optional()
    .meta({ description: "the calendar month (UTC) as YYYY-MM; the current month when left out", examples: ["2025-03"] }),
});
export const idParams = z.strictObject({ id });

/*
 * What the API answers (the read models in domain/read-models.ts, as JSON). Used to publish the
 * OpenAPI description; objects are closed (`additionalProperties: false`), so a column leaking into
 * an answer fails the response-schema checks (schemathesis, app/test/openapi.test.ts).
 */
const uuid = z.uuid();
const decimal = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "a decimal amount with two decimals", examples: ["-12.50"] });
const timestamp = z.iso.datetime().meta({ description: "an RFC 3339 UTC timestamp" });

export const userResponse = z.object({ id: uuid, email: z.string(), name: z.string(), created_at: timestamp }).meta({ id: "User" });
export const registeredResponse = z.object({ user: userResponse, token: z.string() }).meta({ id: "Registered" });
export const tokenResponse = z.object({ token: z.string().meta({ description: "send as `Authorization: Bearer <token>`" }) }).meta({ id: "Token" });
export const accountResponse = z
  .object({ id: uuid, name: z.string(), currency: z.string().regex(/^[A-Z]{3}$/), balance: decimal, created_at: timestamp })
  .meta({ id: "Account" });
export const accountListResponse = z.object({ data: z.array(accountResponse) }).meta({ id: "AccountList" });
export const categoryResponse = z.object({ id: uuid, name: z.string() }).meta({ id: "Category" });
export const categoryListResponse = z.object({ data: z.array(categoryResponse) }).meta({ id: "CategoryList" });
export const budgetResponse = z.object({ id: uuid, category_id: uuid, monthly_limit: decimal }).meta({ id: "Budget" });
export const transactionResponse = z
  .object({
    id: uuid,
    account_id: uuid,
    amount: decimal,
    description: z.string(),
    occurred_at: timestamp,
    category_id: uuid.nullable(),
    created_at: timestamp,
  })
  .meta({ id: "Transaction" });
export const transactionPageResponse = z
  .object({ data: z.array(transactionResponse), page: z.int().min(1), per_page: z.int().min(1).max(MAX_PER_PAGE), has_more: z.boolean() })
  .meta({ id: "TransactionPage" });
const importStatus = z.enum(["pending", "running", "completed", "failed"]);
export const importAcceptedResponse = z.object({ id: uuid, status: importStatus }).meta({ id: "ImportAccepted" });
export const importResponse = z
  .object({
    id: uuid,
    account_id: uuid,
    status: importStatus,
    total_rows: z.int().min(0),
    processed_rows: z.int().min(0),
    imported_rows: z.int().min(0),
    error: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "Import" });
export const importListResponse = z.object({ data: z.array(importResponse) }).meta({ id: "ImportList" });
export const spendingResponse = z
  .object({
    month: z.string().regex(MONTH).meta({ description: "the calendar month (UTC), YYYY-MM" }),
    data: z.array(
      z.object({
        category_id: uuid.nullable().meta({ description: "null: spending not (yet) categorised" }),
        spent: decimal.meta({ description: "outgoings in the month as a positive amount (0.00 for a budgeted category with none)" }),
        monthly_limit: decimal.nullable().meta({ description: "the category's budget, if it has one" }),
      }),
    ),
  })
  .meta({ id: "Spending" });
export const notificationListResponse = z
  .object({
    data: z.array(
      z.object({
        id: uuid,
        kind: z.string().meta({ examples: ["budget.exceeded"] }),
        data: z.record(z.string(), z.unknown()).meta({ description: "what the notification is about; its fields depend on the kind" }),
        created_at: timestamp,
      }),
    ),
  })
  .meta({ id: "NotificationList" });
export const clientConfigResponse = z
  .object({
    realtime_url: z.string().meta({
      description: "where browsers open the realtime WebSocket: a path on this origin (`/ws`, behind a load balancer) or an absolute ws(s):// URL",
      examples: ["/ws", "ws://127.0.0.1:8082/ws"],
    }),
  })
  .meta({ id: "ClientConfig" });
/** Every 4xx/5xx: `errors.ts` builds it. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "stable machine-readable code, e.g. validation_failed" }),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional().meta({ description: "each bad field (dotted path, header name, rows[N].column) and what is wrong with it" }),
    }),
  })
  .meta({ id: "Error" });
export const healthResponse = z.object({ status: z.literal("ok") }).meta({ id: "Health" });
export const readyResponse = z.object({ status: z.literal("ready") }).meta({ id: "Ready" });
