package dev.llmthrottle.core.rate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded random traces of admissions (many of cost 0), settlements with refunds and
 * absurd debts, charges after the fact and time jumps, run through {@link PacedWindow}
 * and through an unbounded reference window that applies only the settlement clamp of
 * rule R2. Whatever the window caps or saturates, it must take the same decisions and
 * name the same waits as the reference (rule R1: a cost of 0 needs room for one unit),
 * and it must stay within its bounds (sum at most twice the amount, every wait within two
 * periods).
 */
class PacedWindowModelTest {

	private static final long[] ABSURD = { Long.MIN_VALUE, -5, 100_000_000_000_000L, 5_000_000_000_000_000_000L,
			Long.MAX_VALUE };

	@Test
	void boundedWindowDecidesAsTheUnboundedReference() {
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
		long amount = random.nextBoolean() ? 1 + random.nextInt(20) : 1 + random.nextLong(1_000_000);
		Duration period = Duration.ofMillis(1 + random.nextLong(Duration.ofDays(1).toMillis()));
		// pacing never binds with an unbounded burst (it is capped at two periods ahead):
		// the window decides alone
		PacedWindow window = new PacedWindow(Limit.of(Dimension.OUTPUT_TOKENS, amount, period), Long.MAX_VALUE);
		Reference reference = new Reference(amount, period.toNanos());
		long now = random.nextLong(-(1L << 59), 1L << 59);
		List<Held> held = new ArrayList<>();
		int jumps = 0;
		for (int step = 0; step < 200; step++) {
			int action = random.nextInt(100);
			if (action < 35) {
				long cost = random.nextBoolean() ? 0 : random.nextLong(amount + 1);
				long wait = window.nanosUntilAvailable(cost, now);
				assertThat(wait).as("step %d: wait for %d", step, cost).isEqualTo(reference.wait(cost, now));
				if (wait == 0) {
					PacedWindow.Entry entry = window.consume(cost, now);
					held.add(new Held(entry, cost, reference.consume(entry, cost, now)));
				}
			}
			else if (action < 60 && !held.isEmpty()) {
				Held settled = held.remove(random.nextInt(held.size()));
				long actual = actual(random, settled.estimate, amount);
				window.settle(settled.entry, settled.estimate, actual, now);
				reference.settle(settled.bucket, settled.estimate, actual, now);
			}
			else if (action < 70) {
				// a debt in a dimension the call did not reserve, as LocalPartitionState
				// charges it
				long actual = actual(random, 0, amount);
				PacedWindow.Entry entry = window.consume(0, now);
				Bucket bucket = reference.consume(entry, 0, now);
				window.settle(entry, 0, actual, now);
				reference.settle(bucket, 0, actual, now);
			}
			else {
				int kind = random.nextInt(20);
				long periodNanos = reference.periodNanos;
				if (kind == 0 && jumps < 10) {
					now += Duration.ofDays(3650).toNanos();
					jumps++;
				}
				else {
					now += (kind < 8) ? 0
							: (kind < 16) ? random.nextLong(periodNanos / 4 + 1) : random.nextLong(3 * periodNanos);
				}
			}
			long used = window.used(now);
			assertThat(used).as("step %d: used", step).isBetween(0L, 2 * amount);
			assertThat(window.available(now)).as("step %d: available", step).isBetween(0L, amount);
			assertThat(window.nanosUntilAvailable(amount, now)).as("step %d: horizon", step)
				.isBetween(0L, reference.periodNanos);
		}
	}

	private static long actual(SplittableRandom random, long estimate, long amount) {
		int kind = random.nextInt(10);
		if (kind < 2) {
			return ABSURD[random.nextInt(ABSURD.length)];
		}
		if (kind < 5) {
			return random.nextLong(estimate + 1); // refund
		}
		return estimate + random.nextLong(amount + 1); // debt of up to one amount
	}

	private record Held(PacedWindow.Entry entry, long estimate, Bucket bucket) {
	}

	private static final class Bucket {

		final long first;

		long time;

		long amount;

		boolean live = true;

		Bucket(long time, long amount) {
			this.first = time;
			this.time = time;
			this.amount = amount;
		}

	}

	/**
	 * An exact trailing window with the same buckets, no cap and no saturation (the
	 * values stay small).
	 */
	private static final class Reference {

		final long amount;

		final long periodNanos;

		final long granularityNanos;

		final List<Bucket> buckets = new ArrayList<>();

		final Map<PacedWindow.Entry, Bucket> byEntry = new IdentityHashMap<>();

		Reference(long amount, long period) {
			this.amount = amount;
			this.periodNanos = period + Math.min(period / 100, 1_000_000_000L);
			this.granularityNanos = Math.max(1, this.periodNanos / 1024);
		}

		long wait(long cost, long now) {
			if (cost > this.amount) {
				return PacedWindow.NEVER;
			}
			expire(now);
			long excess = sum() + Math.max(cost, 1) - this.amount;
			long freed = 0;
			for (Bucket bucket : this.buckets) {
				if (freed >= excess) {
					break;
				}
				freed += bucket.amount;
				if (freed >= excess) {
					return bucket.time + this.periodNanos - now;
				}
			}
			return 0;
		}

		Bucket consume(PacedWindow.Entry entry, long cost, long now) {
			expire(now);
			Bucket bucket = append(cost, now);
			Bucket known = this.byEntry.putIfAbsent(entry, bucket);
			assertThat(known).as("the window merged as the reference did").isIn(null, bucket);
			return bucket;
		}

		void settle(Bucket bucket, long estimate, long actual, long now) {
			long real = Math.max(0, Math.min(actual, estimate + this.amount));
			long delta = real - estimate;
			if (delta == 0) {
				return;
			}
			expire(now);
			if (delta < 0) {
				if (bucket.live) {
					bucket.amount -= Math.min(-delta, bucket.amount);
				}
			}
			else if (bucket.live) {
				bucket.amount += delta;
			}
			else {
				append(delta, now);
			}
		}

		private Bucket append(long units, long now) {
			Bucket last = this.buckets.isEmpty() ? null : this.buckets.get(this.buckets.size() - 1);
			if (last != null && now - last.first < this.granularityNanos) {
				last.time = now;
				last.amount += units;
				return last;
			}
			Bucket bucket = new Bucket(now, units);
			this.buckets.add(bucket);
			return bucket;
		}

		private long sum() {
			return this.buckets.stream().mapToLong((bucket) -> bucket.amount).sum();
		}

		private void expire(long now) {
			while (!this.buckets.isEmpty() && this.buckets.get(0).time + this.periodNanos <= now) {
				this.buckets.remove(0).live = false;
			}
		}

	}

}
