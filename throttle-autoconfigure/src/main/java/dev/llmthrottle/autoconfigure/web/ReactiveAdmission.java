package dev.llmthrottle.autoconfigure.web;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.Permit;
import reactor.core.publisher.Mono;

/**
 * Admission as a {@link Mono}: nothing is requested until subscription, no thread waits, and a subscriber that
 * cancels while waiting is withdrawn from the queue. A permit granted in the very instant of cancellation is given
 * back rather than leaked.
 */
public final class ReactiveAdmission {

	private ReactiveAdmission() {
	}

	/** A {@code Mono} that admits {@code cost} on {@code partition} when subscribed. */
	public static Mono<Permit> acquire(Partition partition, Cost cost) {
		return Mono.create((sink) -> {
			CompletableFuture<Permit> future = partition.acquireAsync(cost);
			AtomicBoolean cancelled = new AtomicBoolean();
			sink.onCancel(() -> {
				cancelled.set(true);
				if (!future.cancel(false)) {
					Permit granted = future.getNow(null);
					if (granted != null) {
						granted.abandon();
					}
				}
			});
			future.whenComplete((permit, error) -> {
				if (error != null) {
					sink.error((error instanceof java.util.concurrent.CompletionException && error.getCause() != null)
							? error.getCause() : error);
				}
				else if (cancelled.get()) {
					permit.abandon();
				}
				else {
					sink.success(permit);
				}
			});
		});
	}

}
