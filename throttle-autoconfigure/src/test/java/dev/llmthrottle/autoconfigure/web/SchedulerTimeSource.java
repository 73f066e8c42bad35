package dev.llmthrottle.autoconfigure.web;

import java.util.concurrent.TimeUnit;

import dev.llmthrottle.core.TimeSource;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Engine time driven by a Reactor scheduler, so that StepVerifier's virtual time moves
 * admission and backoff together.
 */
final class SchedulerTimeSource implements TimeSource {

	private final Scheduler scheduler;

	SchedulerTimeSource(Scheduler scheduler) {
		this.scheduler = scheduler;
	}

	@Override
	public long nanoTime() {
		return this.scheduler.now(TimeUnit.NANOSECONDS);
	}

	@Override
	public Cancellable schedule(Runnable task, long delayNanos) {
		Disposable disposable = this.scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
		return disposable::dispose;
	}

}
