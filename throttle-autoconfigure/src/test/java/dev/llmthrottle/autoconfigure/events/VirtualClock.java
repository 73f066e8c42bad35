package dev.llmthrottle.autoconfigure.events;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import dev.llmthrottle.core.VirtualTimeSource;

/**
 * A wall clock that moves with a {@link VirtualTimeSource}, so that event timestamps and
 * cooldown ends line up with the engine's virtual time.
 */
public final class VirtualClock extends Clock {

	/** The instant the clock shows when created. */
	public static final Instant ORIGIN = Instant.parse("2026-03-01T12:00:00Z");

	private final VirtualTimeSource time;

	private final long originNanos;

	public VirtualClock(VirtualTimeSource time) {
		this.time = time;
		this.originNanos = time.nanoTime();
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException();
	}

	@Override
	public Instant instant() {
		return ORIGIN.plusNanos(this.time.nanoTime() - this.originNanos);
	}

}
