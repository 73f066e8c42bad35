package dev.llmthrottle.exchange;

import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RetryPolicyTest {

	private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(8),
			Duration.ofSeconds(120), null);

	@Test
	void ceilingDoublesUpToTheMaximum() {
		assertThat(this.policy.ceilingNanos(1)).isEqualTo(Duration.ofMillis(500).toNanos());
		assertThat(this.policy.ceilingNanos(2)).isEqualTo(Duration.ofSeconds(1).toNanos());
		assertThat(this.policy.ceilingNanos(5)).isEqualTo(Duration.ofSeconds(8).toNanos());
		assertThat(this.policy.ceilingNanos(1000)).isEqualTo(Duration.ofSeconds(8).toNanos());
	}

	@Test
	void fullJitterStaysWithinTheCeilingAndSpreads() {
		Random random = new Random(42);
		long min = Long.MAX_VALUE;
		long max = 0;
		for (int i = 0; i < 10_000; i++) {
			long nanos = this.policy.backoff(3, random).toNanos();
			assertThat(nanos).isBetween(0L, Duration.ofSeconds(2).toNanos());
			min = Math.min(min, nanos);
			max = Math.max(max, nanos);
		}
		assertThat(min).isLessThan(Duration.ofMillis(50).toNanos());
		assertThat(max).isGreaterThan(Duration.ofMillis(1950).toNanos());
	}

	@Test
	void countsAttempts() {
		assertThat(this.policy.allowsAnotherAttempt(4)).isTrue();
		assertThat(this.policy.allowsAnotherAttempt(5)).isFalse();
	}

	@Test
	void rejectsNonsense() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, null));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RetryPolicy(1, Duration.ofMillis(-1), Duration.ZERO, Duration.ZERO, null));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
	}

}
