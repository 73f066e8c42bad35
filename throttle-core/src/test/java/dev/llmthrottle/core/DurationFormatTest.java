package dev.llmthrottle.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DurationFormatTest {

	@Test
	void usesTheLargestExactUnit() {
		assertThat(DurationFormat.format(Duration.ZERO)).isEqualTo("0s");
		assertThat(DurationFormat.format(Duration.ofDays(2))).isEqualTo("2d");
		assertThat(DurationFormat.format(Duration.ofHours(3))).isEqualTo("3h");
		assertThat(DurationFormat.format(Duration.ofMinutes(1))).isEqualTo("1m");
		assertThat(DurationFormat.format(Duration.ofSeconds(10))).isEqualTo("10s");
		assertThat(DurationFormat.format(Duration.ofMillis(250))).isEqualTo("250ms");
		assertThat(DurationFormat.format(Duration.ofNanos(1_500))).isEqualTo("0.002ms");
		assertThat(DurationFormat.format(Duration.ofNanos(2_500_001))).isEqualTo("2.500ms");
		assertThat(DurationFormat.formatNanos(90_000_000_000L)).isEqualTo("90s");
	}

	/**
	 * Absurd provider hints end up in messages: 99999999999 s, the year 9999,
	 * 99999999999999 ms.
	 */
	@Test
	void durationsBeyondLongNanosFormatWithoutThrowing() {
		assertThat(DurationFormat.format(Duration.ofSeconds(99_999_999_999L))).isEqualTo("99999999999s");
		assertThat(DurationFormat.format(Duration.ofMillis(99_999_999_999_999L))).isEqualTo("99999999999999ms");
		assertThat(DurationFormat.format(Duration.ofDays(2_932_896L))).isEqualTo("2932896d");
		assertThat(DurationFormat.format(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)))
			.isEqualTo("9223372036854775808000.000ms");
		assertThat(DurationFormat.format(Duration.ofSeconds(Long.MIN_VALUE))).isEqualTo("-9223372036854775808s");
	}

	@Test
	void negativeDurationsKeepTheirSign() {
		assertThat(DurationFormat.format(Duration.ofSeconds(-5))).isEqualTo("-5s");
		assertThat(DurationFormat.format(Duration.ofMillis(-1))).isEqualTo("-1ms");
	}

}
