package dev.llmthrottle.core.admission;

import java.util.concurrent.CompletableFuture;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.TimeSource;

/**
 * A caller queued for admission in its priority lane: a future completed with its
 * {@link Permit}. Cancelling it withdraws the caller from the queue, and a permit granted
 * in the same instant is handed straight back, so a cancelled waiter gives nothing away
 * and takes nothing.
 */
final class Waiter extends CompletableFuture<Permit> {

	final Partition partition;

	final Cost cost;

	final long enqueuedAt;

	final Priority priority;

	/**
	 * Set after queueing; volatile so that a grant racing the assignment either sees it
	 * or is seen.
	 */
	volatile TimeSource.Cancellable deadline;

	Waiter(Partition partition, Cost cost, Priority priority, long enqueuedAt) {
		this.partition = partition;
		this.cost = cost;
		this.priority = priority;
		this.enqueuedAt = enqueuedAt;
	}

	@Override
	public boolean cancel(boolean mayInterruptIfRunning) {
		boolean cancelled = super.cancel(mayInterruptIfRunning);
		if (cancelled) {
			this.partition.withdraw(this);
		}
		return cancelled;
	}

	@Override
	public boolean completeExceptionally(Throwable ex) {
		boolean completed = super.completeExceptionally(ex);
		if (completed) {
			this.partition.withdraw(this);
		}
		return completed;
	}

	/** Hands the permit over; if the caller has gone meanwhile, gives it back. */
	void grant(Permit permit) {
		boolean granted = super.complete(permit);
		// after completing: a deadline assigned meanwhile is either seen here or sees the
		// completion
		TimeSource.Cancellable timer = this.deadline;
		if (timer != null) {
			timer.cancel();
		}
		if (!granted) {
			permit.abandon();
		}
	}

	@Override
	public boolean complete(Permit value) {
		throw new UnsupportedOperationException("a waiter is completed only by its partition");
	}

}
