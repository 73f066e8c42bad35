package dev.llmthrottle.test.clock;

import java.time.Instant;

/** Real time, anchored once so that readings and instants stay consistent. */
final class SystemClock implements SimClock {

	private final long originNanos = System.nanoTime();

	private final Instant originInstant = Instant.now();

	@Override
	public long nanoTime() {
		return System.nanoTime();
	}

	@Override
	public Instant instant(long nanoTime) {
		return originInstant.plusNanos(nanoTime - originNanos);
	}

}
