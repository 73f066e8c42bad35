package dev.llmthrottle.test.clock;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual time for tests: starts at a given instant (reading 0) and moves only when told
 * to. Thread-safe.
 */
public final class ManualClock implements SimClock {

	/** The default start instant, the reference instant of protocol.md's test vectors. */
	public static final Instant DEFAULT_START = Instant.parse("2026-03-01T12:00:00Z");

	private final Instant start;

	private final AtomicLong nanos = new AtomicLong();

	/** A clock at {@link #DEFAULT_START}. */
	public ManualClock() {
		this(DEFAULT_START);
	}

	/** A clock whose reading 0 is the given instant. */
	public ManualClock(Instant start) {
		this.start = start;
	}

	@Override
	public long nanoTime() {
		return nanos.get();
	}

	@Override
	public Instant instant(long nanoTime) {
		return start.plusNanos(nanoTime);
	}

	/** Moves time forward. */
	public void advance(Duration duration) {
		advanceNanos(duration.toNanos());
	}

	/** Moves time forward by the given nanoseconds (non-negative). */
	public void advanceNanos(long delta) {
		if (delta < 0) {
			throw new IllegalArgumentException("Time cannot go backwards: " + delta);
		}
		nanos.addAndGet(delta);
	}

	/** Moves time forward by the given milliseconds. */
	public void advanceMillis(long millis) {
		advanceNanos(Math.multiplyExact(millis, 1_000_000L));
	}

}
