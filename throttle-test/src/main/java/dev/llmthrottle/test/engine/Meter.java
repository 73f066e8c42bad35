package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Limit;

/**
 * The state of one limit under one enforcement model. Not thread-safe: the
 * {@link Enforcer} calls it under its lock, with non-decreasing {@code now} values.
 */
interface Meter {

	/** The limit this meter enforces. */
	Limit limit();

	/** Units that would be admitted now (may be zero or negative after a debt). */
	long available(long now);

	/**
	 * Nanoseconds until {@code amount} fits, 0 if it fits now. Only called with
	 * {@code amount <= limit().amount()}, so it always fits eventually (ignoring future
	 * charges).
	 */
	long waitNanos(long amount, long now);

	/** Consumes {@code amount} at {@code now}. */
	Charge charge(long amount, long now);

	/**
	 * Changes an earlier charge by {@code delta} (negative = refund, positive = debt).
	 * Window meters change the entry in place (no effect once it left the window); the
	 * token bucket adds or takes tokens now, never above capacity.
	 */
	void adjust(Charge charge, long delta, long now);

	/** The remaining figure reported in headers (never negative). */
	long remaining(long now);

	/**
	 * Nanoseconds until the limit is fully restored, as reported in reset headers (0 if
	 * full).
	 */
	long resetNanos(long now);

}
