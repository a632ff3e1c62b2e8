/**
 * Money is held as integer minor units (cents) so sums are exact; the API speaks decimal strings.
 */
export const MAX_ABS_AMOUNT_CENTS = 1_000_000_000_00; // one billion in major units

const DECIMAL = /^(-)?(\d{1,12})(?:\.(\d{1,2}))?$/;

/** Parses "12.3", "-5", 12.34 or -0.5 into cents; undefined when it is not an amount with <= 2 decimals. */
export function parseAmountToCents(value: number | string): number | undefined {
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ""] = match;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  return sign ? -cents : cents;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
