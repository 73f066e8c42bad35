package dev.llmthrottle.test.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitTest {

	@Test
	void parsesSpecs() {
		assertThat(Limit.parse("requests:50/10s")).isEqualTo(new Limit(Dimension.REQUESTS, 50, Duration.ofSeconds(10)));
		assertThat(Limit.parse("tokens:20_000/1m"))
			.isEqualTo(new Limit(Dimension.TOKENS, 20_000, Duration.ofMinutes(1)));
		assertThat(Limit.parse("input_tokens:400000/m").dimension()).isEqualTo(Dimension.INPUT_TOKENS);
		assertThat(Limit.parse("output-tokens:1000/d").period()).isEqualTo(Duration.ofDays(1));
		assertThat(Limit.parse("requests:5/s").period()).isEqualTo(Duration.ofSeconds(1));
		assertThat(Limit.parse("requests:50/10s")).hasToString("requests:50/10s");
	}

	@Test
	void rejectsBadSpecs() {
		for (String bad : new String[] { "requests", "requests:50", "bogus:5/1s", "requests:0/1s", "requests:x/1s",
				"requests:5/0s", "requests:5/" }) {
			assertThatThrownBy(() -> Limit.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
		}
	}

}
