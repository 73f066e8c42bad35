package dev.llmthrottle.autoconfigure.events;

import java.time.Duration;

import dev.llmthrottle.core.DurationFormat;

/**
 * Durations as shown in events and endpoints: the configuration style of
 * {@link DurationFormat} ({@code 45s}, {@code 1m}, {@code 250ms}), with zero shown as
 * {@code 0s}.
 */
public final class DurationText {

	private DurationText() {
	}

	/** {@code 45s}, {@code 1m}, {@code 0s}, ... */
	public static String format(Duration duration) {
		return duration.isZero() ? "0s" : DurationFormat.format(duration);
	}

}
