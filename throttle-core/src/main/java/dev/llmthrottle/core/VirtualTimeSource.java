package dev.llmthrottle.core;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Time that moves only when told to. {@link #advance(Duration)} runs every task that
 * falls due, in order, on the calling thread. Meant for tests of the engine and of code
 * built on it; thread-safe so that tests may also admit from several threads.
 */
public final class VirtualTimeSource implements TimeSource {

	private final ReentrantLock lock = new ReentrantLock();

	private final PriorityQueue<Task> tasks = new PriorityQueue<>();

	private long now;

	private long sequence;

	/** Starts at an arbitrary non-zero origin, as {@link System#nanoTime()} does. */
	public VirtualTimeSource() {
		this(1_000_000_000_000L);
	}

	public VirtualTimeSource(long originNanos) {
		this.now = originNanos;
	}

	@Override
	public long nanoTime() {
		this.lock.lock();
		try {
			return this.now;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public Cancellable schedule(Runnable task, long delayNanos) {
		this.lock.lock();
		try {
			Task scheduled = new Task(this.now + Math.max(0, delayNanos), this.sequence++, task);
			this.tasks.add(scheduled);
			return () -> scheduled.cancelled = true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Moves time forward by {@code duration}, running due tasks at their own instants.
	 */
	public void advance(Duration duration) {
		advanceNanos(duration.toNanos());
	}

	/** Moves time forward by {@code nanos}, running due tasks at their own instants. */
	public void advanceNanos(long nanos) {
		long target;
		this.lock.lock();
		try {
			target = this.now + nanos;
		}
		finally {
			this.lock.unlock();
		}
		while (true) {
			Task next;
			this.lock.lock();
			try {
				next = this.tasks.peek();
				if (next == null || next.due > target) {
					this.now = target;
					return;
				}
				this.tasks.poll();
				this.now = Math.max(this.now, next.due);
			}
			finally {
				this.lock.unlock();
			}
			if (!next.cancelled) {
				next.task.run();
			}
		}
	}

	/** Runs tasks that are due now without moving time. */
	public void runDue() {
		advanceNanos(0);
	}

	/** Number of scheduled tasks not yet run or cancelled. */
	public int pendingTasks() {
		this.lock.lock();
		try {
			return (int) this.tasks.stream().filter((task) -> !task.cancelled).count();
		}
		finally {
			this.lock.unlock();
		}
	}

	private static final class Task implements Comparable<Task> {

		final long due;

		final long sequence;

		final Runnable task;

		volatile boolean cancelled;

		Task(long due, long sequence, Runnable task) {
			this.due = due;
			this.sequence = sequence;
			this.task = task;
		}

		@Override
		public int compareTo(Task other) {
			int byDue = Long.compare(this.due, other.due);
			return (byDue != 0) ? byDue : Long.compare(this.sequence, other.sequence);
		}

	}

}
