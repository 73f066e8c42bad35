package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.List;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.rate.PacedRateLimiter;
import io.github.resilience4j.bulkhead.Bulkhead;
import org.jspecify.annotations.Nullable;

/**
 * Where one partition's concurrency, limits and cooldown are kept: in this JVM
 * ({@link LocalPartitionState}) or shared by many instances (Redis). The
 * {@link Partition} in front keeps the arrival-order queue, deadlines and wake-ups, and
 * asks the state one question at a time: may this cost go now, and if not, for how long
 * not?
 *
 * <p>
 * A local state is called under the partition's lock (the one passed to its factory). A
 * {@linkplain #remote() remote} state is called without it: {@link #tryAdmit} and
 * {@link #release} on the partition's executor, one at a time, where they may block on
 * I/O; every other method may be called from any thread (an event loop included) and must
 * not block.
 */
public interface PartitionState {

	/** Whether {@link #tryAdmit} and {@link #release} do I/O. */
	boolean remote();

	/**
	 * Admits {@code cost} now if the cooldown is over, a concurrency slot is free and
	 * every limit has room, taking all of it at once; otherwise takes nothing and says
	 * how long to wait.
	 * @throws RequestTooLargeException if the cost exceeds a limit
	 */
	Attempt tryAdmit(Cost cost);

	/**
	 * Gives back what {@code grant} took: the concurrency slot, and the cost settled from
	 * {@code estimate} to {@code actual} ({@code null} keeps the estimate;
	 * {@link Cost#NONE} with {@code sent == false} refunds it).
	 */
	void release(Object grant, Cost estimate, @Nullable Cost actual, boolean sent);

	/**
	 * Throws {@link RequestTooLargeException} if {@code cost} exceeds a limit as it
	 * stands.
	 */
	void checkFits(Cost cost);

	/**
	 * A lower bound for the wait of a caller who queues behind {@code ahead} (the summed
	 * cost of everyone waiting), used to fail fast when it exceeds {@code max-wait}.
	 */
	Projection project(Cost ahead, Cost cost);

	/**
	 * Like {@link #project(Cost, Cost)}, knowing the cost of the first caller queued
	 * ahead ({@code head}, or {@code null} when nobody is): a state that can bound how
	 * soon the head goes, and how many ahead go at once within a burst, gives a tighter
	 * lower bound.
	 */
	default Projection project(@Nullable Cost head, Cost ahead, Cost cost) {
		return project(ahead, cost);
	}

	/** Pauses admission for {@code duration}; a longer pause already in force is kept. */
	boolean coolDown(Duration duration, String reason);

	Duration cooldownRemaining();

	/** Why the current cooldown was set, or {@code null}. */
	@Nullable String cooldownReason();

	/**
	 * What the provider reports remaining for a dimension until its reset, with the limit
	 * figure it states beside it ({@code statedFigure}, negative when none): the limits
	 * the report concerns are chosen by {@link ThrottlePolicy#reportConcerns}.
	 */
	void reportRemaining(Dimension dimension, long remaining, Duration reset, long statedFigure);

	/**
	 * The provider refused a call for its rate (a 429, its headers already fed in): when
	 * every limit had room by our books (no debt, nothing held for others, no provisional
	 * limit), the refusal is jitter or skew, and the state widens its guard (see
	 * {@link dev.llmthrottle.core.rate.GuardMargin}).
	 * @return whether the refusal was unexplained and the guard widened
	 */
	boolean refusedWithRoom();

	/**
	 * The guard the windows are stretched by now, in parts per million of their period
	 * (10,000 = the default 1%).
	 */
	long guardPpm();

	/** Adopts a limit the provider reports; returns whether a limit changed. */
	boolean learnLimit(Dimension dimension, long reportedAmount, Duration window);

	/**
	 * Charges {@code extra} now without waiting (a retry under a held permit, output
	 * counted after the fact).
	 */
	void charge(Cost extra);

	/**
	 * Charges {@code extra} if the cooldown is over and every limit has room for it now,
	 * without a concurrency slot (a retry sent under a permit already held); otherwise
	 * takes nothing.
	 * @return 0 when charged, else the nanoseconds until it might fit
	 */
	long tryCharge(Cost extra);

	/** Applies a changed policy, keeping what was admitted where limits match. */
	void apply(ThrottlePolicy policy);

	/** Every limit with what is used and available now. */
	List<PartitionSnapshot.LimitState> limits();

	/** Whether nothing is held or paced: dropping this state loses nothing. */
	boolean isIdle();

	/**
	 * Resilience4j rate limiters behind this state, when it has any (for their events and
	 * metrics).
	 */
	default List<PacedRateLimiter> rateLimiters() {
		return List.of();
	}

	/** The Resilience4j bulkhead behind this state, or {@code null}. */
	default @Nullable Bulkhead bulkhead() {
		return null;
	}

	/**
	 * One attempt's outcome: a grant (admitted), or the nanoseconds to wait
	 * ({@link #UNTIL_RELEASE} when only a concurrency slot is missing and a release will
	 * say when).
	 *
	 * @param grant what was taken, to hand back to {@link #release}; {@code null} if not
	 * admitted
	 * @param waitNanos when not admitted, how long until it might be
	 */
	record Attempt(@Nullable Object grant, long waitNanos) {

		/** Wait for a release rather than a time. */
		public static final long UNTIL_RELEASE = -1;

		public static Attempt admitted(Object grant) {
			return new Attempt(grant, 0);
		}

		public static Attempt waitFor(long nanos) {
			return new Attempt(null, nanos);
		}

		public boolean isAdmitted() {
			return this.grant != null;
		}

	}

	/**
	 * A foreseeable wait.
	 *
	 * @param nanos the wait
	 * @param blockedBy what causes it: a limit, {@code cooldown} or {@code concurrency}
	 */
	record Projection(long nanos, String blockedBy) {
	}

	/** Creates the state of each partition of a provider. */
	@FunctionalInterface
	interface Factory {

		/**
		 * The factory of in-memory states, which reserve the share of each limit unseen
		 * clients sharing the key are seen to hold.
		 */
		Factory LOCAL = LocalPartitionState::new;

		/**
		 * In-memory states without the neighbour's share: the decisions the Redis script
		 * (which does not estimate it) takes, for comparing the two backends.
		 */
		Factory LOCAL_WITHOUT_NEIGHBOUR_SHARE = (policy, partitionKey, lock, time) -> new LocalPartitionState(policy,
				partitionKey, lock, time, false);

		/**
		 * @param lock the partition's lock, held around calls to a local state
		 */
		PartitionState create(ThrottlePolicy policy, String partitionKey, java.util.concurrent.locks.ReentrantLock lock,
				dev.llmthrottle.core.TimeSource time);

	}

}
