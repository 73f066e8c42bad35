package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Random sequences of acquire / release / abandon / cancel / cooldown / time jumps on
 * random policies, checked against a plain record of every admission and settlement,
 * optionally with interrupted callers, policy changes mid-flight, debts in dimensions a
 * call did not reserve, absurd provider values and evictions. Invariants:
 * <ul>
 * <li>no call is admitted into a trailing window of any limit unless the window has room
 * for it, a call costing 0 in a limited dimension counting as 1 (rule R1): windows exceed
 * their amount only through settled debts, and then hold everyone back until they
 * drain;</li>
 * <li>in flight never exceeds the concurrency cap in force at admission, across every
 * partition object that ever served the key (an evicted partition still used by a caller
 * counts);</li>
 * <li>admission in arrival order; every permit is released exactly once; nothing is left
 * held or queued;</li>
 * <li>nothing throws on a provider's value, reported state stays in range, and everything
 * is idle a bounded time after the last call (rule R2), whatever was settled or
 * reported;</li>
 * <li>the caller thread's interrupt flag changes nothing (rule R3): an interrupted
 * {@code tryAcquire} admits what a clean one admits, and an interrupted release wakes the
 * next waiter.</li>
 * </ul>
 * Each seed is reproducible; a failure names it and the features it ran with.
 */
class PartitionModelTest {

	private static final int SEEDS = 1000;

	private static final int FOCUSED_SEEDS = 300;

	private static final int ACTIONS = 200;

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final String KEY = "tenant-a";

	/** What a run may do besides the basic actions. */
	enum Feature {

		/**
		 * Callers whose thread is interrupted while they acquire, release, abandon or
		 * cancel.
		 */
		INTERRUPTS,

		/**
		 * Concurrency caps, limit amounts and burst changed while calls are in flight.
		 */
		POLICY_CHANGES,

		/**
		 * Costs of 0 in limited dimensions, settled above the estimate (Anthropic output
		 * tokens).
		 */
		DEBTS,

		/**
		 * Settlements of 1e6, 1e14 or near Long.MAX_VALUE; absurd remaining, reset,
		 * learned limits, cooldowns.
		 */
		ABSURD_VALUES,

		/**
		 * Idle partitions evicted while a retrying caller keeps its reference to them.
		 */
		EVICTIONS

	}

	@Test
	void randomSequencesKeepEveryInvariant() {
		runSeeds(SEEDS, EnumSet.noneOf(Feature.class));
	}

	@Test
	void interruptedCallersAndPolicyChangesMidFlight() {
		runSeeds(FOCUSED_SEEDS, EnumSet.of(Feature.INTERRUPTS, Feature.POLICY_CHANGES));
	}

	@Test
	void debtsInDimensionsACallDidNotReserve() {
		runSeeds(FOCUSED_SEEDS, EnumSet.of(Feature.DEBTS));
	}

	@Test
	void absurdProviderValues() {
		runSeeds(FOCUSED_SEEDS, EnumSet.of(Feature.DEBTS, Feature.ABSURD_VALUES));
	}

	@Test
	void evictionsWhileACallerKeepsThePartition() {
		runSeeds(FOCUSED_SEEDS, EnumSet.of(Feature.EVICTIONS));
	}

	@Test
	void everythingAtOnce() {
		runSeeds(SEEDS, EnumSet.allOf(Feature.class));
	}

	private static void runSeeds(int seeds, Set<Feature> features) {
		// preemptive: a deadlocked engine must fail the test, not hang the build
		// -Dmodel.allSeeds=true runs every seed and lists each failing one instead of
		// stopping at the first
		boolean allSeeds = Boolean.getBoolean("model.allSeeds");
		List<String> failures = new ArrayList<>();
		assertTimeoutPreemptively(TIMEOUT, () -> {
			for (long seed = 1; seed <= seeds; seed++) {
				Run run = new Run(seed, features);
				try {
					run.execute();
				}
				catch (AssertionError | RuntimeException ex) {
					AssertionError failure = new AssertionError("seed " + seed + " " + features + " failed: "
							+ ex.getMessage() + "\nlast actions:\n  " + String.join("\n  ", run.trace), ex);
					if (!allSeeds) {
						throw failure;
					}
					failures.add("seed " + seed + ": " + ex.getMessage().lines().findFirst().orElse(""));
				}
				finally {
					Thread.interrupted();
				}
			}
		});
		assertThat(failures).as("failing seeds").isEmpty();
	}

	/** One admission as the reference model sees it. */
	private static final class Admitted {

		final long order;

		final Permit permit;

		final Cost estimate;

		final long admittedAt;

		boolean closed;

		boolean sent;

		long closedAt;

		Cost actual;

		/**
		 * Per limit: the most the settlement may have charged (estimate + the amount then
		 * in force, rule R2).
		 */
		Map<String, Long> bounds = Map.of();

		Admitted(long order, Permit permit) {
			this.order = order;
			this.permit = permit;
			this.estimate = permit.cost();
			this.admittedAt = permit.admittedAt();
		}

	}

	private static final class Run {

		private final Random random;

		private final Set<Feature> features;

		private final VirtualTimeSource time = new VirtualTimeSource();

		private final ProviderThrottler throttler;

		private ThrottlePolicy policy;

		/**
		 * Per partition object, per limit (dimension and period): an amount learned lower
		 * than configured.
		 */
		private final Map<Partition, Map<String, Long>> learned = new IdentityHashMap<>();

		/**
		 * Per limit: the largest amount it ever had, for the bound on what a window may
		 * hold.
		 */
		private final Map<String, Long> largestAmounts = new HashMap<>();

		private final List<Admitted> admitted = new ArrayList<>();

		private final List<Admitted> held = new ArrayList<>();

		private final List<CompletableFuture<Permit>> waiting = new ArrayList<>();

		/** Every partition object that ever served the key (evicted ones included). */
		private final Set<Partition> partitions = Collections.newSetFromMap(new IdentityHashMap<>());

		/**
		 * The partition a retrying caller resolved earlier and keeps using (as the
		 * filters do across backoff).
		 */
		private Partition kept;

		private long arrivals;

		private long lastGrantedOrder = -1;

		private int inFlight;

		private AssertionError failure;

		/** The last actions, for the failure message. */
		final java.util.ArrayDeque<String> trace = new java.util.ArrayDeque<>();

		private void note(String action) {
			if (this.trace.size() == 30) {
				this.trace.removeFirst();
			}
			this.trace.addLast(this.time.nanoTime() + " " + action);
		}

		Run(long seed, Set<Feature> features) {
			this.random = new Random(seed);
			this.features = features;
			int limitCount = 1 + this.random.nextInt(3);
			List<Limit> limits = new ArrayList<>();
			Dimension[] dimensions = Dimension.values();
			for (int i = 0; i < limitCount; i++) {
				Dimension dimension = dimensions[this.random.nextInt(dimensions.length)];
				long amount = (dimension == Dimension.REQUESTS) ? 1 + this.random.nextInt(50)
						: 10 + this.random.nextInt(1000);
				Duration period = Duration.ofMillis(1 + this.random.nextInt(10_000));
				Limit limit = Limit.of(dimension, amount, period);
				if (limits.stream().noneMatch((other) -> id(other).equals(id(limit)))) {
					limits.add(limit);
				}
			}
			int maxConcurrent = this.random.nextBoolean() ? 0 : 1 + this.random.nextInt(4);
			Duration burst = this.random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(this.random.nextInt(2000));
			this.policy = new ThrottlePolicy("model", limits, maxConcurrent, Duration.ofDays(365), 100_000, burst, 10);
			this.throttler = new ProviderThrottler(this.policy, this.time, PartitionKeys.withRandomSecret(),
					ThrottleListener.NONE);
			adoptAmounts();
		}

		private static String id(Limit limit) {
			return limit.dimension() + "/" + limit.period();
		}

		private boolean has(Feature feature) {
			return this.features.contains(feature);
		}

		private void adoptAmounts() {
			this.learned.clear();
			for (Limit limit : this.policy.limits()) {
				this.largestAmounts.merge(id(limit), limit.amount(), Math::max);
			}
		}

		/**
		 * The partition that really serves calls made through {@code partition}: itself,
		 * or once it is retired (evicted), the one in force for its key, to which it
		 * forwards; {@code null} when none exists yet.
		 */
		private Partition serving(Partition partition) {
			if (!partition.isRetired()) {
				return partition;
			}
			for (Partition live : this.throttler.partitions()) {
				if (live.key().equals(partition.key()) && !live.isRetired()) {
					return live;
				}
			}
			return null;
		}

		/**
		 * The amount of {@code limit} in force for calls through {@code partition}:
		 * configured, or learned lower.
		 */
		private long amountOf(Partition partition, Limit limit) {
			Partition serving = serving(partition);
			Map<String, Long> amounts = (serving != null) ? this.learned.get(serving) : null;
			Long amount = (amounts != null) ? amounts.get(id(limit)) : null;
			return (amount != null) ? amount : limit.amount();
		}

		void execute() {
			for (int step = 0; step < ACTIONS; step++) {
				int action = this.random.nextInt(100);
				if (action < 36) {
					acquire();
				}
				else if (action < 54) {
					releaseOne();
				}
				else if (action < 59) {
					abandonOne();
				}
				else if (action < 64) {
					cancelOne();
				}
				else if (action < 66) {
					coolDown();
				}
				else if (action < 67) {
					this.time.advance(Duration.ofDays(1 + this.random.nextInt(3650)));
				}
				else if (action < 72 && has(Feature.POLICY_CHANGES)) {
					changePolicy();
				}
				else if (action < 76 && has(Feature.ABSURD_VALUES)) {
					reportSomething();
				}
				else if (action < 79 && has(Feature.EVICTIONS)) {
					this.time.advanceNanos(Duration.ofMillis(1001 + this.random.nextInt(3000)).toNanos());
					this.throttler.evictIdle();
				}
				else {
					this.time.advanceNanos((long) (this.random.nextDouble() * 2 * longestPeriodNanos()));
				}
				checkState();
			}
			quiesce();
		}

		private void quiesce() {
			for (int round = 0; round < 10_000 && (!this.held.isEmpty() || hasLiveWaiters()); round++) {
				while (!this.held.isEmpty()) {
					release(this.held.remove(0), null, false);
				}
				this.time.advanceNanos(longestPeriodNanos() + 1);
			}
			checkState();
			long repeated = 0;
			for (Partition partition : this.partitions) {
				PartitionSnapshot snapshot = partition.snapshot();
				assertThat(snapshot.inFlight()).as("in flight after quiescence").isZero();
				assertThat(snapshot.queued()).as("queued after quiescence").isZero();
				repeated += snapshot.repeatedReleases();
			}
			assertThat(repeated).as("repeated releases").isZero();
			long closed = this.admitted.stream().filter((admission) -> admission.closed).count();
			assertThat(closed).as("permits closed").isEqualTo(this.admitted.size());
			// R2: whatever was settled or reported, the state is as good as new a bounded
			// time after the last call
			long horizon = 3 * guardedNanos(longestPeriodNanos()) + Duration.ofSeconds(10).toNanos();
			this.time.advanceNanos(horizon);
			for (Partition partition : this.partitions) {
				assertThat(partition.isQuiescent()).as("idle %s after quiescence", Duration.ofNanos(horizon)).isTrue();
			}
		}

		private boolean hasLiveWaiters() {
			return this.waiting.stream().anyMatch((future) -> !future.isDone());
		}

		private long longestPeriodNanos() {
			return this.policy.longestPeriod().toNanos();
		}

		/**
		 * The period an engine window really uses: stretched by 1 %, at most a second.
		 */
		private static long guardedNanos(long periodNanos) {
			return periodNanos + Math.min(periodNanos / 100, 1_000_000_000L);
		}

		/**
		 * The partition this call goes through: looked up afresh, or the one a retrying
		 * caller kept.
		 */
		private Partition partition() {
			if (has(Feature.EVICTIONS) && this.kept != null && this.random.nextInt(10) < 3) {
				return this.kept;
			}
			Partition partition = this.throttler.partition(KEY);
			this.partitions.add(partition);
			this.kept = partition;
			return partition;
		}

		private Cost randomCost() {
			long input = this.random.nextInt(300);
			long output = this.random.nextInt(300);
			if (has(Feature.DEBTS)) {
				int shape = this.random.nextInt(10);
				if (shape < 3) {
					output = 0; // Anthropic: output counted after the fact
				}
				else if (shape < 4) {
					input = 0;
				}
				else if (shape < 5) {
					input = 0;
					output = 0;
				}
			}
			return new Cost(1, input, output);
		}

		private boolean tooLarge(Partition partition, Cost cost) {
			for (Limit limit : this.policy.limits()) {
				if (cost.amount(limit.dimension()) > amountOf(partition, limit)) {
					return true;
				}
			}
			return false;
		}

		private void acquire() {
			Cost cost = randomCost();
			Partition partition = partition();
			note("acquire " + cost + " on " + System.identityHashCode(partition) + " engine "
					+ partition.snapshot().limits());
			boolean tooLarge = tooLarge(partition, cost);
			int style = has(Feature.INTERRUPTS) ? this.random.nextInt(4) : 0;
			if (style == 1 && !tooLarge) {
				interruptedTryAcquire(partition, cost);
				return;
			}
			if (style == 2 && !tooLarge) {
				interruptedBlockingAcquire(partition, cost);
				return;
			}
			long order = this.arrivals++;
			CompletableFuture<Permit> future;
			if (style == 3) {
				Thread.currentThread().interrupt();
			}
			try {
				future = partition.acquireAsync(cost);
			}
			finally {
				Thread.interrupted();
			}
			if (tooLarge) {
				assertThat(future).isCompletedExceptionally();
				assertThat(future.handle((p, ex) -> ex))
					.isCompletedWithValueMatching((ex) -> ex instanceof RequestTooLargeException);
				return;
			}
			future.thenAccept((permit) -> {
				try {
					granted(order, permit);
				}
				catch (AssertionError ex) {
					// callbacks run inside the engine's completion; keep the first
					// failure for the main loop
					if (this.failure == null) {
						this.failure = ex;
					}
				}
			});
			this.waiting.add(future);
		}

		/**
		 * R3: on an interrupted thread, tryAcquire admits exactly what it admits on a
		 * clean one.
		 */
		private void interruptedTryAcquire(Partition partition, Cost cost) {
			Permit permit;
			Thread.currentThread().interrupt();
			try {
				permit = partition.tryAcquire(cost);
			}
			finally {
				Thread.interrupted();
			}
			if (permit == null) {
				permit = partition.tryAcquire(cost);
				if (permit != null) {
					granted(this.arrivals++, permit);
					fail("tryAcquire refused on an interrupted thread what it admitted at once on a clean one");
				}
				return;
			}
			granted(this.arrivals++, permit);
		}

		/**
		 * A blocking acquire on an interrupted thread: admitted at once, or withdrawn
		 * with nothing taken.
		 */
		private void interruptedBlockingAcquire(Partition partition, Cost cost) {
			PartitionSnapshot before = partition.snapshot();
			long order = this.arrivals++;
			Thread.currentThread().interrupt();
			try {
				Permit permit = partition.acquire(cost);
				granted(order, permit);
			}
			catch (InterruptedException ex) {
				// withdrawn: nothing taken for this caller (checkState matches in flight
				// with the grants seen) and
				// nothing left queued (its withdrawal may let waiters behind it in)
				assertThat(partition.snapshot().queued()).as("queued after an interrupted acquire")
					.isLessThanOrEqualTo(before.queued());
			}
			catch (RuntimeException ex) {
				// refused (max-wait, queue): nothing taken either
			}
			finally {
				Thread.interrupted();
			}
		}

		private void granted(long order, Permit permit) {
			assertThat(order).as("arrival order").isGreaterThan(this.lastGrantedOrder);
			this.lastGrantedOrder = order;
			int cap = this.policy.maxConcurrent();
			if (cap > 0) {
				assertThat(this.inFlight + 1).as("in flight with the cap at %d", cap).isLessThanOrEqualTo(cap);
			}
			this.inFlight++;
			this.partitions.add(permit.partition());
			Admitted admission = new Admitted(order, permit);
			long now = admission.admittedAt;
			for (Limit limit : this.policy.limits()) {
				long amount = amountOf(permit.partition(), limit);
				long used = 0;
				for (Admitted earlier : this.admitted) {
					used = saturatedAdd(used, charged(earlier, limit, now));
				}
				long need = Math.max(admission.estimate.amount(limit.dimension()), 1);
				if (saturatedAdd(used, need) > amount) {
					StringBuilder charges = new StringBuilder();
					for (Admitted earlier : this.admitted) {
						long charge = charged(earlier, limit, now);
						if (charge > 0) {
							charges.append("\n  ")
								.append(charge)
								.append(" from ")
								.append(earlier.estimate)
								.append(" admitted ")
								.append(now - earlier.admittedAt)
								.append(" ns ago, ")
								.append(earlier.closed ? (earlier.sent ? "settled to " + earlier.actual : "abandoned")
										+ " " + (now - earlier.closedAt) + " ns ago" : "held");
						}
					}
					fail("admitted " + admission.estimate.amount(limit.dimension()) + " into a trailing window of "
							+ limit.dimension().id() + " (" + amount + " per " + limit.period() + ") that holds " + used
							+ " at " + now + "; the engine shows " + permit.partition().snapshot().limits() + ":"
							+ charges);
				}
			}
			this.admitted.add(admission);
			this.held.add(admission);
		}

		/**
		 * What {@code admission} contributes to the trailing window of {@code limit}
		 * ending at {@code now} (a time at or after any settlement recorded), counted the
		 * way the engine must at least count it: the estimate at admission, corrected by
		 * a settlement made while that admission was in the window; a debt settled after
		 * it left the window counts from the settlement. Where the engine's guard makes
		 * it undecidable which of the two applies, the debt is not counted, so the model
		 * never demands more than the engine owes.
		 */
		private static long charged(Admitted admission, Limit limit, long now) {
			long period = limit.periodNanos();
			Dimension dimension = limit.dimension();
			long estimate = admission.estimate.amount(dimension);
			boolean atAdmission = admission.admittedAt > now - period;
			if (!admission.closed) {
				return atAdmission ? estimate : 0;
			}
			if (!admission.sent) {
				return 0; // abandoned: refunded (only ever looked at after the refund)
			}
			long real = (admission.actual == null || dimension == Dimension.REQUESTS) ? estimate : Math
				.min(admission.actual.amount(dimension), admission.bounds.getOrDefault(id(limit), Long.MAX_VALUE));
			long age = admission.closedAt - admission.admittedAt;
			if (age < period) {
				return atAdmission ? real : 0;
			}
			long debt = real - estimate;
			boolean surelyLeft = age >= guardedNanos(period) + guardedNanos(period) / 1024 + 1;
			if (debt > 0 && surelyLeft && admission.closedAt > now - period) {
				return debt;
			}
			return 0;
		}

		private static long saturatedAdd(long a, long b) {
			long sum = a + b;
			return (((a ^ sum) & (b ^ sum)) < 0) ? Long.MAX_VALUE : sum;
		}

		private void releaseOne() {
			if (this.held.isEmpty()) {
				return;
			}
			Admitted admission = this.held.remove(this.random.nextInt(this.held.size()));
			release(admission, randomActual(admission.estimate),
					has(Feature.INTERRUPTS) && this.random.nextInt(3) == 0);
		}

		private Cost randomActual(Cost estimate) {
			int shape = this.random.nextInt(10);
			if (shape < 5) {
				return null;
			}
			if (has(Feature.ABSURD_VALUES) && shape == 9) {
				long[] absurd = { 1_000_000L, 100_000_000_000_000L, Long.MAX_VALUE / 2, Long.MAX_VALUE - 1,
						Long.MAX_VALUE };
				long input = absurd[this.random.nextInt(absurd.length)];
				long output = this.random.nextBoolean() ? absurd[this.random.nextInt(absurd.length)] : 0;
				return new Cost(estimate.requests(), input, output);
			}
			if (has(Feature.DEBTS) && shape >= 7) {
				// more than estimated, also in dimensions estimated at 0
				return new Cost(estimate.requests(), estimate.inputTokens() + this.random.nextInt(400),
						estimate.outputTokens() + 1 + this.random.nextInt(900));
			}
			return new Cost(estimate.requests(), (long) (estimate.inputTokens() * this.random.nextDouble()),
					(long) (estimate.outputTokens() * this.random.nextDouble()));
		}

		private void release(Admitted admission, Cost actual, boolean interrupted) {
			note("release " + admission.estimate + " to " + actual);
			Map<String, Long> bounds = new HashMap<>();
			for (Limit limit : this.policy.limits()) {
				bounds.put(id(limit), saturatedAdd(admission.estimate.amount(limit.dimension()),
						amountOf(admission.permit.partition(), limit)));
			}
			admission.bounds = bounds;
			admission.closed = true;
			admission.sent = true;
			admission.closedAt = this.time.nanoTime();
			admission.actual = actual;
			this.inFlight--;
			boolean released;
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
			try {
				released = admission.permit.release(actual);
			}
			finally {
				Thread.interrupted();
			}
			assertThat(released).as("first release").isTrue();
		}

		private void abandonOne() {
			if (this.held.isEmpty()) {
				return;
			}
			Admitted admission = this.held.remove(this.random.nextInt(this.held.size()));
			admission.closed = true;
			admission.closedAt = this.time.nanoTime();
			this.inFlight--;
			boolean interrupted = has(Feature.INTERRUPTS) && this.random.nextInt(3) == 0;
			boolean abandoned;
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
			try {
				abandoned = admission.permit.abandon();
			}
			finally {
				Thread.interrupted();
			}
			assertThat(abandoned).as("first abandon").isTrue();
		}

		private void cancelOne() {
			List<CompletableFuture<Permit>> live = this.waiting.stream().filter((f) -> !f.isDone()).toList();
			if (live.isEmpty()) {
				return;
			}
			boolean interrupted = has(Feature.INTERRUPTS) && this.random.nextInt(3) == 0;
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
			try {
				assertThat(live.get(this.random.nextInt(live.size())).cancel(false)).isTrue();
			}
			finally {
				Thread.interrupted();
			}
		}

		private void coolDown() {
			Duration duration = Duration.ofMillis(this.random.nextInt(5000));
			if (has(Feature.ABSURD_VALUES) && this.random.nextInt(4) == 0) {
				duration = duration.negated();
			}
			partition().coolDown(duration, "model");
		}

		/**
		 * New caps, amounts and burst for the same limits, applied with calls in flight
		 * and waiting.
		 */
		private void changePolicy() {
			note("changePolicy");
			List<Limit> limits = new ArrayList<>();
			for (Limit limit : this.policy.limits()) {
				long amount = Math.max(1, (long) (limit.amount() * (0.5 + this.random.nextDouble() * 1.5)));
				limits.add(Limit.of(limit.dimension(), amount, limit.period()));
			}
			int maxConcurrent = (this.policy.maxConcurrent() == 0) ? 0 : 1 + this.random.nextInt(4);
			Duration burst = this.random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(this.random.nextInt(2000));
			ThrottlePolicy changed = new ThrottlePolicy("model", limits, maxConcurrent, this.policy.maxWait(),
					this.policy.maxQueue(), burst, this.policy.maxPartitions());
			this.policy = changed;
			adoptAmounts();
			this.throttler.apply(changed);
		}

		/**
		 * What a provider may report, sensible or not; none of it may throw or lock the
		 * key beyond the horizon.
		 */
		private void reportSomething() {
			Limit limit = this.policy.limits().get(this.random.nextInt(this.policy.limits().size()));
			Partition partition = partition();
			long[] remainings = { -1, 0, 1, limit.amount() / 2, Long.MAX_VALUE, Long.MIN_VALUE };
			Duration[] resets = { Duration.ofSeconds(-5), Duration.ZERO, Duration.ofMillis(300), limit.period(),
					Duration.ofSeconds(99_999_999_999L), Duration.ofDays(365L * 8000),
					Duration.ofSeconds(Long.MAX_VALUE) };
			int kind = this.random.nextInt(3);
			if (kind == 0) {
				note("reportRemaining " + limit);
				partition.reportRemaining(limit.dimension(), remainings[this.random.nextInt(remainings.length)],
						resets[this.random.nextInt(resets.length)]);
			}
			else if (kind == 1) {
				long[] reported = { -7, 0, 1, limit.amount() / 2, limit.amount() * 3, Long.MAX_VALUE };
				long amount = reported[this.random.nextInt(reported.length)];
				note("learnLimit " + limit + " " + amount);
				// issue 14: a figure equal to another limit of the dimension (another
				// period)
				// is that limit's, and is not learned for this one
				if (amount >= 1
						&& !partition.policy().isFigureOfAnotherLimit(limit.dimension(), amount, limit.period())) {
					// before the call: waiters it lets in are checked against the new
					// amount
					Partition serving = serving(partition);
					if (serving == null) {
						serving = this.throttler.partition(KEY);
						this.partitions.add(serving);
					}
					this.learned.computeIfAbsent(serving, (p) -> new HashMap<>())
						.put(id(limit), Math.min(limit.amount(), amount));
				}
				partition.learnLimit(limit.dimension(), amount, limit.period());
				for (PartitionSnapshot.LimitState state : partition.snapshot().limits()) {
					if (id(state.limit()).equals(id(limit))) {
						assertThat(state.limit().amount()).as("%s after learning %d", limit, amount)
							.isEqualTo(amountOf(partition, limit));
					}
				}
			}
			else {
				partition.coolDown(Duration.ofMillis(-this.random.nextInt(10_000)), "absurd");
			}
		}

		private void checkState() {
			if (this.failure != null) {
				throw this.failure;
			}
			int inFlightNow = 0;
			for (Partition partition : this.throttler.partitions()) {
				inFlightNow += partition.snapshot().inFlight();
			}
			for (Partition partition : this.partitions) {
				PartitionSnapshot snapshot = partition.snapshot();
				assertThat(snapshot.queued()).isGreaterThanOrEqualTo(0);
				for (PartitionSnapshot.LimitState state : snapshot.limits()) {
					if (!partition.isRetired()) {
						Limit configured = this.policy.limits()
							.stream()
							.filter((limit) -> id(limit).equals(id(state.limit())))
							.findFirst()
							.orElseThrow();
						assertThat(state.limit().amount()).as("amount in force of %s", configured)
							.isEqualTo(amountOf(partition, configured));
					}
					long largest = this.largestAmounts.getOrDefault(id(state.limit()), state.limit().amount());
					assertThat(state.used()).as("used of %s", state.limit()).isBetween(0L, 2 * largest);
					assertThat(state.available()).isBetween(0L, state.limit().amount());
				}
			}
			assertThat(inFlightNow).as("in flight").isEqualTo(this.inFlight).isGreaterThanOrEqualTo(0);
		}

	}

}
