package dev.llmthrottle.test.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Go's {@code time.Duration} text form, as OpenAI uses in {@code x-ratelimit-reset-*}
 * ({@code 6m0s}, {@code 1.5s}, {@code 250ms}, {@code 0s}). Also the duration syntax of
 * the standalone flags.
 */
public final class GoDuration {

	private static final long MICRO = 1_000L;

	private static final long MILLI = 1_000_000L;

	private static final long SECOND = 1_000_000_000L;

	private static final long MINUTE = 60 * SECOND;

	private static final long HOUR = 60 * MINUTE;

	private GoDuration() {
	}

	/** Formats like Go's {@code Duration.String()}. */
	public static String format(Duration duration) {
		return format(duration.toNanos());
	}

	/** Formats a nanosecond count like Go's {@code Duration.String()}. */
	public static String format(long nanos) {
		if (nanos == 0) {
			return "0s";
		}
		if (nanos < 0) {
			if (nanos == Long.MIN_VALUE) {
				throw new IllegalArgumentException("Duration out of range");
			}
			return "-" + format(-nanos);
		}
		if (nanos < MICRO) {
			return nanos + "ns";
		}
		if (nanos < MILLI) {
			return fraction(nanos, MICRO) + "µs";
		}
		if (nanos < SECOND) {
			return fraction(nanos, MILLI) + "ms";
		}
		StringBuilder out = new StringBuilder();
		long hours = nanos / HOUR;
		long rest = nanos % HOUR;
		long minutes = rest / MINUTE;
		rest %= MINUTE;
		if (hours > 0) {
			out.append(hours).append('h');
		}
		if (hours > 0 || minutes > 0) {
			out.append(minutes).append('m');
		}
		return out.append(fraction(rest, SECOND)).append('s').toString();
	}

	private static String fraction(long value, long unit) {
		long whole = value / unit;
		long frac = value % unit;
		if (frac == 0) {
			return Long.toString(whole);
		}
		int digits = Long.toString(unit).length() - 1;
		String fractionDigits = String.format("%0" + digits + "d", frac);
		int end = fractionDigits.length();
		while (fractionDigits.charAt(end - 1) == '0') {
			end--;
		}
		return whole + "." + fractionDigits.substring(0, end);
	}

	/**
	 * Parses a non-negative Go duration such as {@code 10s}, {@code 1m30s}, {@code 1.5s},
	 * {@code 250ms}, {@code 800us}. Units: {@code ns, us, µs, ms, s, m, h}; {@code 0}
	 * alone means zero.
	 * @throws IllegalArgumentException when the text is not a valid non-negative Go
	 * duration
	 */
	public static Duration parse(String text) {
		String s = text.trim();
		if (s.equals("0")) {
			return Duration.ZERO;
		}
		if (s.isEmpty()) {
			throw invalid(text);
		}
		BigDecimal total = BigDecimal.ZERO;
		int i = 0;
		while (i < s.length()) {
			int start = i;
			while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
				i++;
			}
			if (start == i) {
				throw invalid(text);
			}
			String number = s.substring(start, i);
			if (number.startsWith(".") && number.length() == 1 || number.indexOf('.') != number.lastIndexOf('.')) {
				throw invalid(text);
			}
			int unitStart = i;
			while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
				i++;
			}
			long unit = unitNanos(s.substring(unitStart, i), text);
			total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
		}
		BigDecimal nanos = total.setScale(0, RoundingMode.DOWN);
		if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
			throw new IllegalArgumentException("Duration out of range: '" + text + "'");
		}
		return Duration.ofNanos(nanos.longValueExact());
	}

	private static long unitNanos(String unit, String text) {
		switch (unit) {
			case "ns":
				return 1;
			case "us":
			case "µs":
			case "μs":
				return MICRO;
			case "ms":
				return MILLI;
			case "s":
				return SECOND;
			case "m":
				return MINUTE;
			case "h":
				return HOUR;
			default:
				throw invalid(text);
		}
	}

	private static IllegalArgumentException invalid(String text) {
		return new IllegalArgumentException("Invalid duration '" + text + "' (expected e.g. 50ms, 10s, 1m30s)");
	}

}
