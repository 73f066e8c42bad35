package dev.llmthrottle.core.admission;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jetbrains.lincheck.datastructures.BooleanGen;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lincheck on one {@link Partition}: admissions, waits, cancellations, releases (also
 * from an interrupted thread), policy changes that lower or raise the concurrency cap,
 * cooldowns and learned limits, run concurrently by 2 or 3 threads and checked against
 * {@link Model}, a plain sequential specification of the same partition. Every execution
 * must be linearizable with respect to the model, must terminate (a deadlock fails it)
 * and must leave a partition whose counts match what the threads hold and whose queue is
 * not stuck behind free room.
 *
 * <p>
 * Time is virtual and never moves, so every outcome is decided by the operations alone: a
 * limit of 1,000 requests per minute with a burst beyond the pacing horizon is an exact
 * counter, a cooldown lasts for the rest of the run, and a waiter waits until a release,
 * a cancellation or a policy change lets it in. A blocking {@code acquire} with a
 * max-wait is expressed as {@code acquireAsync} followed by {@code cancel}, which is what
 * the blocking wrapper does when it gives up: Lincheck needs every operation to return.
 * An interrupted caller is the operation setting its own interrupt flag around the call
 * and clearing it afterwards. Each mode runs in a JVM of its own (see {@link #inOwnJvm}).
 */
@Param(name = "thread", gen = ThreadIdGen.class)
public class PartitionLincheckTest {

	static final Limit REQUESTS = Limit.of(Dimension.REQUESTS, 1000, Duration.ofMinutes(1));

	static final int INITIAL_MAX_CONCURRENT = 2;

	static final int THREAD_IDS = 8;

	/**
	 * Multiplies the scenarios of every mode ({@code -Dlincheck.scale=10} for a nightly
	 * run). At 1 each mode takes 10 to 30 s on two shared cores: an interleaving of these
	 * operations runs a few hundred instrumented calls.
	 */
	static final int SCALE = Integer.getInteger("lincheck.scale", 1);

	/**
	 * Settles a sent call to a different cost than estimated; requests are never settled
	 * once sent.
	 */
	static final Cost ACTUAL = new Cost(1, 7, 3);

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final Partition partition = new ProviderThrottler(policy(INITIAL_MAX_CONCURRENT), this.time,
			PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
		.defaultPartition();

	/**
	 * Per thread: permits held, oldest first (only the owning thread touches its own
	 * list).
	 */
	private final List<ArrayDeque<Permit>> held = new ArrayList<>();

	/**
	 * Per thread: waiters queued by it, oldest first, until they are seen granted or
	 * withdrawn.
	 */
	private final List<List<CompletableFuture<Permit>>> waiting = new ArrayList<>();

	public PartitionLincheckTest() {
		// thread ids: the parallel threads, plus those running the parts before and after
		// them
		for (int thread = 0; thread < THREAD_IDS; thread++) {
			this.held.add(new ArrayDeque<>());
			this.waiting.add(new ArrayList<>());
		}
	}

	static ThrottlePolicy policy(int maxConcurrent) {
		// a burst beyond the pacing horizon (two periods): only the trailing window
		// decides, an exact counter here
		return new ThrottlePolicy("lincheck", List.of(REQUESTS), maxConcurrent, Duration.ofDays(1), 1000,
				Duration.ofMinutes(10), 10);
	}

	@Operation
	public boolean tryAcquire(@Param(name = "thread") int thread, @Param(gen = BooleanGen.class) boolean interrupted) {
		Permit permit;
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		try {
			permit = this.partition.tryAcquire(Cost.oneRequest());
		}
		finally {
			if (interrupted) {
				Thread.interrupted();
			}
		}
		if (permit == null) {
			return false;
		}
		this.held.get(thread).addLast(permit);
		return true;
	}

	@Operation
	public String acquireAsync(@Param(name = "thread") int thread) {
		CompletableFuture<Permit> future = this.partition.acquireAsync(Cost.oneRequest());
		if (future.isDone()) {
			this.held.get(thread).addLast(future.join());
			return "granted";
		}
		this.waiting.get(thread).add(future);
		return "queued";
	}

	/**
	 * Withdraws this thread's oldest waiter that is still waiting: what a caller giving
	 * up at max-wait does.
	 */
	@Operation
	public boolean cancel(@Param(name = "thread") int thread) {
		collect(thread);
		Iterator<CompletableFuture<Permit>> iterator = this.waiting.get(thread).iterator();
		while (iterator.hasNext()) {
			CompletableFuture<Permit> future = iterator.next();
			iterator.remove();
			if (future.cancel(false)) {
				return true;
			}
			// granted meanwhile: it is a permit now
			this.held.get(thread).addLast(future.join());
		}
		return false;
	}

	@Operation
	public boolean release(@Param(name = "thread") int thread, @Param(gen = BooleanGen.class) boolean interrupted) {
		collect(thread);
		Permit permit = this.held.get(thread).pollFirst();
		if (permit == null) {
			return false;
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		try {
			return permit.release(ACTUAL);
		}
		finally {
			if (interrupted) {
				Thread.interrupted();
			}
		}
	}

	@Operation
	public boolean abandon(@Param(name = "thread") int thread) {
		collect(thread);
		Permit permit = this.held.get(thread).pollFirst();
		return permit != null && permit.abandon();
	}

	@Operation
	public void apply(@Param(gen = IntGen.class, conf = "1:3") int maxConcurrent) {
		this.partition.apply(policy(maxConcurrent));
	}

	@Operation
	public void coolDown() {
		this.partition.coolDown(Duration.ofSeconds(30), "lincheck");
	}

	/**
	 * Learns 1, 2 or 3 requests per minute, or (4) a report above the configured 1,000.
	 */
	@Operation
	public boolean learnLimit(@Param(gen = IntGen.class, conf = "1:4") int reported) {
		return this.partition.learnLimit(Dimension.REQUESTS, (reported == 4) ? 5000 : reported, REQUESTS.period());
	}

	/** Moves this thread's granted waiters to its permits and forgets withdrawn ones. */
	private void collect(int thread) {
		Iterator<CompletableFuture<Permit>> iterator = this.waiting.get(thread).iterator();
		while (iterator.hasNext()) {
			CompletableFuture<Permit> future = iterator.next();
			if (future.isDone()) {
				iterator.remove();
				if (!future.isCompletedExceptionally()) {
					this.held.get(thread).addLast(future.join());
				}
			}
		}
	}

	/**
	 * After every execution: the partition counts exactly the permits the threads hold
	 * and the waiters still waiting, nothing was released twice, and a waiter is left
	 * waiting only if something really holds it back (a lost wake-up leaves it stuck
	 * behind a free slot).
	 */
	@Validate
	public void partitionMatchesWhatThreadsHold() {
		int heldPermits = 0;
		int pending = 0;
		for (int thread = 0; thread < this.held.size(); thread++) {
			collect(thread);
			heldPermits += this.held.get(thread).size();
			for (CompletableFuture<Permit> future : this.waiting.get(thread)) {
				if (!future.isDone()) {
					pending++;
				}
			}
		}
		PartitionSnapshot snapshot = this.partition.snapshot();
		check(snapshot.repeatedReleases() == 0, "a permit was released twice", snapshot);
		check(snapshot.inFlight() == heldPermits,
				"in flight " + snapshot.inFlight() + " but threads hold " + heldPermits, snapshot);
		check(snapshot.queued() == pending, "queued " + snapshot.queued() + " but " + pending + " wait", snapshot);
		if (pending > 0) {
			PartitionSnapshot.LimitState requests = snapshot.limits().get(0);
			boolean blocked = snapshot.cooldownRemaining().compareTo(Duration.ZERO) > 0
					|| snapshot.inFlight() >= this.partition.policy().maxConcurrent()
					|| requests.used() + 1 > requests.limit().amount();
			check(blocked, "a waiter is stuck although a slot is free (lost wake-up)", snapshot);
		}
	}

	private static void check(boolean condition, String message, PartitionSnapshot snapshot) {
		if (!condition) {
			throw new IllegalStateException(message + ": " + snapshot);
		}
	}

	@Test
	void modelChecking() throws Exception {
		inOwnJvm("modelChecking");
	}

	@Test
	void modelCheckingThreeThreads() throws Exception {
		inOwnJvm("modelCheckingThreeThreads");
	}

	@Test
	void stress() throws Exception {
		inOwnJvm("stress");
	}

	/**
	 * Runs one mode in a JVM of its own: Lincheck retransforms every class loaded when a
	 * check starts, which in the test JVM (Spring, Reactor, Netty loaded by the other
	 * test classes) takes minutes instead of a second.
	 */
	private static void inOwnJvm(String mode) throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-Xmx512m", "-Dlincheck.scale=" + SCALE, "-cp",
				System.getProperty("java.class.path"), PartitionLincheckTest.class.getName(), mode)
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		int exit = process.waitFor();
		assertThat(exit).as("Lincheck %s in its own JVM:%n%s", mode, output).isZero();
	}

	/**
	 * Entry point of the forked JVM: runs the mode named by {@code args[0]}; exits 1 on a
	 * failure.
	 */
	public static void main(String[] args) {
		int exit = 0;
		try {
			switch (args[0]) {
				case "modelChecking" -> new ModelCheckingOptions().sequentialSpecification(Model.class)
					.threads(2)
					.actorsPerThread(3)
					.actorsBefore(2)
					.actorsAfter(1)
					.iterations(12 * SCALE)
					.invocationsPerIteration(50)
					.check(PartitionLincheckTest.class);
				case "modelCheckingThreeThreads" -> new ModelCheckingOptions().sequentialSpecification(Model.class)
					.threads(3)
					.actorsPerThread(2)
					.actorsBefore(1)
					.actorsAfter(0)
					.iterations(5 * SCALE)
					.invocationsPerIteration(40)
					.check(PartitionLincheckTest.class);
				case "stress" -> new StressOptions().sequentialSpecification(Model.class)
					.threads(3)
					.actorsPerThread(3)
					.actorsBefore(2)
					.actorsAfter(1)
					.iterations(20 * SCALE)
					.invocationsPerIteration(200)
					.check(PartitionLincheckTest.class);
				default -> throw new IllegalArgumentException("unknown mode " + args[0]);
			}
		}
		catch (Throwable ex) {
			ex.printStackTrace(System.out);
			exit = 1;
		}
		System.out.flush();
		// Lincheck leaves worker threads behind
		System.exit(exit);
	}

	/**
	 * The sequential specification: a FIFO queue in front of a concurrency cap, a request
	 * counter (time never moves, so nothing leaves the window) and a cooldown. A newcomer
	 * is admitted at once only when nobody waits; every change that frees room (release,
	 * abandon, cancellation, a raised cap or limit) admits waiters from the head while
	 * they fit. Lowering the cap never takes a permit back: it holds newcomers until
	 * enough return.
	 */
	public static class Model {

		private final int[] held = new int[THREAD_IDS];

		/** Owners of the waiters, in arrival order. */
		private final ArrayDeque<Integer> queue = new ArrayDeque<>();

		private int maxConcurrent = INITIAL_MAX_CONCURRENT;

		private long amount = REQUESTS.amount();

		private long used;

		private int inFlight;

		private boolean cooled;

		public boolean tryAcquire(int thread, @Param(gen = BooleanGen.class) boolean interrupted) {
			if (!this.queue.isEmpty() || !fits()) {
				return false;
			}
			admit(thread);
			return true;
		}

		public String acquireAsync(int thread) {
			if (this.queue.isEmpty() && fits()) {
				admit(thread);
				return "granted";
			}
			this.queue.addLast(thread);
			return "queued";
		}

		public boolean cancel(int thread) {
			boolean removed = this.queue.removeFirstOccurrence(thread);
			drain();
			return removed;
		}

		public boolean release(int thread, @Param(gen = BooleanGen.class) boolean interrupted) {
			if (this.held[thread] == 0) {
				return false;
			}
			this.held[thread]--;
			this.inFlight--;
			drain();
			return true;
		}

		public boolean abandon(int thread) {
			if (this.held[thread] == 0) {
				return false;
			}
			this.held[thread]--;
			this.inFlight--;
			this.used--;
			drain();
			return true;
		}

		public void apply(int maxConcurrent) {
			this.maxConcurrent = maxConcurrent;
			// the configured limit replaces a learned one
			this.amount = REQUESTS.amount();
			drain();
		}

		public void coolDown() {
			this.cooled = true;
		}

		public boolean learnLimit(int reported) {
			long target = Math.min(REQUESTS.amount(), (reported == 4) ? 5000 : reported);
			boolean changed = target != this.amount;
			this.amount = target;
			drain();
			return changed;
		}

		private boolean fits() {
			return !this.cooled && this.inFlight < this.maxConcurrent && this.used + 1 <= this.amount;
		}

		private void admit(int thread) {
			this.held[thread]++;
			this.inFlight++;
			this.used++;
		}

		private void drain() {
			while (!this.queue.isEmpty() && fits()) {
				admit(this.queue.pollFirst());
			}
		}

	}

}
