package dev.llmthrottle.core.rate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.fail;

class PacedRateLimiterTest {

	private static final long MS = 1_000_000L;

	private final VirtualTimeSource time = new VirtualTimeSource();

	@Test
	void reservationsBookedAheadKeepTheLimit() {
		// defect 6: 10/s with 1 s of burst; reserve(9) at 0.6 s used to return 0 (19
		// permits in 0.6 s)
		PacedRateLimiter limiter = new PacedRateLimiter("r", Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)),
				Duration.ofSeconds(1), Duration.ofSeconds(5), this.time);
		Model model = new Model(Duration.ofSeconds(1).toNanos());
		long start = this.time.nanoTime();
		model.admit(start, limiter.reservePermission(10), 10, 10);
		this.time.advance(Duration.ofMillis(500));
		long second = limiter.reservePermission(1);
		assertThat(second).isPositive();
		model.admit(this.time.nanoTime(), second, 1, 10);
		this.time.advance(Duration.ofMillis(100));
		long third = limiter.reservePermission(9);
		assertThat(third).as("the 9 wait until the first 10 have left the window").isGreaterThanOrEqualTo(400 * MS);
		model.admit(this.time.nanoTime(), third, 9, 10);
	}

	@Test
	void aReservationWaitsBehindOnesBookedEarlier() {
		PacedRateLimiter limiter = new PacedRateLimiter("r", Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)),
				Duration.ofSeconds(1), Duration.ofSeconds(5), this.time);
		assertThat(limiter.reservePermission(10)).isZero();
		long booked = limiter.reservePermission(10);
		assertThat(booked).isEqualTo(1010 * MS); // the period plus its 1% guard
		assertThat(limiter.reservePermission(1)).as("not before the booking ahead of it").isEqualTo(2020 * MS);
		// at 2.02 s the second 10 have left the window: 9 more fit at that instant, then
		// the next waits
		assertThat(limiter.reservePermission(9)).isEqualTo(2020 * MS);
		assertThat(limiter.reservePermission(1)).isEqualTo(3030 * MS);
	}

	@Test
	void permitsAboveTheLimitAreRefusedAndAWaitBeyondTheTimeoutBooksNothing() {
		PacedRateLimiter limiter = new PacedRateLimiter("r", Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)),
				Duration.ZERO, Duration.ofMillis(100), this.time);
		assertThatIllegalArgumentException().isThrownBy(() -> limiter.reservePermission(11));
		assertThat(limiter.acquirePermission(10)).isTrue();
		assertThat(limiter.reservePermission(1)).isEqualTo(-1);
		assertThat(limiter.acquirePermission(1)).isFalse();
		this.time.advance(Duration.ofMillis(1010));
		assertThat(limiter.getMetrics().getAvailablePermissions()).isEqualTo(10);
	}

	@Test
	void anInterruptWhileWaitingWithdrawsTheBookingAndKeepsTheFlag() {
		PacedRateLimiter limiter = new PacedRateLimiter("r", Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)),
				Duration.ZERO, Duration.ofSeconds(5), this.time);
		assertThat(limiter.acquirePermission(10)).isTrue();
		Thread.currentThread().interrupt();
		try {
			assertThat(limiter.acquirePermission(5)).isFalse();
			assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag kept").isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(limiter.getMetrics().getNumberOfWaitingThreads()).isZero();
		this.time.advance(Duration.ofMillis(1010));
		assertThat(limiter.reservePermission(10)).as("the withdrawn 5 hold no one back").isZero();
	}

	@Test
	void anAbsurdBurstNeverThrows() {
		// Resilience4j itself refuses a timeout too large for nanoseconds; the burst is
		// ours to saturate
		PacedRateLimiter limiter = new PacedRateLimiter("r", Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)),
				Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(365), this.time);
		assertThat(limiter.reservePermission(10)).isZero();
		assertThat(limiter.reservePermission(10)).isEqualTo(1010 * MS);
		assertThat(limiter.reservePermission(10)).isEqualTo(2020 * MS);
	}

	@Test
	void randomMixesNeverPutMoreThanTheLimitInAnyTrailingWindow() {
		for (long seed = 1; seed <= 1000; seed++) {
			try {
				runTrace(seed);
			}
			catch (AssertionError | RuntimeException ex) {
				fail("seed " + seed + ": " + ex.getMessage(), ex);
			}
		}
	}

	private static void runTrace(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		VirtualTimeSource time = new VirtualTimeSource(random.nextLong(-1L << 62, 1L << 62));
		Duration period = random.nextBoolean() ? Duration.ofSeconds(1) : Duration.ofMillis(1 + random.nextInt(60_000));
		long periodNanos = period.toNanos();
		int limit = 1 + random.nextInt(20);
		Duration burst = Duration.ofNanos(random.nextBoolean() ? 0 : random.nextLong(2 * periodNanos));
		Duration timeout = Duration.ofNanos(random.nextInt(3) == 0 ? 0 : random.nextLong(3 * periodNanos));
		PacedRateLimiter limiter = new PacedRateLimiter("seed-" + seed, Limit.of(Dimension.REQUESTS, limit, period),
				burst, timeout, time);
		Model model = new Model(periodNanos);
		for (int step = 0; step < 200; step++) {
			long now = time.nanoTime();
			int action = random.nextInt(100);
			if (action < 40) {
				int permits = 1 + random.nextInt(limit);
				long wait = limiter.reservePermission(permits);
				assertThat(wait).as("step %d: reservation of %d", step, permits)
					.isBetween(-1L, limiter.getRateLimiterConfig().getTimeoutDuration().toNanos());
				if (wait >= 0) {
					model.admit(now, wait, permits, limit);
				}
			}
			else if (action < 55) {
				int permits = 1 + random.nextInt(limit);
				if (limiter.getRateLimiterConfig().getTimeoutDuration().isZero()) {
					// never blocks: either admitted now or refused
					if (limiter.acquirePermission(permits)) {
						model.admit(now, 0, permits, limit);
					}
				}
				else {
					long wait = limiter.reservePermission(permits);
					if (wait >= 0) {
						model.admit(now, wait, permits, limit);
					}
				}
			}
			else if (action < 60) {
				int permits = limit + 1 + random.nextInt(5);
				try {
					limiter.reservePermission(permits);
					fail("step %d: %d permits above the limit of %d were booked", step, permits, limit);
				}
				catch (IllegalArgumentException expected) {
					// a request above the limit can never be admitted
				}
			}
			else if (action < 65) {
				limiter.drainPermissions();
				assertThat(limiter.getMetrics().getAvailablePermissions()).as("step %d: after drain", step).isZero();
			}
			else if (action < 70) {
				limit = 1 + random.nextInt(20);
				limiter.changeLimitForPeriod(limit);
				assertThat(limiter.getRateLimiterConfig().getLimitForPeriod()).isEqualTo(limit);
			}
			else if (action < 75) {
				limiter.changeTimeoutDuration(
						Duration.ofNanos(random.nextBoolean() ? 0 : random.nextLong(3 * periodNanos)));
			}
			else {
				int jump = random.nextInt(10);
				long nanos = (jump < 4) ? 0
						: (jump < 8) ? random.nextLong(periodNanos / 4 + 1) : random.nextLong(3 * periodNanos);
				time.advanceNanos(nanos);
			}
			assertThat(limiter.getMetrics().getAvailablePermissions()).isBetween(0, limit);
		}
	}

	/** Every permit admitted, at the instant it may be used. */
	private static final class Model {

		private final long periodNanos;

		private final List<long[]> admitted = new ArrayList<>();

		Model(long periodNanos) {
			this.periodNanos = periodNanos;
		}

		void admit(long now, long wait, long permits, long limit) {
			long at = now + wait;
			this.admitted.add(new long[] { at, permits });
			// every trailing window holding the new permits ends at an admission in [at,
			// at + period)
			for (long[] end : this.admitted) {
				if (end[0] < at || end[0] - at >= this.periodNanos) {
					continue;
				}
				long inWindow = 0;
				for (long[] other : this.admitted) {
					if (other[0] <= end[0] && end[0] - other[0] < this.periodNanos) {
						inWindow += other[1];
					}
				}
				assertThat(inWindow)
					.as("permits in the trailing window ending at +%d ns after admitting %d at +%d ns", end[0] - now,
							permits, wait)
					.isLessThanOrEqualTo(limit);
			}
		}

	}

}
