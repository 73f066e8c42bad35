package dev.llmthrottle.core;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real time: {@link System#nanoTime()} and one small daemon scheduler thread for
 * wake-ups. Waiters are never parked on this thread; it only completes futures, so one
 * thread serves every throttler of an application.
 */
public final class SystemTimeSource implements TimeSource, AutoCloseable {

	private final ScheduledThreadPoolExecutor scheduler;

	public SystemTimeSource() {
		AtomicInteger count = new AtomicInteger();
		this.scheduler = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "llm-throttle-timer-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler.setRemoveOnCancelPolicy(true);
	}

	@Override
	public long nanoTime() {
		return System.nanoTime();
	}

	@Override
	public Cancellable schedule(Runnable task, long delayNanos) {
		ScheduledFuture<?> future = this.scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
		return () -> future.cancel(false);
	}

	@Override
	public void close() {
		this.scheduler.shutdownNow();
	}

}
