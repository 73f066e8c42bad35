package dev.llmthrottle.test.dialect;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Instant formats used on the wire, and the rounding helpers that keep hints truthful.
 */
public final class HttpDates {

	/**
	 * IMF-fixdate (RFC 9110): always two-digit days, unlike
	 * {@link DateTimeFormatter#RFC_1123_DATE_TIME}.
	 */
	private static final DateTimeFormatter RFC_1123 = DateTimeFormatter
		.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
		.withZone(ZoneOffset.UTC);

	private HttpDates() {
	}

	/**
	 * RFC 1123 HTTP-date, e.g. {@code Sun, 01 Mar 2026 12:00:30 GMT} (whole seconds,
	 * truncated).
	 */
	public static String httpDate(Instant instant) {
		return RFC_1123.format(instant.truncatedTo(ChronoUnit.SECONDS));
	}

	/** RFC 3339 in UTC with whole seconds, e.g. {@code 2026-03-01T12:00:01Z}. */
	public static String rfc3339(Instant instant) {
		return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
	}

	/** The instant rounded up to a whole second. */
	public static Instant ceilSecond(Instant instant) {
		Instant floor = instant.truncatedTo(ChronoUnit.SECONDS);
		return floor.equals(instant) ? floor : floor.plusSeconds(1);
	}

	/** Nanoseconds rounded up to whole milliseconds. */
	public static long ceilMillis(long nanos) {
		return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
	}

	/** Nanoseconds rounded up to whole seconds. */
	public static long ceilSeconds(long nanos) {
		return nanos <= 0 ? 0 : (nanos + 999_999_999) / 1_000_000_000;
	}

}
