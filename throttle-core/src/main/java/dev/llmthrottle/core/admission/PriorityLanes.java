package dev.llmthrottle.core.admission;

import java.util.ArrayDeque;
import java.util.function.Consumer;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Priority;
import org.jspecify.annotations.Nullable;

/**
 * A partition's waiters, one arrival-order queue per {@link Priority}, and the rule that
 * says whose turn it is. Not thread-safe: used under the partition's lock.
 *
 * <p>
 * <b>Whose turn.</b> Exactly one waiter is next: the head of the highest lane that has
 * callers, unless a lower lane is owed its minimum share, in which case that lane's head
 * is next (the higher owed lane first). The partition admits only the waiter that is
 * next; if it does not fit, nobody behind it goes, whatever its lane. This is the
 * arrival-order rule of a single queue carried over to lanes: a large request is never
 * overtaken indefinitely by small ones, neither within its lane (arrival order) nor from
 * another lane (a higher lane goes first, but a lower lane's turn comes within its share
 * and is then kept until its head fits).
 *
 * <p>
 * <b>Minimum share.</b> Each lane below the top one keeps a credit, counted in millionths
 * of an admission. While the lane has callers, every admission of the partition adds the
 * share {@code s} to it, and the lane's own admissions take one whole admission off
 * (never below zero: room a lane got while nobody above it waited is not held against
 * it). The lane is owed when its credit plus {@code s} reaches one, so a backlogged lane
 * gets one admission in every {@code 1/s} while higher lanes are saturated, and its
 * credit never exceeds a few admissions. An emptied lane forgets its credit. The share
 * counts admissions, not tokens: it bounds how long a batch waits in calls, which is what
 * a batch's progress is measured in.
 */
final class PriorityLanes {

	private static final long ONE = 1_000_000;

	@SuppressWarnings("unchecked")
	private final ArrayDeque<Waiter>[] lanes = new ArrayDeque[Priority.COUNT];

	/** Per lane: the summed cost of its waiters (requests, input, output). */
	private final long[][] queued = new long[Priority.COUNT][3];

	/** Per lane: its credit in millionths of an admission (always 0 for the top lane). */
	private final long[] credit = new long[Priority.COUNT];

	private int size;

	PriorityLanes() {
		for (int i = 0; i < this.lanes.length; i++) {
			this.lanes[i] = new ArrayDeque<>();
		}
	}

	/** The share as millionths of an admission. */
	static long shareOf(double minShare) {
		return Math.round(minShare * ONE);
	}

	boolean isEmpty() {
		return this.size == 0;
	}

	int size() {
		return this.size;
	}

	int size(Priority priority) {
		return this.lanes[priority.ordinal()].size();
	}

	/** Queues {@code waiter} at the end of its lane. */
	void add(Waiter waiter) {
		int lane = waiter.priority.ordinal();
		this.lanes[lane].addLast(waiter);
		count(lane, waiter.cost, 1);
		this.size++;
	}

	/**
	 * The waiter whose turn it is (perhaps done already: the caller removes it and asks
	 * again), or {@code null} when nobody waits.
	 * @param share the minimum share, see {@link #shareOf}
	 */
	@Nullable Waiter next(long share) {
		if (this.size == 0) {
			return null;
		}
		if (share > 0) {
			for (int lane = 1; lane < this.lanes.length; lane++) {
				if (!this.lanes[lane].isEmpty() && this.credit[lane] + share >= ONE) {
					return this.lanes[lane].peekFirst();
				}
			}
		}
		for (ArrayDeque<Waiter> lane : this.lanes) {
			Waiter head = lane.peekFirst();
			if (head != null) {
				return head;
			}
		}
		return null;
	}

	/**
	 * Takes {@code waiter}, the head of its lane, out because it was admitted, and
	 * settles the credits of the lower lanes.
	 */
	void admitted(Waiter waiter, long share) {
		int admittedLane = waiter.priority.ordinal();
		for (int lane = 1; lane < this.lanes.length; lane++) {
			if (this.lanes[lane].isEmpty()) {
				this.credit[lane] = 0;
			}
			else if (lane == admittedLane) {
				this.credit[lane] = Math.max(0, this.credit[lane] + share - ONE);
			}
			else {
				this.credit[lane] += share;
			}
		}
		remove(waiter);
	}

	/**
	 * Takes {@code waiter} out wherever it is (withdrawn, expired, failed or admitted).
	 * @return whether it was queued
	 */
	boolean remove(Waiter waiter) {
		int lane = waiter.priority.ordinal();
		ArrayDeque<Waiter> queue = this.lanes[lane];
		boolean removed = (queue.peekFirst() == waiter) ? queue.pollFirst() != null : queue.remove(waiter);
		if (removed) {
			count(lane, waiter.cost, -1);
			this.size--;
			if (queue.isEmpty()) {
				this.credit[lane] = 0;
			}
		}
		return removed;
	}

	/** Whether {@code waiter} is the first of its lane. */
	boolean isLaneHead(Waiter waiter) {
		return this.lanes[waiter.priority.ordinal()].peekFirst() == waiter;
	}

	/**
	 * The summed cost of the waiters certain to be admitted before a newcomer of
	 * {@code priority}: its own lane, and with no minimum share also every higher lane
	 * (with a share, a lower lane may go between them, so only its own lane is certain).
	 */
	Cost ahead(Priority priority, long share) {
		long requests = 0;
		long input = 0;
		long output = 0;
		for (int lane = first(priority, share); lane <= priority.ordinal(); lane++) {
			requests += this.queued[lane][0];
			input += this.queued[lane][1];
			output += this.queued[lane][2];
		}
		return new Cost(requests, input, output);
	}

	/**
	 * A cost no greater, in any dimension, than that of the first of {@link #ahead} to be
	 * admitted (the least of the lane heads involved), or {@code null} when nobody is
	 * ahead.
	 */
	@Nullable Cost firstAhead(Priority priority, long share) {
		Cost least = null;
		for (int lane = first(priority, share); lane <= priority.ordinal(); lane++) {
			Waiter head = this.lanes[lane].peekFirst();
			if (head != null) {
				least = (least == null) ? head.cost
						: new Cost(Math.min(least.requests(), head.cost.requests()),
								Math.min(least.inputTokens(), head.cost.inputTokens()),
								Math.min(least.outputTokens(), head.cost.outputTokens()));
			}
		}
		return least;
	}

	private static int first(Priority priority, long share) {
		return (share > 0) ? priority.ordinal() : 0;
	}

	/** Every waiter, lane by lane. */
	void forEach(Consumer<Waiter> action) {
		for (ArrayDeque<Waiter> lane : this.lanes) {
			lane.forEach(action);
		}
	}

	private void count(int lane, Cost cost, int sign) {
		this.queued[lane][0] += sign * cost.requests();
		this.queued[lane][1] += sign * cost.inputTokens();
		this.queued[lane][2] += sign * cost.outputTokens();
	}

}
