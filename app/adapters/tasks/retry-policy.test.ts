import { describe, expect, it } from "vitest";
import { DEFAULT_TASK_QUEUES, type RetryPolicy } from "../../../contract";
import { retryDelaySeconds, shouldRetry } from "./retry-policy";

const policy = (overrides: Partial<RetryPolicy>): RetryPolicy => ({
  maxAttempts: 5,
  minBackoffSeconds: 10,
  maxBackoffSeconds: 300,
  maxDoublings: 3,
  maxRetryDurationSeconds: 0,
  ...overrides,
});

describe("Cloud Tasks backoff", () => {
  it("reproduces the documented sequence: 10, 20, 40, 80, 160, 240, 300, 300 s", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((retry) => retryDelaySeconds(policy({}), retry));
    expect(delays).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
  });

  it("never doubles when maxDoublings is 0 (linear growth by minBackoff)", () => {
    expect([1, 2, 3].map((retry) => retryDelaySeconds(policy({ maxDoublings: 0 }), retry))).toEqual([10, 20, 30]);
  });

  it("follows the shared categorise policy", () => {
    const categorise = DEFAULT_TASK_QUEUES.categorise.retry;
    expect(retryDelaySeconds(categorise, 1)).toBe(categorise.minBackoffSeconds);
    expect(retryDelaySeconds(categorise, 100)).toBe(categorise.maxBackoffSeconds);
  });
});

describe("Cloud Tasks stop rule", () => {
  const start = 1_000_000;
  it("stops after maxAttempts when the duration is unlimited (0)", () => {
    expect(shouldRetry(policy({ maxAttempts: 3 }), 2, start, start)).toBe(true);
    expect(shouldRetry(policy({ maxAttempts: 3 }), 3, start, start)).toBe(false);
  });

  it("keeps retrying past maxAttempts until maxRetryDuration has also passed", () => {
    const both = policy({ maxAttempts: 3, maxRetryDurationSeconds: 60 });
    expect(shouldRetry(both, 5, start, start + 59_000)).toBe(true);
    expect(shouldRetry(both, 5, start, start + 60_000)).toBe(false);
    expect(shouldRetry(both, 2, start, start + 3_600_000)).toBe(true);
  });

  it("is bounded by the duration alone when attempts are unlimited (-1)", () => {
    const byDuration = policy({ maxAttempts: -1, maxRetryDurationSeconds: 60 });
    expect(shouldRetry(byDuration, 1000, start, start + 59_000)).toBe(true);
    expect(shouldRetry(byDuration, 1000, start, start + 61_000)).toBe(false);
  });

  it("retries forever with -1 attempts and no duration limit", () => {
    expect(shouldRetry(policy({ maxAttempts: -1, maxRetryDurationSeconds: 0 }), 1e6, start, start + 1e12)).toBe(true);
  });
});
