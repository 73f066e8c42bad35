package dev.llmthrottle.call.reactor;

import java.util.function.Function;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.llmthrottle.call.LlmThrottler;
import dev.llmthrottle.core.Cost;

/**
 * Throttles a {@code Mono} or {@code Flux} through the call pipeline, as Resilience4j's
 * Reactor operators do:
 * {@code mono.transformDeferred(LlmThrottleOperator.of(openai, apiKey, cost))}. Each
 * subscription is admitted without blocking, subscribes the source when granted (again
 * for a retry), and holds its permit until the source completes, fails or is cancelled (a
 * {@code Flux}: until the stream ends).
 */
public final class LlmThrottleOperator<T> implements Function<Publisher<T>, Publisher<T>> {

	private final LlmThrottler throttler;

	private final String key;

	private final Cost cost;

	private LlmThrottleOperator(LlmThrottler throttler, String key, Cost cost) {
		this.throttler = throttler;
		this.key = key;
		this.cost = cost;
	}

	/**
	 * The operator for calls on the partition of {@code key}, each estimated at
	 * {@code cost}.
	 */
	public static <T> LlmThrottleOperator<T> of(LlmThrottler throttler, String key, Cost cost) {
		return new LlmThrottleOperator<>(throttler, key, cost);
	}

	@Override
	public Publisher<T> apply(Publisher<T> source) {
		if (source instanceof Mono<T> mono) {
			return Mono.defer(() -> ReactorCall.mono(this.throttler.pipeline(this.key, this.cost), (lease) -> mono,
					Schedulers.parallel()));
		}
		return Flux.defer(() -> ReactorCall.flux(this.throttler.pipeline(this.key, this.cost), (lease) -> source,
				Schedulers.parallel()));
	}

}
