/**
 * Multi-window, multi-burn-rate alerting arithmetic (Google SRE Workbook, "Alerting on SLOs").
 *
 * A burn rate of 1 spends the error budget exactly over the SLO period. An alert fires when the
 * budget burns fast enough that `budgetFraction` of it would be gone within the long window; the
 * short window (1/12 of the long one) makes the alert reset quickly once the burn stops:
 *
 *   burn rate threshold = budget fraction x SLO period / long window
 *
 * For a 30-day SLO this gives the classic table: 2 % in 1 h = 14.4, 5 % in 6 h = 6,
 * 10 % in 1 d = 3, 10 % in 3 d = 1. Computed here, never typed in by hand.
 *
 * Cloud Monitoring cannot alert on a burn rate over a lookback longer than 24 h, so the table's
 * last row (3 d) is not a burn-rate condition here; the Observability construct covers slow burns
 * with a ticket on the error budget left instead (`select_slo_budget_fraction`).
 */

/** The longest lookback `select_slo_burn_rate` accepts in an alerting policy. */
export const MAX_BURN_RATE_LOOKBACK_HOURS = 24;

export type Severity = "page" | "ticket";

export interface BurnRateWindow {
  readonly severity: Severity;
  /** Share of the period's error budget that may burn within the long window before alerting. */
  readonly budgetFraction: number;
  readonly longWindowHours: number;
  /** Usually 1/12 of the long window. */
  readonly shortWindowMinutes: number;
}

/** The SRE Workbook's recommended windows that Cloud Monitoring can evaluate: two paging, one ticketing. */
export const DEFAULT_BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { severity: "page", budgetFraction: 0.02, longWindowHours: 1, shortWindowMinutes: 5 },
  { severity: "page", budgetFraction: 0.05, longWindowHours: 6, shortWindowMinutes: 30 },
  { severity: "ticket", budgetFraction: 0.1, longWindowHours: 24, shortWindowMinutes: 120 },
];

export function burnRateThreshold(window: Pick<BurnRateWindow, "budgetFraction" | "longWindowHours">, periodDays: number): number {
  if (!(window.budgetFraction > 0 && window.budgetFraction <= 1)) throw new Error(`budgetFraction must be in (0, 1], got ${window.budgetFraction}`);
  if (!(periodDays > 0)) throw new Error(`periodDays must be positive, got ${periodDays}`);
  if (window.longWindowHours > periodDays * 24) throw new Error(`a ${window.longWindowHours} h window is longer than the ${periodDays}-day SLO period`);
  if (window.longWindowHours > MAX_BURN_RATE_LOOKBACK_HOURS) {
    throw new Error(`a ${window.longWindowHours} h window is longer than the ${MAX_BURN_RATE_LOOKBACK_HOURS} h Cloud Monitoring allows for select_slo_burn_rate; alert on the error budget left instead`);
  }
  return (window.budgetFraction * periodDays * 24) / window.longWindowHours;
}

/** An alert condition's view of a window: both lookbacks in seconds and the threshold. */
export interface BurnRateCondition {
  readonly window: BurnRateWindow;
  readonly threshold: number;
  readonly longLookback: string;
  readonly shortLookback: string;
}

export function burnRateConditions(periodDays: number, windows: readonly BurnRateWindow[] = DEFAULT_BURN_RATE_WINDOWS): BurnRateCondition[] {
  return windows.map((window) => ({
    window,
    threshold: burnRateThreshold(window, periodDays),
    longLookback: `${window.longWindowHours * 3600}s`,
    shortLookback: `${window.shortWindowMinutes * 60}s`,
  }));
}

/** How long a constant burn at `burnRate` takes to spend the whole budget. */
export function hoursToExhaustion(burnRate: number, periodDays: number): number {
  return (periodDays * 24) / burnRate;
}
