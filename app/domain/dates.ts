/**
 * Instants as the API accepts them: a calendar date (`2024-05-31`, midnight UTC) or an RFC 3339
 * date-time with an offset (`2024-05-31T12:30:00Z`, `...+02:00`). Impossible dates (Feb 30) and
 * years outside 1970-2099 are rejected rather than silently rolled over.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export const MIN_YEAR = 1970;
export const MAX_YEAR = 2099;

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isDateOnly(text: string): boolean {
  return DATE.test(text);
}

export function parseInstant(text: string): Date | undefined {
  const dateOnly = DATE.exec(text);
  if (dateOnly) {
    const [year, month, day] = dateOnly.slice(1, 4).map(Number) as [number, number, number];
    return isCalendarDate(year, month, day) ? new Date(Date.UTC(year, month - 1, day)) : undefined;
  }
  const dateTime = DATE_TIME.exec(text);
  if (!dateTime) return undefined;
  const [year, month, day, hour, minute, second] = dateTime.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** The last millisecond of a calendar day: `to=2024-05-31` includes all of the 31st. */
export function endOfDay(day: Date): Date {
  return new Date(day.getTime() + 24 * 3600 * 1000 - 1);
}

export const INSTANT_RULE = "must be a date (YYYY-MM-DD) or an RFC 3339 date-time with offset, between 1970 and 2099";
