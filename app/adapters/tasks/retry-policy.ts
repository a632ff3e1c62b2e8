/**
 * Cloud Tasks' retry semantics as pure functions, so the local dispatcher retries exactly like
 * the cloud queues configured from the same policy (contract/task-queues.ts).
 */
import type { RetryPolicy } from "../../../contract";

/**
 * Seconds to wait before retry number `retry` (1 = first retry): start at minBackoff, double
 * maxDoublings times, then grow linearly by minBackoff * 2^maxDoublings, never above maxBackoff.
 * With 10 s / 300 s / 3 doublings: 10, 20, 40, 80, 160, 240, 300, 300...
 */
export function retryDelaySeconds(policy: RetryPolicy, retry: number): number {
  const doublings = Math.min(retry - 1, policy.maxDoublings);
  const doubled = policy.minBackoffSeconds * 2 ** doublings;
  const linearSteps = Math.max(0, retry - 1 - policy.maxDoublings);
  const delay = doubled + linearSteps * policy.minBackoffSeconds * 2 ** policy.maxDoublings;
  return Math.min(delay, policy.maxBackoffSeconds);
}

/**
 * Whether a task that has failed `attemptsMade` times gets another attempt. Cloud Tasks stops once
 * BOTH limits are reached: maxAttempts and maxRetryDuration since the first attempt. An unset limit
 * (-1 attempts, 0 duration) counts as reached, unless both are unset: then it retries forever.
 */
export function shouldRetry(policy: RetryPolicy, attemptsMade: number, firstAttemptAtMs: number, nowMs: number): boolean {
  const attemptsUnset = policy.maxAttempts === -1;
  const durationUnset = policy.maxRetryDurationSeconds === 0;
  if (attemptsUnset && durationUnset) return true;
  const attemptsReached = attemptsUnset || attemptsMade >= policy.maxAttempts;
  const durationReached = durationUnset || nowMs - firstAttemptAtMs >= policy.maxRetryDurationSeconds * 1000;
  return !(attemptsReached && durationReached);
}
