package dev.llmthrottle.test.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

	@Test
	void formatsLikeGo() {
		assertThat(GoDuration.format(0)).isEqualTo("0s");
		assertThat(GoDuration.format(Duration.ofMinutes(6))).isEqualTo("6m0s");
		assertThat(GoDuration.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
		assertThat(GoDuration.format(Duration.ofMillis(250))).isEqualTo("250ms");
		assertThat(GoDuration.format(Duration.ofMillis(12))).isEqualTo("12ms");
		assertThat(GoDuration.format(Duration.ofMillis(1146))).isEqualTo("1.146s");
		assertThat(GoDuration.format(Duration.ofMillis(3_723_500))).isEqualTo("1h2m3.5s");
		assertThat(GoDuration.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
		assertThat(GoDuration.format(Duration.ofMillis(179_560))).isEqualTo("2m59.56s");
		assertThat(GoDuration.format(800_000)).isEqualTo("800µs");
		assertThat(GoDuration.format(1_500)).isEqualTo("1.5µs");
		assertThat(GoDuration.format(7)).isEqualTo("7ns");
		assertThat(GoDuration.format(Duration.ofSeconds(10))).isEqualTo("10s");
	}

	@Test
	void parsesWhatItFormats() {
		assertThat(GoDuration.parse("6m0s")).isEqualTo(Duration.ofMinutes(6));
		assertThat(GoDuration.parse("1h2m3.5s")).isEqualTo(Duration.ofMillis(3_723_500));
		assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
		assertThat(GoDuration.parse("800us")).isEqualTo(Duration.ofNanos(800_000));
		assertThat(GoDuration.parse("1.5µs")).isEqualTo(Duration.ofNanos(1_500));
		assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
		assertThat(GoDuration.parse(" 10s ")).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void rejectsWhatGoRejects() {
		for (String bad : new String[] { "", "soon", "-3s", "1e3s", "3 s", "5m-2s", "10", "s", "1..5s" }) {
			assertThatThrownBy(() -> GoDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
		}
	}

}
