package dev.llmthrottle.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class TimeParsersTest {

	static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	/** protocol.md §7 vector 2, then more of Go's format. */
	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			// §7 vector 2
			"6m0s|360000", "1h2m3.5s|3723500", "2m59.56s|179560", "250ms|250", "0s|0", "800us|1", "1.5\u00b5s|1",
			// §7 vector 1
			"120ms|120", "3.798s|3798",
			// more
			"0|0", "12ms|12", "1s|1000", "1h|3600000", "1.5h|5400000", "90m|5400000", "2h45m|9900000", ".5s|500",
			"1.s|1000", "1\u03bcs|1", "100ns|1", "1ns|1", "999999ns|1", "1000000ns|1", "1000001ns|2", "0.0001s|1",
			"1m0.001s|60001", "0h0m0s|0", "1h1h|7200000", " 6m0s |360000" })
	void goDurationsInMillisRoundUp(String value, long expected) {
		assertThat(TimeParsers.goDurationMillis(value)).hasValue(expected);
	}

	@Test
	void goDurationsKeepNanosecondPrecision() {
		assertThat(TimeParsers.goDurationNanos("1.5\u00b5s")).hasValue(1_500);
		assertThat(TimeParsers.goDurationNanos("1h2m3.5s")).hasValue(3_723_500_000_000L);
		assertThat(TimeParsers.goDurationNanos("2m59.56s")).hasValue(179_560_000_000L);
		assertThat(TimeParsers.goDurationNanos("0.5ns")).hasValue(1);
	}

	/** protocol.md §7 vector 3 and other malformed values. */
	@ParameterizedTest
	@NullAndEmptySource
	@ValueSource(strings = { "   ", "soon", "-3s", "1e3s", "3 s", "5m-2s", "5", "1.5", "s", "ms", "1.2.3s", "+5s", "1d",
			"NaN", "Infinity", "1hh", "5 m", "1s2", "s1", "-0s", "0x10s", "1S", "1 h", ".s", "1h-", "\u0661s" })
	void invalidGoDurationsAreEmpty(String value) {
		assertThat(TimeParsers.goDurationMillis(value)).isEmpty();
		assertThat(TimeParsers.goDurationNanos(value)).isEmpty();
	}

	@Test
	void tooLongValuesAreRejectedWithoutWork() {
		assertThat(TimeParsers.goDurationMillis("1s".repeat(60))).isEmpty();
		assertThat(TimeParsers.secondsMillis("1".repeat(101))).isEmpty();
	}

	/** The Azure bare-seconds form and the numeric {@code retry-after}. */
	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "5|5000", "10|10000", "300|300000", "1.5|1500", "0|0", " 7 |7000", "0.0001|1", "7.|7000",
					".5|500", "99999999999|3155760000000", "99999999999999999999|3155760000000",
					"3155760000|3155760000000", "0.000|0" })
	void bareSeconds(String value, long expected) {
		assertThat(TimeParsers.secondsMillis(value)).hasValue(expected);
	}

	@ParameterizedTest
	@NullAndEmptySource
	@ValueSource(strings = { "-5", "NaN", "Infinity", "-Infinity", "abc", "1e3", "0x10", "+5", "5s", "1,5", "1 5", ".",
			"--1", "\u0665" })
	void invalidBareSeconds(String value) {
		assertThat(TimeParsers.secondsMillis(value)).isEmpty();
	}

	@Test
	void retryAfterMsAcceptsDecimalMilliseconds() {
		assertThat(TimeParsers.millisValue("2000")).hasValue(2000);
		assertThat(TimeParsers.millisValue("2000.2")).hasValue(2001);
		assertThat(TimeParsers.millisValue("x")).isEmpty();
		assertThat(TimeParsers.millisValue("-1")).isEmpty();
		assertThat(TimeParsers.millisValue("9223372036854775808")).hasValue(TimeParsers.HORIZON.toMillis());
		assertThat(TimeParsers.millisValue("9223372036854775807")).hasValue(TimeParsers.HORIZON.toMillis());
	}

	/**
	 * protocol.md §7 vectors 4-6, 8, 9 at the parser level, and the three RFC 9110 date
	 * forms.
	 */
	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "7|7000", "1.5|1500", "0|0", "86400|86400000", "99999999999|3155760000000",
			"Sun, 01 Mar 2026 12:00:30 GMT|30000", "Sun, 01 Mar 2026 11:59:00 GMT|0",
			"Sunday, 01-Mar-26 12:00:30 GMT|30000", "Sun Mar  1 12:00:30 2026|30000", "Sun Mar 1 12:00:30 2026|30000",
			"sun, 01 mar 2026 12:01:00 gmt|60000", "Mon, 02 Mar 2026 12:00:00 GMT|86400000",
			"Sun, 01 Mar 2026 12:00:00 GMT|0", "Fri, 01 Jan 2100 00:00:00 GMT|2330078400000" })
	void retryAfter(String value, long expected) {
		assertThat(TimeParsers.retryAfterMillis(value, NOW)).hasValue(expected);
	}

	@ParameterizedTest
	@NullAndEmptySource
	@ValueSource(strings = { "-5", "NaN", "Infinity", "abc", "Sun, 31 Feb 2026 12:00:00 GMT",
			"Sun, 01 Mar 2026 25:00:00 GMT", "Sun, 01 Mar 2026 12:00:00 PST", "01 Mar 2026 12:00:00 GMT",
			"Sun, 01 Foo 2026 12:00:00 GMT", "2026-03-01T12:00:30Z", "Sun, 01 Mar 2026" })
	void invalidRetryAfter(String value) {
		assertThat(TimeParsers.retryAfterMillis(value, NOW)).isEmpty();
	}

	@Test
	void rfc850TwoDigitYearsMoreThanFiftyYearsAheadBelongToThePreviousCentury() {
		assertThat(year("Monday, 01-Mar-99 00:00:00 GMT")).isEqualTo(1999);
		assertThat(year("Friday, 01-Mar-76 00:00:00 GMT")).isEqualTo(2076);
		assertThat(year("Monday, 01-Mar-77 00:00:00 GMT")).isEqualTo(1977);
		assertThat(year("Sunday, 01-Mar-26 00:00:00 GMT")).isEqualTo(2026);
		assertThat(year("Sunday, 01-Mar-2026 00:00:00 GMT")).isEqualTo(2026);
	}

	private static int year(String date) {
		Instant instant = TimeParsers.httpDate(date, NOW).orElseThrow();
		return ZonedDateTime.ofInstant(instant, ZoneOffset.UTC).getYear();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "2026-03-01T12:00:01Z|2026-03-01T12:00:01Z", "2026-03-01T12:00:01.250Z|2026-03-01T12:00:01.250Z",
					"2026-03-01T13:00:01+01:00|2026-03-01T12:00:01Z", "2026-03-01t12:00:01z|2026-03-01T12:00:01Z",
					"2026-03-01 12:00:01Z|2026-03-01T12:00:01Z",
					" 2026-03-01T12:00:01.123456789Z |2026-03-01T12:00:01.123456789Z" })
	void rfc3339(String value, String expected) {
		assertThat(TimeParsers.rfc3339(value)).hasValue(Instant.parse(expected));
	}

	@ParameterizedTest
	@NullAndEmptySource
	@ValueSource(strings = { "2026-03-01", "tomorrow", "2026-13-01T00:00:00Z", "2026-03-01T12:00:01", "1772366401",
			"2026-02-30T00:00:00Z" })
	void invalidRfc3339(String value) {
		assertThat(TimeParsers.rfc3339(value)).isEmpty();
	}

	@Test
	void epochMillis() {
		assertThat(TimeParsers.epochMillis("1772366430000")).hasValue(Instant.parse("2026-03-01T12:00:30Z"));
		assertThat(TimeParsers.epochMillis("-1")).isEmpty();
		assertThat(TimeParsers.epochMillis("12.5")).isEmpty();
		assertThat(TimeParsers.epochMillis("1".repeat(19))).isEmpty();
	}

	/** protocol.md §7 vector 22. */
	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "37s|37000000000|37000", "0.250s|250000000|250",
			"1.000340012s|1000340012|1001", "\"37s\"|37000000000|37000", "0s|0|0", "0.000000001s|1|1" })
	void protobufDurations(String value, long nanos, long millis) {
		assertThat(TimeParsers.protobufDurationNanos(value)).hasValue(nanos);
		assertThat(TimeParsers.protobufDurationMillis(value)).hasValue(millis);
	}

	@ParameterizedTest
	@NullAndEmptySource
	@ValueSource(strings = { "-1s", "37", "1.0000000001s", "s", "1.5m", "1m30s", "NaNs", "Infinitys" })
	void invalidProtobufDurations(String value) {
		assertThat(TimeParsers.protobufDurationMillis(value)).isEmpty();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29000, Requested 1500. Please try again in 1.146s. Visit https://platform.openai.com|1146",
			"Please try again in 20ms.|20", "Please try again in 1m30s.|90000", "try again in 6m0s|360000",
			"Requests to the ChatCompletions_Create Operation have exceeded call rate limit. Please retry after 6 seconds.|6000",
			"Quota exceeded for metric. Please retry in 49.484914876s.|49485", "Try again in 59 seconds.|59000",
			"Please retry after 2 minutes|120000", "retry after 1 second|1000", "RETRY AFTER 3 SECS|3000",
			"Please retry after 86400 seconds.|86400000", "try again in 250 milliseconds|250",
			"try again in about 3s|3000", "retry in 1 hour|3600000", "retry after 1 day|86400000",
			"try again in 1.5 seconds|1500" })
	void hintsStatedInMessages(String text, long expected) {
		assertThat(TimeParsers.textHintMillis(text)).hasValue(expected);
	}

	@ParameterizedTest
	@NullAndEmptySource
	@ValueSource(strings = { "Please try again later.", "try again in a few minutes", "retry after the deadline",
			"You exceeded your current quota", "try again in 5 apples", "retry after -5 seconds" })
	void messagesWithoutUsableHint(String text) {
		assertThat(TimeParsers.textHintMillis(text)).isEmpty();
	}

	@Test
	void untilMillisRoundsUpAndClampsThePastToZero() {
		assertThat(TimeParsers.untilMillis(NOW.plusNanos(1), NOW)).hasValue(1);
		assertThat(TimeParsers.untilMillis(NOW.plusSeconds(30), NOW)).hasValue(30_000);
		assertThat(TimeParsers.untilMillis(NOW.minusSeconds(30), NOW)).hasValue(0);
		assertThat(TimeParsers.untilMillis(NOW, NOW)).hasValue(0);
		assertThat(TimeParsers.untilMillis(Instant.MAX, Instant.MIN)).hasValue(TimeParsers.HORIZON.toMillis());
		assertThat(TimeParsers.untilMillis(null, NOW)).isEmpty();
	}

}
