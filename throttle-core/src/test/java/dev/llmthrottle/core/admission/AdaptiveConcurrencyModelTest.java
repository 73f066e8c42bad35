package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded random sequences of admissions, releases with every outcome, time steps and
 * policy changes (auto on and off, the bound raised and lowered) against a reference
 * model of who holds a permit and who waits: the partition's count matches the model, no
 * call is admitted beyond the limit in force or the bound, waiters are served in arrival
 * order, and once every permit comes back every waiter is admitted (a lowered limit never
 * strands anyone). A failure prints its seed.
 */
class AdaptiveConcurrencyModelTest {

	private static final int RUNS = 200;

	private static final int STEPS = 300;

	@Test
	void randomSequencesKeepTheModelsInvariants() {
		long base = Long.getLong("adaptive.seed", System.nanoTime());
		for (int run = 0; run < RUNS; run++) {
			long seed = base + run;
			try {
				runOnce(seed);
			}
			catch (AssertionError ex) {
				fail("seed " + seed + " (rerun with -Dadaptive.seed=" + seed + "): " + ex.getMessage(), ex);
			}
		}
	}

	private void runOnce(long seed) {
		Random random = new Random(seed);
		VirtualTimeSource time = new VirtualTimeSource();
		ThrottlePolicy policy = ThrottlePolicy
			.of("openai", random.nextInt(6),
					Limit.of(Dimension.REQUESTS, 5 + random.nextInt(40), Duration.ofSeconds(1)))
			.withAutoConcurrent(true)
			.withMaxWait(Duration.ofHours(10))
			.withBurst(Duration.ofMillis(random.nextInt(500)));
		ProviderThrottler throttler = new ProviderThrottler(policy, time, PartitionKeys.withRandomSecret(),
				ThrottleListener.NONE);
		Partition partition = throttler.defaultPartition();
		List<Permit> held = new ArrayList<>();
		ArrayDeque<Integer> waiting = new ArrayDeque<>();
		List<String> violations = new ArrayList<>();
		int[] nextArrival = { 0 };
		for (int step = 0; step < STEPS; step++) {
			int op = random.nextInt(10);
			if (op < 4) {
				int arrival = nextArrival[0]++;
				waiting.addLast(arrival);
				CompletableFuture<Permit> future = partition.acquireAsync(Cost.oneRequest());
				future.whenComplete((permit, error) -> {
					if (error != null) {
						violations.add("waiter " + arrival + " failed: " + error);
						return;
					}
					Integer first = waiting.pollFirst();
					if (first == null || first != arrival) {
						violations.add("admitted " + arrival + " ahead of " + first);
					}
					held.add(permit);
					int inFlight = partition.snapshot().inFlight();
					int limit = partition.concurrencyLimit();
					ThrottlePolicy now = throttler.policy();
					if (limit > 0 && inFlight > limit) {
						violations.add(inFlight + " in flight over the limit " + limit);
					}
					if (now.maxConcurrent() > 0 && inFlight > now.maxConcurrent()) {
						violations.add(inFlight + " in flight over the bound " + now.maxConcurrent());
					}
				});
			}
			else if (op < 7 && !held.isEmpty()) {
				Permit permit = held.remove(random.nextInt(held.size()));
				switch (random.nextInt(5)) {
					case 0 -> permit.abandon();
					case 1 -> {
						permit.reportOutcome(Permit.Outcome.OVERLOADED);
						permit.release(Cost.oneRequest());
					}
					case 2 -> {
						permit.reportOutcome(Permit.Outcome.REFUSED);
						permit.release(Cost.oneRequest());
					}
					case 3 -> {
						permit.reportOutcome(Permit.Outcome.FAILED);
						permit.release(null);
					}
					default -> {
						permit.reportOutcome(Permit.Outcome.SUCCEEDED);
						permit.release(null);
					}
				}
			}
			else if (op < 9) {
				time.advance(Duration.ofMillis(random.nextInt(300)));
			}
			else {
				ThrottlePolicy current = throttler.policy();
				throttler.apply(current.withMaxConcurrent(random.nextInt(6))
					.withAutoConcurrent(random.nextInt(5) != 0 || !current.autoConcurrent()));
			}
			assertThat(violations).isEmpty();
			assertThat(partition.snapshot().inFlight()).as("in flight, step %d", step).isEqualTo(held.size());
			int limit = partition.concurrencyLimit();
			ThrottlePolicy now = throttler.policy();
			if (now.autoConcurrent()) {
				assertThat(limit).isPositive();
				if (now.maxConcurrent() > 0) {
					assertThat(limit).isLessThanOrEqualTo(now.maxConcurrent());
				}
			}
		}
		// everyone comes back: every waiter is admitted in turn, nothing is stranded
		int rounds = 0;
		while (!held.isEmpty() || !waiting.isEmpty()) {
			assertThat(rounds++).as("rounds to admit every waiter").isLessThan(100_000);
			if (!held.isEmpty()) {
				Permit permit = held.remove(0);
				permit.reportOutcome(Permit.Outcome.SUCCEEDED);
				permit.release(null);
			}
			else {
				time.advance(Duration.ofMillis(100));
			}
			assertThat(violations).isEmpty();
		}
		assertThat(partition.snapshot().inFlight()).isZero();
		assertThat(partition.snapshot().queued()).isZero();
	}

}
