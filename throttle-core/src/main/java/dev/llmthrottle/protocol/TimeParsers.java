package dev.llmthrottle.protocol;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the time formats providers use in headers and bodies (protocol.md §2, §7).
 *
 * <p>
 * Every method accepts {@code null} and any garbage, and never throws: a value that is
 * empty, malformed, signed, non-finite ({@code NaN}, {@code Infinity}) or in exponent
 * notation yields an empty result. A well-formed value beyond the {@link #HORIZON} (a
 * {@code retry-after} of 99999999999 seconds, a reset in the year 9999) saturates to it,
 * so that no result can overflow later arithmetic, {@code Duration.toNanos()} included.
 * Durations are returned in milliseconds rounded <em>up</em> (so {@code 800us} is 1 ms:
 * waiting slightly longer is safe, waiting shorter is not) or, where the format carries
 * it, exactly in nanoseconds. Values are trimmed first. "Now" is always a parameter so
 * that callers and tests are deterministic.
 */
public final class TimeParsers {

	/**
	 * The longest duration any parser returns: about a century. Longer well-formed values
	 * saturate to it; twice it still fits a {@code long} of nanoseconds.
	 */
	public static final Duration HORIZON = Duration.ofDays(36_525);

	private static final BigDecimal HORIZON_MILLIS = BigDecimal.valueOf(HORIZON.toMillis());

	private static final BigDecimal HORIZON_NANOS = BigDecimal.valueOf(HORIZON.toNanos());

	/** Longer inputs are rejected outright: no legitimate time value needs more. */
	private static final int MAX_LENGTH = 100;

	private static final BigDecimal THOUSAND = BigDecimal.valueOf(1_000);

	private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

	private static final Pattern DECIMAL = Pattern.compile("(?:\\d+(?:\\.\\d*)?|\\.\\d+)");

	private static final Pattern DIGITS = Pattern.compile("\\d+");

	private static final int EPOCH_SECONDS_DIGITS = 10;

	private static final int EPOCH_MILLIS_DIGITS = 13;

	private static final Pattern GO_COMPONENT = Pattern.compile("(\\d*(?:\\.\\d*)?)(ns|us|\u00b5s|\u03bcs|ms|h|m|s)");

	private static final Pattern PROTOBUF_DURATION = Pattern.compile("\"?\\s*(\\d+(?:\\.\\d{1,9})?)s\\s*\"?");

	private static final String DAY_NAMES = "mon|tue|wed|thu|fri|sat|sun";

	private static final String LONG_DAY_NAMES = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";

	private static final String MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec";

	private static final Pattern IMF_FIXDATE = Pattern.compile("(?i)(?:" + DAY_NAMES + "),\\s*(\\d{1,2})\\s+(" + MONTHS
			+ ")\\s+(\\d{4})\\s+(\\d{2}):(\\d{2}):(\\d{2})\\s+(?:GMT|UTC|UT|Z|\\+0000)");

	private static final Pattern RFC_850 = Pattern.compile("(?i)(?:" + LONG_DAY_NAMES + "|" + DAY_NAMES
			+ "),\\s*(\\d{1,2})-(" + MONTHS + ")-(\\d{2}|\\d{4})\\s+(\\d{2}):(\\d{2}):(\\d{2})\\s+(?:GMT|UTC)");

	private static final Pattern ASCTIME = Pattern.compile(
			"(?i)(?:" + DAY_NAMES + ")\\s+(" + MONTHS + ")\\s+(\\d{1,2})\\s+(\\d{2}):(\\d{2}):(\\d{2})\\s+(\\d{4})");

	/**
	 * A wait stated in prose: OpenAI "Please try again in 1.146s" / "in 20ms" / "in
	 * 1m30s", Azure "Please retry after 6 seconds", Gemini "Please retry in
	 * 49.484914876s.".
	 */
	private static final Pattern TEXT_HINT = Pattern
		.compile("(?i)(?:try\\s+again|retry)\\s+(?:in|after)\\s+" + "(?:about\\s+|approximately\\s+|at\\s+least\\s+)?"
				+ "(?:(?<go>(?:\\d+(?:\\.\\d+)?(?:ns|us|\u00b5s|\u03bcs|ms|h|m|s))+)(?![\\p{L}\\d])"
				+ "|(?<num>\\d+(?:\\.\\d+)?)\\s*(?<unit>milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m"
				+ "|hours?|hrs?|h|days?)(?![\\p{L}]))");

	/** Only this much of a body is scanned for a prose hint. */
	private static final int MAX_TEXT_SCAN = 16 * 1024;

	private TimeParsers() {
	}

	/**
	 * Parses a Go {@code time.Duration} string ({@code 6m0s}, {@code 1h2m3.5s},
	 * {@code 2m59.56s}, {@code 250ms}, {@code 800us}, {@code 1.5µs}, {@code 0s},
	 * {@code 0}) into nanoseconds, rounding a sub-nanosecond remainder up. Signs, spaces,
	 * exponents and unknown units are invalid.
	 * @param value the header value
	 * @return nanoseconds, at most the {@link #HORIZON}, or empty when invalid
	 */
	public static OptionalLong goDurationNanos(String value) {
		String text = clean(value);
		if (text == null) {
			return OptionalLong.empty();
		}
		if (text.equals("0")) {
			return OptionalLong.of(0);
		}
		Matcher matcher = GO_COMPONENT.matcher(text);
		BigDecimal total = BigDecimal.ZERO;
		int position = 0;
		while (position < text.length()) {
			if (!matcher.find(position) || matcher.start() != position) {
				return OptionalLong.empty();
			}
			String number = matcher.group(1);
			if (number.isEmpty() || number.equals(".")) {
				return OptionalLong.empty();
			}
			total = total.add(new BigDecimal(normalizeDecimal(number)).multiply(unitNanos(matcher.group(2))));
			position = matcher.end();
		}
		return saturated(total, HORIZON_NANOS);
	}

	/**
	 * Parses a Go duration like {@link #goDurationNanos(String)} and converts it to
	 * milliseconds, rounding up ({@code 800us} and {@code 1.5µs} give 1).
	 * @param value the header value
	 * @return milliseconds, or empty when invalid
	 */
	public static OptionalLong goDurationMillis(String value) {
		return nanosToMillis(goDurationNanos(value));
	}

	/**
	 * Parses a bare, non-negative decimal number of seconds ({@code 7}, {@code 1.5},
	 * {@code 300}): the numeric form of {@code retry-after} and Azure's reset headers.
	 * @param value the value
	 * @return milliseconds rounded up, or empty when invalid
	 */
	public static OptionalLong secondsMillis(String value) {
		return decimal(value).map((seconds) -> millis(seconds.multiply(THOUSAND))).orElse(OptionalLong.empty());
	}

	/**
	 * Parses a bare, non-negative decimal number of milliseconds
	 * ({@code retry-after-ms: 2000}).
	 * @param value the value
	 * @return milliseconds rounded up, or empty when invalid
	 */
	public static OptionalLong millisValue(String value) {
		return decimal(value).map(TimeParsers::millis).orElse(OptionalLong.empty());
	}

	/**
	 * Parses a {@code Retry-After} value: decimal seconds, or an HTTP-date in any of the
	 * three forms RFC 9110 §5.6.7 requires recipients to accept (IMF-fixdate, obsolete
	 * RFC 850, asctime). A date at or before {@code now} gives 0, which callers treat as
	 * "no hint".
	 * @param value the header value
	 * @param now the current instant
	 * @return milliseconds to wait (at least 0), or empty when invalid
	 */
	public static OptionalLong retryAfterMillis(String value, Instant now) {
		OptionalLong seconds = secondsMillis(value);
		if (seconds.isPresent()) {
			return seconds;
		}
		return httpDate(value, now).map(instant -> untilMillis(instant, now)).orElse(OptionalLong.empty());
	}

	/**
	 * Parses an HTTP-date in IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}),
	 * obsolete RFC 850 ({@code Sunday, 06-Nov-94 08:49:37 GMT}) or asctime
	 * ({@code Sun Nov  6 08:49:37 1994}) form. The weekday is not checked against the
	 * date. A two-digit year more than 50 years after {@code now} is taken to be in the
	 * previous century, as RFC 9110 requires.
	 * @param value the value
	 * @param now the current instant, used only for two-digit years
	 * @return the instant, or empty when invalid
	 */
	public static Optional<Instant> httpDate(String value, Instant now) {
		String text = clean(value);
		if (text == null || now == null) {
			return Optional.empty();
		}
		try {
			Matcher matcher = IMF_FIXDATE.matcher(text);
			if (matcher.matches()) {
				return utc(parseInt(matcher.group(3)), month(matcher.group(2)), parseInt(matcher.group(1)),
						matcher.group(4), matcher.group(5), matcher.group(6));
			}
			matcher = RFC_850.matcher(text);
			if (matcher.matches()) {
				String yearText = matcher.group(3);
				int year = parseInt(yearText);
				if (yearText.length() == 2) {
					year = twoDigitYear(year, now);
				}
				return utc(year, month(matcher.group(2)), parseInt(matcher.group(1)), matcher.group(4),
						matcher.group(5), matcher.group(6));
			}
			matcher = ASCTIME.matcher(text);
			if (matcher.matches()) {
				return utc(parseInt(matcher.group(6)), month(matcher.group(1)), parseInt(matcher.group(2)),
						matcher.group(3), matcher.group(4), matcher.group(5));
			}
		}
		catch (DateTimeException | ArithmeticException ex) {
			// an impossible date such as 31 Feb: invalid like any other garbage
		}
		return Optional.empty();
	}

	/**
	 * Parses an RFC 3339 instant ({@code 2026-03-01T12:00:01Z}, with optional fraction
	 * and offset; lower-case {@code t}/{@code z} and a space separator are accepted), as
	 * Anthropic sends.
	 * @param value the value
	 * @return the instant, or empty when invalid
	 */
	public static Optional<Instant> rfc3339(String value) {
		String text = clean(value);
		if (text == null || text.length() < 20) {
			return Optional.empty();
		}
		text = text.toUpperCase(Locale.ROOT);
		if (text.charAt(10) == ' ') {
			text = text.substring(0, 10) + 'T' + text.substring(11);
		}
		try {
			return Optional.of(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
		}
		catch (DateTimeException | ArithmeticException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Parses a non-negative integer of milliseconds since the epoch (OpenRouter's reset).
	 * @param value the value
	 * @return the instant, or empty when invalid
	 */
	public static Optional<Instant> epochMillis(String value) {
		String text = clean(value);
		if (text == null || text.length() > 18 || !DIGITS.matcher(text).matches()) {
			return Optional.empty();
		}
		return Optional.of(Instant.ofEpochMilli(Long.parseLong(text)));
	}

	/**
	 * Parses an epoch timestamp by its length (protocol.md §8.5): 10 digits are seconds
	 * ({@code 1772366430}), 13 digits milliseconds ({@code 1772366430000}); any other
	 * length is not taken as an epoch (it would be a count, or centuries away).
	 * @param value the value
	 * @return the instant, or empty when not a 10- or 13-digit integer
	 */
	public static Optional<Instant> epoch(String value) {
		String text = clean(value);
		if (text == null || !DIGITS.matcher(text).matches()) {
			return Optional.empty();
		}
		if (text.length() == EPOCH_SECONDS_DIGITS) {
			return Optional.of(Instant.ofEpochSecond(Long.parseLong(text)));
		}
		if (text.length() == EPOCH_MILLIS_DIGITS) {
			return Optional.of(Instant.ofEpochMilli(Long.parseLong(text)));
		}
		return Optional.empty();
	}

	/**
	 * Parses a protobuf {@code google.protobuf.Duration} in its JSON form ({@code "37s"},
	 * {@code "0.250s"}, {@code "1.000340012s"}), with or without the quotes, as Gemini's
	 * {@code RetryInfo.retryDelay}. Negative durations are invalid.
	 * @param value the value
	 * @return nanoseconds, or empty when invalid
	 */
	public static OptionalLong protobufDurationNanos(String value) {
		String text = clean(value);
		if (text == null) {
			return OptionalLong.empty();
		}
		Matcher matcher = PROTOBUF_DURATION.matcher(text);
		if (!matcher.matches()) {
			return OptionalLong.empty();
		}
		return saturated(new BigDecimal(matcher.group(1)).multiply(unitNanos("s")), HORIZON_NANOS);
	}

	/**
	 * Parses a protobuf JSON duration like {@link #protobufDurationNanos(String)}, in
	 * milliseconds rounded up ({@code "1.000340012s"} gives 1001).
	 * @param value the value
	 * @return milliseconds, or empty when invalid
	 */
	public static OptionalLong protobufDurationMillis(String value) {
		return nanosToMillis(protobufDurationNanos(value));
	}

	/**
	 * Finds a wait stated in an error message: "try again in 1.146s", "try again in
	 * 20ms", "try again in 1m30s", "retry after 6 seconds", "retry in 49.484914876s". The
	 * first such phrase in the first 16 KiB of the text wins.
	 * @param text the message or body
	 * @return milliseconds rounded up, or empty when the text states no usable wait
	 */
	public static OptionalLong textHintMillis(String text) {
		if (text == null || text.isEmpty()) {
			return OptionalLong.empty();
		}
		String scanned = (text.length() > MAX_TEXT_SCAN) ? text.substring(0, MAX_TEXT_SCAN) : text;
		Matcher matcher = TEXT_HINT.matcher(scanned);
		if (!matcher.find()) {
			return OptionalLong.empty();
		}
		String go = matcher.group("go");
		if (go != null) {
			return goDurationMillis(go.toLowerCase(Locale.ROOT));
		}
		return decimal(matcher.group("num")).map(number -> {
			BigDecimal millis = number.multiply(wordUnitMillis(matcher.group("unit").toLowerCase(Locale.ROOT)));
			return millis(millis);
		}).orElse(OptionalLong.empty());
	}

	/**
	 * The time from {@code now} until {@code target}, in milliseconds rounded up, or 0
	 * when the target is not in the future.
	 * @param target the instant to wait for
	 * @param now the current instant
	 * @return milliseconds (at least 0, at most the {@link #HORIZON}), or empty when
	 * either argument is {@code null}
	 */
	public static OptionalLong untilMillis(Instant target, Instant now) {
		if (target == null || now == null) {
			return OptionalLong.empty();
		}
		if (!target.isAfter(now)) {
			return OptionalLong.of(0);
		}
		BigDecimal seconds = BigDecimal.valueOf(target.getEpochSecond() - now.getEpochSecond());
		BigDecimal nanos = BigDecimal.valueOf((long) target.getNano() - now.getNano());
		return millis(seconds.multiply(THOUSAND).add(nanos.divide(MILLION)));
	}

	static OptionalLong nanosToMillis(OptionalLong nanos) {
		if (nanos.isEmpty()) {
			return nanos;
		}
		long value = nanos.getAsLong();
		return OptionalLong.of(value / 1_000_000 + ((value % 1_000_000 == 0) ? 0 : 1));
	}

	/** A strict non-negative decimal: digits with an optional fraction, nothing else. */
	static Optional<BigDecimal> decimal(String value) {
		String text = clean(value);
		if (text == null || !DECIMAL.matcher(text).matches()) {
			return Optional.empty();
		}
		return Optional.of(new BigDecimal(normalizeDecimal(text)));
	}

	/** Trimmed text, or {@code null} when absent, blank or implausibly long. */
	private static String clean(String value) {
		if (value == null) {
			return null;
		}
		String text = value.trim();
		return (text.isEmpty() || text.length() > MAX_LENGTH) ? null : text;
	}

	/**
	 * {@code "1."} and {@code ".5"} are valid for us (as for Go) but not for BigDecimal.
	 */
	private static String normalizeDecimal(String number) {
		String text = number.startsWith(".") ? "0" + number : number;
		return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
	}

	private static BigDecimal unitNanos(String unit) {
		switch (unit) {
			case "ns":
				return BigDecimal.ONE;
			case "us":
			case "\u00b5s":
			case "\u03bcs":
				return THOUSAND;
			case "ms":
				return MILLION;
			case "s":
				return BigDecimal.valueOf(1_000_000_000L);
			case "m":
				return BigDecimal.valueOf(60_000_000_000L);
			default:
				return BigDecimal.valueOf(3_600_000_000_000L);
		}
	}

	private static BigDecimal wordUnitMillis(String unit) {
		if (unit.startsWith("ms") || unit.startsWith("milli")) {
			return BigDecimal.ONE;
		}
		if (unit.startsWith("s")) {
			return THOUSAND;
		}
		if (unit.startsWith("m")) {
			return BigDecimal.valueOf(60_000L);
		}
		if (unit.startsWith("h")) {
			return BigDecimal.valueOf(3_600_000L);
		}
		return BigDecimal.valueOf(86_400_000L);
	}

	private static OptionalLong millis(BigDecimal value) {
		return saturated(value, HORIZON_MILLIS);
	}

	/** Rounded up; negative is invalid, above {@code max} saturates to it. */
	private static OptionalLong saturated(BigDecimal value, BigDecimal max) {
		if (value.signum() < 0) {
			return OptionalLong.empty();
		}
		if (value.compareTo(max) > 0) {
			return OptionalLong.of(max.longValueExact());
		}
		return OptionalLong.of(value.setScale(0, RoundingMode.CEILING).longValueExact());
	}

	private static int parseInt(String digits) {
		return Integer.parseInt(digits);
	}

	private static int month(String name) {
		return MONTHS.indexOf(name.toLowerCase(Locale.ROOT)) / 4 + 1;
	}

	private static int twoDigitYear(int twoDigits, Instant now) {
		int currentYear = LocalDateTime.ofInstant(now, ZoneOffset.UTC).getYear();
		int year = currentYear - Math.floorMod(currentYear, 100) + twoDigits;
		return (year > currentYear + 50) ? year - 100 : year;
	}

	private static Optional<Instant> utc(int year, int month, int day, String hour, String minute, String second) {
		int seconds = Math.min(parseInt(second), 59);
		return Optional.of(LocalDateTime.of(year, month, day, parseInt(hour), parseInt(minute), seconds)
			.toInstant(ZoneOffset.UTC));
	}

}
