package dev.llmthrottle.core;

import java.time.Duration;

/**
 * Short human-readable durations for messages ({@code 1m}, {@code 10s}, {@code 250ms}, {@code 1d}).
 */
public final class DurationFormat {

	private DurationFormat() {
	}

	/** Formats a duration with the largest unit that represents it exactly, falling back to milliseconds. */
	public static String format(Duration duration) {
		long nanos = duration.toNanos();
		if (nanos == 0) {
			return "0s";
		}
		if (nanos % 86_400_000_000_000L == 0) {
			return (nanos / 86_400_000_000_000L) + "d";
		}
		if (nanos % 3_600_000_000_000L == 0) {
			return (nanos / 3_600_000_000_000L) + "h";
		}
		if (nanos % 60_000_000_000L == 0) {
			return (nanos / 60_000_000_000L) + "m";
		}
		if (nanos % 1_000_000_000L == 0) {
			return (nanos / 1_000_000_000L) + "s";
		}
		if (nanos % 1_000_000L == 0) {
			return (nanos / 1_000_000L) + "ms";
		}
		return String.format(java.util.Locale.ROOT, "%.3fms", nanos / 1e6);
	}

	/** Formats nanoseconds, see {@link #format(Duration)}. */
	public static String formatNanos(long nanos) {
		return format(Duration.ofNanos(nanos));
	}

}
