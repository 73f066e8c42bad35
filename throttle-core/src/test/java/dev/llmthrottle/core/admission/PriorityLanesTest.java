package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.VirtualTimeSource;

import static dev.llmthrottle.core.Priority.BATCH;
import static dev.llmthrottle.core.Priority.DEFAULT;
import static dev.llmthrottle.core.Priority.INTERACTIVE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Priority lanes of one partition, on virtual time: order across lanes, arrival order
 * within a lane, the minimum share under saturation, the head-of-line rule across lanes,
 * withdrawals in every lane, the max-wait projection per lane, remote draining and
 * retired partitions.
 */
class PriorityLanesTest {

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final List<String> order = new ArrayList<>();

	private final List<Permit> held = new ArrayList<>();

	private ProviderThrottler throttler(ThrottlePolicy policy) {
		return new ProviderThrottler(policy, this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
	}

	private Partition oneAtATime(double minShare) {
		return throttler(ThrottlePolicy.of("openai", 1).withMinShare(minShare)).defaultPartition();
	}

	private CompletableFuture<Permit> queue(Partition partition, Priority priority, String name) {
		CompletableFuture<Permit> future = partition.acquireAsync(Cost.oneRequest(), priority);
		future.thenAccept((permit) -> {
			this.order.add(name);
			this.held.add(permit);
		});
		return future;
	}

	/** Releases the permits admitted so far, one at a time, until nobody is admitted. */
	private void releaseOneByOne() {
		while (!this.held.isEmpty()) {
			this.held.remove(0).release(null);
		}
	}

	@Test
	void higherLanesGoFirstAndEachLaneInArrivalOrder() {
		Partition partition = oneAtATime(0);
		Permit busy = partition.tryAcquire(Cost.oneRequest());
		queue(partition, BATCH, "b1");
		queue(partition, DEFAULT, "d1");
		queue(partition, BATCH, "b2");
		queue(partition, INTERACTIVE, "i1");
		queue(partition, DEFAULT, "d2");
		queue(partition, INTERACTIVE, "i2");
		busy.release(null);
		releaseOneByOne();
		assertThat(this.order).containsExactly("i1", "i2", "d1", "d2", "b1", "b2");
		assertThat(partition.snapshot().queued()).isZero();
		assertThat(partition.snapshot().inFlight()).isZero();
	}

	@Test
	void withoutAShareABatchWaitsAsLongAsHigherLanesHaveCallers() {
		Partition partition = oneAtATime(0);
		Permit busy = partition.tryAcquire(Cost.oneRequest());
		queue(partition, BATCH, "b");
		for (int i = 0; i < 20; i++) {
			queue(partition, INTERACTIVE, "i" + i);
		}
		busy.release(null);
		releaseOneByOne();
		assertThat(this.order).hasSize(21).last().isEqualTo("b");
	}

	@Test
	void aSaturatedBatchKeepsExactlyItsMinimumShare() {
		Partition partition = oneAtATime(0.25);
		Permit busy = partition.tryAcquire(Cost.oneRequest());
		for (int i = 0; i < 10; i++) {
			queue(partition, BATCH, "b" + i);
		}
		for (int i = 0; i < 30; i++) {
			queue(partition, INTERACTIVE, "i" + i);
		}
		busy.release(null);
		releaseOneByOne();
		assertThat(this.order).hasSize(40);
		// one admission in four while both lanes wait, the batch in its own arrival order
		for (int i = 0; i < 10; i++) {
			assertThat(this.order.get(4 * i + 3)).as("admission %d", 4 * i + 3).isEqualTo("b" + i);
		}
		assertThat(this.order.subList(0, 3)).containsExactly("i0", "i1", "i2");
	}

	@Test
	void eachLowerLaneKeepsItsShareAndTheTopLaneTheRest() {
		Partition partition = oneAtATime(0.2);
		Permit busy = partition.tryAcquire(Cost.oneRequest());
		for (int i = 0; i < 100; i++) {
			queue(partition, BATCH, "b");
			queue(partition, DEFAULT, "d");
			queue(partition, INTERACTIVE, "i");
		}
		busy.release(null);
		releaseOneByOne();
		List<String> first100 = this.order.subList(0, 100);
		long batch = first100.stream().filter("b"::equals).count();
		long normal = first100.stream().filter("d"::equals).count();
		assertThat(batch).isBetween(19L, 21L);
		assertThat(normal).isBetween(19L, 21L);
		assertThat(100 - batch - normal).isBetween(58L, 62L);
	}

	@Test
	void aLaneThatGotRoomUncontestedIsNotHeldToItLater() {
		Partition partition = oneAtATime(0.25);
		Permit busy = partition.tryAcquire(Cost.oneRequest());
		for (int i = 0; i < 5; i++) {
			queue(partition, BATCH, "b" + i);
		}
		busy.release(null);
		// the batch runs alone for three admissions, then interactive callers arrive
		for (int i = 0; i < 3; i++) {
			this.held.remove(0).release(null);
		}
		for (int i = 0; i < 6; i++) {
			queue(partition, INTERACTIVE, "i" + i);
		}
		releaseOneByOne();
		// b3 went when b2 left; from then on the batch is owed one admission in four,
		// its earlier uncontested admissions not counted against it
		assertThat(this.order).containsExactly("b0", "b1", "b2", "b3", "i0", "i1", "i2", "b4", "i3", "i4", "i5");
	}

	@Test
	void anOwedLargeBatchCallIsNotOvertakenBySmallInteractiveOnes() {
		Limit tokens = Limit.of(Dimension.TOKENS, 100, Duration.ofSeconds(1));
		Partition partition = throttler(
				new ThrottlePolicy("openai", List.of(tokens), 0, Duration.ofMinutes(1), 100, Duration.ZERO, 10)
					.withMinShare(0.5))
			.defaultPartition();
		Permit full = partition.tryAcquire(Cost.of(100, 0));
		full.release(null);
		CompletableFuture<Permit> large = partition.acquireAsync(Cost.of(100, 0), BATCH);
		List<CompletableFuture<Permit>> small = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			small.add(partition.acquireAsync(Cost.of(5, 0), INTERACTIVE));
		}
		// the first interactive call goes at the first room; the batch is then owed its
		// turn, and 5 tokens would fit long before 100 do (the window must empty), but
		// the owed batch head goes first
		for (int step = 0; step < 300 && !small.get(0).isDone(); step++) {
			this.time.advance(Duration.ofMillis(10));
		}
		assertThat(small.get(0)).isCompleted();
		assertThat(large).isNotDone();
		this.time.advance(Duration.ofMillis(200));
		assertThat(large).isNotDone();
		assertThat(small.get(1)).as("5 tokens fit, but the batch call is owed its turn").isNotDone();
		this.time.advance(Duration.ofSeconds(10));
		assertThat(large).isCompleted();
		assertThat(small).allMatch(CompletableFuture::isDone);
		long largeAt = large.join().admittedAt();
		assertThat(small.get(0).join().admittedAt()).isLessThan(largeAt);
		assertThat(small.get(1).join().admittedAt()).isGreaterThanOrEqualTo(largeAt);
		releaseAll(large, small);
	}

	@Test
	void anInteractiveCallWaitsAtMostOnePacingIntervalBehindASaturatingBatch() {
		// 20 requests a second: one every 50 ms (50.5 ms with the 1% guard)
		Limit requests = Limit.of(Dimension.REQUESTS, 20, Duration.ofSeconds(1));
		Partition partition = throttler(
				new ThrottlePolicy("openai", List.of(requests), 0, Duration.ofMinutes(10), 10_000, Duration.ZERO, 10))
			.defaultPartition();
		List<CompletableFuture<Permit>> batch = new ArrayList<>();
		for (int i = 0; i < 400; i++) {
			batch.add(partition.acquireAsync(Cost.oneRequest(), BATCH));
		}
		List<Long> waits = new ArrayList<>();
		for (int second = 0; second < 15; second++) {
			// arrivals spread over the pacing interval's phases
			this.time.advance(Duration.ofMillis(1000 + 7 * second));
			long submitted = this.time.nanoTime();
			partition.acquireAsync(Cost.oneRequest(), INTERACTIVE).thenAccept((permit) -> {
				waits.add(permit.admittedAt() - submitted);
				permit.release(null);
			});
		}
		this.time.advance(Duration.ofSeconds(1));
		assertThat(waits).hasSize(15).allSatisfy((wait) -> assertThat(wait).isLessThanOrEqualTo(50_500_000L));
		long batchAdmitted = batch.stream().filter(CompletableFuture::isDone).count();
		assertThat(batchAdmitted).as("the batch keeps the rest of the rate").isGreaterThan(15 * 20 - 15 - 20);
		this.time.advance(Duration.ofSeconds(30));
		batch.forEach((future) -> future.join().release(null));
	}

	@Test
	void withdrawalsInEveryLaneLeaveNothingQueuedAndNothingHeld() {
		Partition partition = throttler(
				ThrottlePolicy.of("openai", 1).withMinShare(0.3).withMaxWait(Duration.ofSeconds(10)))
			.defaultPartition();
		Permit busy = partition.tryAcquire(Cost.oneRequest());
		List<CompletableFuture<Permit>> cancelled = new ArrayList<>();
		List<CompletableFuture<Permit>> kept = new ArrayList<>();
		for (Priority priority : Priority.values()) {
			cancelled.add(queue(partition, priority, priority + "-cancelled"));
			kept.add(queue(partition, priority, priority + "-kept"));
		}
		assertThat(partition.snapshot().queued()).isEqualTo(6);
		cancelled.forEach((future) -> future.cancel(false));
		assertThat(partition.snapshot().queued()).isEqualTo(3);
		// the kept ones expire at max-wait
		this.time.advance(Duration.ofSeconds(11));
		assertThat(kept).allMatch(CompletableFuture::isCompletedExceptionally);
		assertThat(partition.snapshot().queued()).isZero();
		busy.release(null);
		assertThat(partition.snapshot().inFlight()).isZero();
		assertThat(this.order).isEmpty();
		// no phantom cost stays in any lane: a newcomer of each lane sees an empty queue
		ThrottlePolicy tight = partition.policy().withMaxWait(Duration.ZERO);
		partition.apply(tight);
		for (Priority priority : Priority.values()) {
			Permit again = partition.acquireAsync(Cost.oneRequest(), priority).join();
			again.release(null);
		}
		assertThat(partition.isQuiescent()).isTrue();
	}

	@Test
	void aWithdrawnOwedBatchCallLetsTheNextOneGo() {
		Partition partition = oneAtATime(0.5);
		Permit busy = partition.tryAcquire(Cost.oneRequest());
		queue(partition, INTERACTIVE, "i0");
		CompletableFuture<Permit> owed = queue(partition, BATCH, "b0");
		queue(partition, INTERACTIVE, "i1");
		queue(partition, BATCH, "b1");
		busy.release(null);
		assertThat(this.order).containsExactly("i0");
		owed.cancel(false); // b0 was next
		this.held.remove(0).release(null);
		assertThat(this.order).containsExactly("i0", "b1");
		releaseOneByOne();
		assertThat(this.order).containsExactly("i0", "b1", "i1");
	}

	@Test
	void theMaxWaitProjectionCountsOnlyCallersCertainToGoFirst() {
		Limit requests = Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1));
		ThrottlePolicy policy = new ThrottlePolicy("openai", List.of(requests), 0, Duration.ofSeconds(2), 1000,
				Duration.ZERO, 10)
			.withMinShare(0);
		Partition partition = throttler(policy).defaultPartition();
		List<CompletableFuture<Permit>> batch = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			batch.add(partition.acquireAsync(Cost.oneRequest(), BATCH));
		}
		// batch calls paced at 10/s: those that would wait past 2 s are refused at once
		assertThat(failure(batch.get(39))).isInstanceOf(MaxWaitExceededException.class);
		long rejectedBatch = batch.stream().filter(CompletableFuture::isCompletedExceptionally).count();
		assertThat(rejectedBatch).isGreaterThan(10);
		assertThat(failure(partition.acquireAsync(Cost.oneRequest(), BATCH)))
			.isInstanceOf(MaxWaitExceededException.class);
		// a newcomer of a higher lane goes before all of them: it is not refused
		CompletableFuture<Permit> normal = partition.acquireAsync(Cost.oneRequest(), DEFAULT);
		CompletableFuture<Permit> interactive = partition.acquireAsync(Cost.oneRequest(), INTERACTIVE);
		assertThat(normal).isNotCompletedExceptionally();
		assertThat(interactive).isNotCompletedExceptionally();
		this.time.advance(Duration.ofMillis(220));
		assertThat(interactive).isCompleted();
		assertThat(normal).isCompleted();
		assertThat(interactive.join().admittedAt()).isLessThan(normal.join().admittedAt());
		this.time.advance(Duration.ofSeconds(30));
		interactive.join().release(null);
		normal.join().release(null);
		batch.stream().filter((future) -> !future.isCompletedExceptionally()).forEach((f) -> f.join().release(null));
		assertThat(partition.snapshot().queued()).isZero();
	}

	@Test
	void aWaiterExpiringBehindAnotherLaneSaysSo() {
		Partition partition = throttler(
				ThrottlePolicy.of("openai", 1).withMinShare(0).withMaxWait(Duration.ofSeconds(1)))
			.defaultPartition();
		Permit busy = partition.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> batch = partition.acquireAsync(Cost.oneRequest(), BATCH);
		this.time.advance(Duration.ofMillis(500));
		CompletableFuture<Permit> interactive = partition.acquireAsync(Cost.oneRequest(), INTERACTIVE);
		this.time.advance(Duration.ofMillis(600));
		assertThat(failure(batch)).hasMessageContaining("other priority lanes");
		assertThat(interactive).isNotDone();
		this.time.advance(Duration.ofMillis(500));
		assertThat(failure(interactive)).hasMessageContaining("concurrency");
		busy.release(null);
	}

	@Test
	void aRetiredPartitionForwardsTheCallerToItsLaneInTheSuccessor() {
		ProviderThrottler throttler = throttler(ThrottlePolicy.of("openai", 1).withMinShare(0));
		Partition retired = throttler.partition("tenant");
		assertThat(throttler.evictIdle()).isEqualTo(1);
		Partition live = throttler.partition("tenant");
		assertThat(live).isNotSameAs(retired);
		Permit busy = live.tryAcquire(Cost.oneRequest());
		queue(live, BATCH, "b");
		queue(retired, INTERACTIVE, "i");
		assertThat(live.snapshot().queued()).isEqualTo(2);
		busy.release(null);
		releaseOneByOne();
		assertThat(this.order).containsExactly("i", "b");
	}

	@Test
	void aRemoteStateGrantsAnAdmittedBatchCallAndLetsALateInteractiveOneGoNext() {
		ManualExecutor executor = new ManualExecutor();
		ProviderThrottler throttler = new ProviderThrottler(ThrottlePolicy.of("openai", 1).withMinShare(0), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE, RemoteLocalState::new, executor);
		Partition partition = throttler.defaultPartition();
		queue(partition, BATCH, "b0");
		queue(partition, BATCH, "b1");
		// the round trip for b0 is under way when an interactive caller arrives
		executor.runOne(() -> queue(partition, INTERACTIVE, "i0"));
		executor.runAll();
		assertThat(this.order).containsExactly("b0");
		this.held.remove(0).release(null);
		executor.runAll();
		assertThat(this.order).containsExactly("b0", "i0");
		this.held.remove(0).release(null);
		executor.runAll();
		assertThat(this.order).containsExactly("b0", "i0", "b1");
		this.held.remove(0).release(null);
		executor.runAll();
		assertThat(partition.snapshot().inFlight()).isZero();
		assertThat(partition.snapshot().queued()).isZero();
	}

	private static Throwable failure(CompletableFuture<Permit> future) {
		assertThat(future).isCompletedExceptionally();
		return future.handle((permit, error) -> error).join();
	}

	private static void releaseAll(CompletableFuture<Permit> one, List<CompletableFuture<Permit>> more) {
		one.join().release(null);
		more.forEach((future) -> future.join().release(null));
	}

	/** Runs tasks only when told to, so a test can act in the middle of a round trip. */
	private static final class ManualExecutor implements Executor {

		private final Queue<Runnable> tasks = new ArrayDeque<>();

		private Runnable during;

		@Override
		public void execute(Runnable command) {
			this.tasks.add(command);
		}

		/** Runs the next task, doing {@code meanwhile} inside its first state call. */
		void runOne(Runnable meanwhile) {
			RemoteLocalState.meanwhile.set(meanwhile);
			try {
				this.tasks.remove().run();
			}
			finally {
				RemoteLocalState.meanwhile.remove();
			}
		}

		void runAll() {
			while (!this.tasks.isEmpty()) {
				this.tasks.remove().run();
			}
		}

	}

	/**
	 * An in-memory state that says it is remote: called without the partition's lock, on
	 * the executor, guarded by a lock of its own.
	 */
	private static final class RemoteLocalState implements PartitionState {

		static final ThreadLocal<Runnable> meanwhile = new ThreadLocal<>();

		private final ReentrantLock own = new ReentrantLock();

		private final LocalPartitionState local;

		RemoteLocalState(ThrottlePolicy policy, String key, ReentrantLock partitionLock, TimeSource time) {
			this.local = new LocalPartitionState(policy, key, this.own, time);
		}

		private <T> T guarded(java.util.function.Supplier<T> call) {
			this.own.lock();
			try {
				return call.get();
			}
			finally {
				this.own.unlock();
			}
		}

		@Override
		public boolean remote() {
			return true;
		}

		@Override
		public Attempt tryAdmit(Cost cost) {
			Runnable during = meanwhile.get();
			if (during != null) {
				meanwhile.remove();
				during.run();
			}
			return guarded(() -> this.local.tryAdmit(cost));
		}

		@Override
		public void release(Object grant, Cost estimate, Cost actual, boolean sent) {
			guarded(() -> {
				this.local.release(grant, estimate, actual, sent);
				return null;
			});
		}

		@Override
		public void checkFits(Cost cost) {
			guarded(() -> {
				this.local.checkFits(cost);
				return null;
			});
		}

		@Override
		public Projection project(Cost ahead, Cost cost) {
			return guarded(() -> this.local.project(ahead, cost));
		}

		@Override
		public boolean coolDown(Duration duration, String reason) {
			return guarded(() -> this.local.coolDown(duration, reason));
		}

		@Override
		public Duration cooldownRemaining() {
			return guarded(this.local::cooldownRemaining);
		}

		@Override
		public String cooldownReason() {
			return guarded(this.local::cooldownReason);
		}

		@Override
		public void reportRemaining(Dimension dimension, long remaining, Duration reset) {
			guarded(() -> {
				this.local.reportRemaining(dimension, remaining, reset);
				return null;
			});
		}

		@Override
		public boolean learnLimit(Dimension dimension, long reportedAmount, Duration window) {
			return guarded(() -> this.local.learnLimit(dimension, reportedAmount, window));
		}

		@Override
		public void charge(Cost extra) {
			guarded(() -> {
				this.local.charge(extra);
				return null;
			});
		}

		@Override
		public long tryCharge(Cost extra) {
			return guarded(() -> this.local.tryCharge(extra));
		}

		@Override
		public void apply(ThrottlePolicy policy) {
			guarded(() -> {
				this.local.apply(policy);
				return null;
			});
		}

		@Override
		public List<PartitionSnapshot.LimitState> limits() {
			return guarded(this.local::limits);
		}

		@Override
		public boolean isIdle() {
			return guarded(this.local::isIdle);
		}

		@Override
		public boolean refusedWithRoom() {
			return guarded(this.local::refusedWithRoom);
		}

		@Override
		public long guardPpm() {
			return guarded(this.local::guardPpm);
		}

	}

}
