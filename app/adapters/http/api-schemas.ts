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

const instant = z.string("must be a string").transform((value, ctx) => {
  const parsed = parseInstant(value);
  if (!parsed) {
    ctx.addIssue({ code: "custom", message: INSTANT_RULE });
    return z.NEVER;
  }
  return parsed;
});

/** Amounts as a JSON number or a decimal string, at most two decimals; returned as cents. */
const amount = (rule: { allowNegative: boolean }) =>
  z.union([z.number(), z.string()], "must be a number or a decimal string").transform((value, ctx) => {
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

/** Query-string integers arrive as text. */
const queryInt = (min: number, max: number) =>
  z
    .string("must be a single integer")
    .regex(/^\d{1,9}$/, `must be an integer >= ${min}`)
    .transform(Number)
    .refine((n) => n >= min, `must be an integer >= ${min}`)
    .refine((n) => n <= max, `must be at most ${max}`);

export const registerBody = z.strictObject(
  {
    email: z.email("must be an email address").max(254, "must be at most 254 characters"),
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
    from: z.string("must be a single value").optional(),
    to: z.string("must be a single value").optional(),
    page: queryInt(1, 10_000).default(1),
    // Capped rather than refused: a client asking for 1000 gets the maximum page.
    per_page: queryInt(1, Number.MAX_SAFE_INTEGER).default(20).transform((n) => Math.min(n, MAX_PER_PAGE)),
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
export const idParams = z.strictObject({ id });
