package dev.llmthrottle.test;

import dev.llmthrottle.test.dialect.Completion;

/**
 * What will happen to one request if it is admitted: its completion, timing and injected
 * faults, all drawn before admission so the concurrency cap knows its planned duration.
 *
 * @param completion the completion (usage and output per choice)
 * @param firstTokenNanos base latency plus jitter: time to the first byte (non-streaming:
 * part of the total)
 * @param perTokenNanos time per output token
 * @param slowFirstByteNanos extra delay before the first byte (0 = none)
 * @param serverErrorStatus a 5xx status to fail with, or 0
 * @param reset whether to reset the connection half-way through the response
 * @param missingHeaders whether rate-limit headers are left out
 * @param malformedHeaders whether rate-limit header values are garbage
 * @param garbageSeed picks the garbage values
 * @param retryAfterMs whether an OpenAI 429 carries the optional {@code retry-after-ms}
 */
record CallPlan(Completion completion, long firstTokenNanos, long perTokenNanos, long slowFirstByteNanos,
		int serverErrorStatus, boolean reset, boolean missingHeaders, boolean malformedHeaders, long garbageSeed,
		boolean retryAfterMs) {

	/** Total planned duration of the request, from admission to its last byte. */
	long plannedNanos() {
		long total = slowFirstByteNanos + firstTokenNanos;
		if (serverErrorStatus == 0) {
			total += perTokenNanos * completion.completionTokens();
		}
		return total;
	}
}
