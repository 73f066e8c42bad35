package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11, defects 7 and 10: no two live partitions for one key, ever (a reference kept
 * across a backoff while its partition was evicted forwards to the partition now in
 * force), and a refusal at {@code max-partitions} is told to the listener (see
 * {@code PartitionLimitRefusalTests}).
 */
class PartitionEvictionTest {

	private static final Limit THREE_PER_SECOND = Limit.of(Dimension.REQUESTS, 3, Duration.ofSeconds(1));

	private final VirtualTimeSource time = new VirtualTimeSource();

	@Test
	void aStaleAndAFreshReferenceToOneKeyNeverAdmitTwoAtOnce() {
		ProviderThrottler throttler = new ProviderThrottler(
				ThrottlePolicy.of("openai", 1, THREE_PER_SECOND).withMaxPartitions(2), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition stale = throttler.partition("sk-a"); // resolved by a filter, kept
														// across a retry backoff
		stale.tryAcquire(Cost.oneRequest()).release(null);
		this.time.advance(Duration.ofSeconds(2));
		throttler.partition("sk-b"); // takes the only free place: sk-a's partition is
										// idle and evicted
		this.time.advance(Duration.ofSeconds(2));
		Partition fresh = throttler.partition("sk-a");
		Permit first = fresh.tryAcquire(Cost.oneRequest());
		assertThat(first).isNotNull();
		assertThat(stale.tryAcquire(Cost.oneRequest())).as("max-concurrent 1: a second call for sk-a").isNull();
		CompletableFuture<Permit> waiting = stale.acquireAsync(Cost.oneRequest());
		assertThat(waiting).isNotDone();
		assertThat(fresh.snapshot().queued()).as("queued on the partition in force").isEqualTo(1);
		first.release(null);
		this.time.advance(Duration.ofSeconds(1));
		assertThat(waiting).isCompleted();
		assertThat(waiting.join().partition()).isSameAs(fresh);
		waiting.join().release(null);
		// every other operation of the stale reference reaches the partition in force too
		stale.coolDown(Duration.ofSeconds(5), "429");
		assertThat(fresh.cooldownRemaining()).isEqualTo(Duration.ofSeconds(5));
		assertThat(stale.snapshot().cooldownRemaining()).isEqualTo(Duration.ofSeconds(5));
		assertThat(throttler.partitions()).containsExactlyInAnyOrder(throttler.defaultPartition(), fresh);
	}

	@Test
	void aPartitionWithPermitsOrWaitersIsNeverEvicted() {
		ProviderThrottler throttler = new ProviderThrottler(
				ThrottlePolicy.of("openai", 1, THREE_PER_SECOND).withMaxPartitions(3).withBurst(Duration.ofSeconds(1)),
				this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition holding = throttler.partition("holding");
		Permit held = holding.tryAcquire(Cost.oneRequest());
		Partition queueing = throttler.partition("queueing");
		Permit other = queueing.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> waiter = queueing.acquireAsync(Cost.oneRequest());
		other.release(null);
		assertThat(waiter).isCompleted();
		this.time.advance(Duration.ofMinutes(5));
		assertThatThrownBy(() -> throttler.partition("newcomer")).isInstanceOf(PartitionLimitException.class);
		assertThat(throttler.partition("holding")).isSameAs(holding);
		assertThat(throttler.partition("queueing")).isSameAs(queueing);
		held.release(null);
		waiter.join().release(null);
		this.time.advance(Duration.ofSeconds(2));
		assertThat(throttler.partition("newcomer")).isNotNull();
	}

	@Test
	void randomLookupsEvictionsAndStaleReferencesNeverAdmitBeyondAKeysLimits() {
		for (long seed = 1; seed <= 400; seed++) {
			try {
				new Run(seed).execute();
			}
			catch (AssertionError | RuntimeException ex) {
				throw new AssertionError("seed " + seed + " failed: " + ex.getMessage(), ex);
			}
		}
	}

	/**
	 * One random sequence over five keys, two to four partitions and every reference ever
	 * handed out.
	 */
	private static final class Run {

		private static final String[] KEYS = { "k0", "k1", "k2", "k3", "k4" };

		private final Random random;

		private final VirtualTimeSource time = new VirtualTimeSource();

		private final ProviderThrottler throttler;

		private final List<Partition> references = new ArrayList<>();

		private final List<Permit> held = new ArrayList<>();

		private final List<CompletableFuture<Permit>> waiting = new ArrayList<>();

		private final Map<String, List<long[]>> admissions = new HashMap<>();

		private final Map<Permit, long[]> admissionOf = new IdentityHashMap<>();

		private final AtomicInteger maxConcurrent = new AtomicInteger();

		private final List<Throwable> failures = new ArrayList<>();

		Run(long seed) {
			this.random = new Random(seed);
			this.maxConcurrent.set(1 + this.random.nextInt(2));
			this.throttler = new ProviderThrottler(
					ThrottlePolicy.of("openai", this.maxConcurrent.get(), THREE_PER_SECOND)
						.withMaxPartitions(2 + this.random.nextInt(3))
						.withMaxWait(Duration.ofSeconds(5)),
					this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		}

		void execute() {
			for (int step = 0; step < 200; step++) {
				act();
				if (!this.failures.isEmpty()) {
					throw new AssertionError("at step " + step + ": " + this.failures.get(0).getMessage(),
							this.failures.get(0));
				}
			}
			new ArrayList<>(this.waiting).forEach((future) -> future.cancel(false));
			new ArrayList<>(this.held).forEach((permit) -> permit.release(null));
			this.time.advance(Duration.ofSeconds(10));
			checkTrailingWindows();
			Set<Partition> all = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
			all.addAll(this.references);
			all.addAll(this.throttler.partitions());
			for (Partition partition : all) {
				PartitionSnapshot snapshot = partition.snapshot();
				assertThat(snapshot.inFlight()).as("in flight on %s", partition.key()).isZero();
				assertThat(snapshot.queued()).as("queued on %s", partition.key()).isZero();
				assertThat(snapshot.repeatedReleases()).isZero();
			}
			assertThat(this.time.pendingTasks()).isZero();
		}

		private void act() {
			switch (this.random.nextInt(9)) {
				case 0, 1 -> lookUp();
				case 2 -> {
					Partition reference = anyReference();
					if (reference != null) {
						try {
							Permit permit = reference.tryAcquire(Cost.oneRequest());
							if (permit != null) {
								admitted(permit);
							}
						}
						catch (PartitionLimitException ex) {
							// the key's partition was evicted and no place is free for it
							// now
						}
					}
				}
				case 3 -> {
					Partition reference = anyReference();
					if (reference != null) {
						CompletableFuture<Permit> future = reference.acquireAsync(Cost.oneRequest());
						this.waiting.add(future);
						future.whenComplete((permit, ex) -> {
							this.waiting.remove(future);
							try {
								if (permit != null) {
									admitted(permit);
								}
								else if (!(unwrap(ex) instanceof ThrottleRejectedException)
										&& !(ex instanceof java.util.concurrent.CancellationException)) {
									throw new AssertionError("unexpected failure", ex);
								}
							}
							catch (AssertionError | RuntimeException failure) {
								this.failures.add(failure);
							}
						});
					}
				}
				case 4 -> {
					if (!this.held.isEmpty()) {
						Permit permit = this.held.remove(this.random.nextInt(this.held.size()));
						if (this.random.nextInt(4) == 0) {
							permit.abandon();
							this.admissionOf.get(permit)[1] = 1;
						}
						else {
							permit.release(null);
						}
					}
				}
				case 5 -> {
					if (!this.waiting.isEmpty()) {
						this.waiting.get(this.random.nextInt(this.waiting.size())).cancel(false);
					}
				}
				case 6 -> this.time.advance(Duration.ofMillis(this.random.nextInt(1500)));
				case 7 -> {
					int cap = 1 + this.random.nextInt(2);
					this.maxConcurrent.set(cap);
					this.throttler.apply(this.throttler.policy().withMaxConcurrent(cap));
				}
				default -> {
					Partition reference = anyReference();
					if (reference != null) {
						try {
							reference.coolDown(Duration.ofMillis(this.random.nextInt(300)), "429");
						}
						catch (PartitionLimitException ex) {
							// as above
						}
					}
				}
			}
		}

		private void lookUp() {
			try {
				this.references.add(this.throttler.partition(KEYS[this.random.nextInt(KEYS.length)]));
			}
			catch (PartitionLimitException ex) {
				// every place is held by a partition in use
			}
		}

		private Partition anyReference() {
			return this.references.isEmpty() ? null : this.references.get(this.random.nextInt(this.references.size()));
		}

		private void admitted(Permit permit) {
			String key = permit.partition().key();
			long inFlight = this.held.stream().filter((other) -> other.partition().key().equals(key)).count() + 1;
			assertThat(inFlight).as("calls in flight for %s", key).isLessThanOrEqualTo(this.maxConcurrent.get());
			this.held.add(permit);
			long[] admission = { permit.admittedAt(), 0 };
			this.admissionOf.put(permit, admission);
			this.admissions.computeIfAbsent(key, (k) -> new ArrayList<>()).add(admission);
		}

		/**
		 * Every trailing second of every key holds at most three admissions that were not
		 * abandoned.
		 */
		private void checkTrailingWindows() {
			long period = Duration.ofSeconds(1).toNanos();
			this.admissions.forEach((key, list) -> {
				for (long[] admission : list) {
					long count = list.stream()
						.filter((other) -> other[1] == 0 && other[0] <= admission[0]
								&& other[0] > admission[0] - period)
						.count();
					assertThat(count).as("admissions of %s in the second ending at %d", key, admission[0])
						.isLessThanOrEqualTo(3);
				}
			});
		}

		private static Throwable unwrap(Throwable ex) {
			return (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
		}

	}

}
