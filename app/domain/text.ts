/**
 * Free text is stored as given, but what PostgreSQL cannot store faithfully is refused up front,
 * as a 400 naming the field, rather than failing (500) or being altered on the way in:
 * - NUL: PostgreSQL's text cannot hold it, and jsonb rejects `\u0000` for the same reason
 *   (PostgreSQL docs, "8.14. JSON Types");
 * - lone UTF-16 surrogates (`"x\ud800y"` is valid JSON): not Unicode scalar values, so they have no
 *   UTF-8 form. In a text column node-postgres would store U+FFFD instead of what was sent; jsonb
 *   refuses them outright ("insists that any use of Unicode surrogate pairs ... be correct", same
 *   page), which made an Idempotency-Key replay of such a description a 500.
 * Names and descriptions also refuse the other control characters.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// With the u flag a well-formed surrogate pair reads as one astral code point, so only lone
// surrogates match (String.prototype.isWellFormed is ES2024, past this project's lib).
const LONE_SURROGATE = /\p{Cs}/u;

export const hasControlCharacters = (text: string): boolean => CONTROL.test(text);
export const hasLoneSurrogates = (text: string): boolean => LONE_SURROGATE.test(text);

export const NUL_RULE = "must not contain NUL characters";
export const UNICODE_RULE = "must be valid Unicode text (no unpaired UTF-16 surrogates)";
export const CONTROL_RULE = "must not contain control characters";

/** Why PostgreSQL could not store this string as sent (text or inside jsonb), if it could not. */
export function storableTextProblem(text: string): string | undefined {
  if (text.includes("\u0000")) return NUL_RULE;
  if (hasLoneSurrogates(text)) return UNICODE_RULE;
  return undefined;
}

/** The stricter rule for names and descriptions: storable and free of control characters. */
export function freeTextProblem(text: string): string | undefined {
  return hasControlCharacters(text) ? CONTROL_RULE : storableTextProblem(text);
}

export const MAX_DESCRIPTION_LENGTH = 500;
