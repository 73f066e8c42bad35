package dev.llmthrottle.test.clock;

import java.time.Instant;

/**
 * The simulated provider's time source: a monotonic nanosecond reading for decisions, and
 * the wall-clock instant of a reading for headers ({@code date}, RFC 3339 resets,
 * HTTP-date hints).
 */
public interface SimClock {

	/** A monotonic reading in nanoseconds; only differences are meaningful. */
	long nanoTime();

	/** The wall-clock instant corresponding to a {@link #nanoTime()} reading. */
	Instant instant(long nanoTime);

	/** The current wall-clock instant. */
	default Instant now() {
		return instant(nanoTime());
	}

	/**
	 * Real time: {@link System#nanoTime()} anchored to the wall clock when the clock is
	 * created.
	 */
	static SimClock system() {
		return new SystemClock();
	}

}
