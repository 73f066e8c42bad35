package dev.llmthrottle.core.redis;

import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.rate.PacedWindow;

/**
 * A limit as {@code throttle.lua} sees it: its id inside the partition and its period in
 * microseconds, stretched by the same guard as
 * {@link dev.llmthrottle.core.rate.PacedWindow} (1%, at most one second) for the jitter
 * between our admission and the provider's arrival stamp.
 *
 * @param limit the limit in force
 * @param id the limit's name in the partition's keys and fields
 * @param periodMicros the guarded period
 */
record ScriptLimit(Limit limit, String id, long periodMicros) {

	static ScriptLimit of(Limit limit) {
		long guarded = PacedWindow.guarded(limit.periodNanos(), PacedWindow.BASE_GUARD_PPM);
		return new ScriptLimit(limit, RedisKeys.limitId(limit), (guarded + 999) / 1000);
	}

	long amount() {
		return this.limit.amount();
	}

	/**
	 * Whether {@code other} counts the same dimension over the same period (its state
	 * carries over).
	 */
	boolean sameWindow(Limit other) {
		return this.limit.dimension() == other.dimension() && this.limit.period().equals(other.period());
	}

}
