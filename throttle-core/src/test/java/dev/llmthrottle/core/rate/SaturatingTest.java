package dev.llmthrottle.core.rate;

import java.math.BigInteger;
import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SaturatingTest {

	private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);

	private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

	private static final long[] EDGES = { Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE / 2, -(1L << 32), -2, -1,
			0, 1, 2, 1L << 32, Long.MAX_VALUE / 2, Long.MAX_VALUE - 1, Long.MAX_VALUE };

	@Test
	void agreesWithExactArithmeticClampedToLongRange() {
		for (long a : EDGES) {
			for (long b : EDGES) {
				check(a, b);
			}
		}
		SplittableRandom random = new SplittableRandom(42);
		for (int i = 0; i < 200_000; i++) {
			long a = random.nextLong() >> random.nextInt(64);
			long b = random.nextLong() >> random.nextInt(64);
			check(a, b);
		}
	}

	private static void check(long a, long b) {
		BigInteger x = BigInteger.valueOf(a);
		BigInteger y = BigInteger.valueOf(b);
		assertThat(Saturating.add(a, b)).as("%d + %d", a, b).isEqualTo(clamp(x.add(y)));
		assertThat(Saturating.subtract(a, b)).as("%d - %d", a, b).isEqualTo(clamp(x.subtract(y)));
		assertThat(Saturating.multiply(a, b)).as("%d * %d", a, b).isEqualTo(clamp(x.multiply(y)));
	}

	private static long clamp(BigInteger value) {
		return value.max(MIN).min(MAX).longValueExact();
	}

	@Test
	void durationsSaturateInsteadOfThrowing() {
		assertThat(Saturating.toNanos(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
		assertThat(Saturating.toNanos(Duration.ofSeconds(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
		assertThat(Saturating.toNanos(Duration.ofDays(3_000_000))).isEqualTo(Long.MAX_VALUE);
		assertThat(Saturating.toNanos(Duration.ofNanos(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
		assertThat(Saturating.toNanos(Duration.ofNanos(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
		assertThat(Saturating.toNanos(Duration.ofMillis(-1500))).isEqualTo(-1_500_000_000L);
		assertThat(Saturating.toNanos(Duration.ofSeconds(90, 7))).isEqualTo(90_000_000_007L);
		assertThat(Saturating.ceil(Double.NaN)).isZero();
		assertThat(Saturating.ceil(1e30)).isEqualTo(Long.MAX_VALUE);
		assertThat(Saturating.floor(-1e30)).isEqualTo(Long.MIN_VALUE);
	}

}
