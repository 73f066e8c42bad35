package dev.llmthrottle.exchange;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTooLongExceptionTest {

	@Test
	void messageOfAnAbsurdHintNeverThrows() {
		RetryAfterTooLongException ex = new RetryAfterTooLongException("openai", 429,
				Duration.ofSeconds(99_999_999_999L), Duration.ofMinutes(2));
		assertThat(ex).hasMessageContaining("openai").hasMessageContaining("99999999999s").hasMessageContaining("2m");
		assertThat(ex.requested()).isEqualTo(Duration.ofSeconds(99_999_999_999L));
	}

}
