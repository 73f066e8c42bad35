package dev.llmthrottle.autoconfigure.sdk;

import java.net.URI;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.llmthrottle.autoconfigure.sdk.internal.SdkCallShape;
import dev.llmthrottle.autoconfigure.sdk.internal.SdkResponses;
import dev.llmthrottle.call.AsyncCall;
import dev.llmthrottle.call.BlockingCall;
import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * What the official SDKs' throttling decorators share: the configured providers (matched
 * by the request's URL), the response feedback, the cost estimator, the calling thread's
 * admission and the engine's clock. Each request a wrapped SDK client sends to a
 * configured provider runs through the one call pipeline: admitted on its key's partition
 * with a cost estimated from its body (or, inside an {@code @LlmThrottled} method of the
 * same partition, under that admission), the provider's 429 and its hint handled with the
 * shared cooldown and retried as the provider's retry policy allows, the headers of every
 * response learnt, the cost settled from the usage of the body or stream, the permit
 * released on every path. Requests to no configured provider pass through.
 *
 * <p>
 * In a Spring Boot application this is a bean, and SDK client beans are wrapped
 * automatically; for plain Java, build one and pass it to
 * {@code OpenAiSdkThrottle}/{@code AnthropicSdkThrottle}.
 */
public final class SdkThrottle {

	private final LlmProviders providers;

	private final ResponseFeedback feedback;

	private final CostEstimator costs;

	private final CurrentAdmission currentAdmission;

	private final TimeSource time;

	private final Executor executor;

	private final Set<Object> throttled = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

	/**
	 * @param providers the configured providers
	 * @param feedback reads the providers' answers (cooldown, learning, retries)
	 * @param costs estimates a request's cost from its body
	 * @param currentAdmission the calling thread's admission (an annotated method's)
	 * @param time the engine's time source
	 * @param executor sends an asynchronous call admitted after a wait (never the
	 * engine's timer thread nor a dispatcher thread)
	 */
	public SdkThrottle(LlmProviders providers, ResponseFeedback feedback, CostEstimator costs,
			CurrentAdmission currentAdmission, TimeSource time, Executor executor) {
		this.providers = Objects.requireNonNull(providers, "providers");
		this.feedback = Objects.requireNonNull(feedback, "feedback");
		this.costs = Objects.requireNonNull(costs, "costs");
		this.currentAdmission = Objects.requireNonNull(currentAdmission, "currentAdmission");
		this.time = Objects.requireNonNull(time, "time");
		this.executor = Objects.requireNonNull(executor, "executor");
	}

	/**
	 * The same, sending asynchronous calls admitted after a wait from the common pool.
	 */
	public SdkThrottle(LlmProviders providers, ResponseFeedback feedback, CostEstimator costs,
			CurrentAdmission currentAdmission, TimeSource time) {
		this(providers, feedback, costs, currentAdmission, time, ForkJoinPool.commonPool());
	}

	/** The provider a URL belongs to, if one is configured for it. */
	public Optional<LlmProvider> provider(String url) {
		try {
			return this.providers.match(URI.create(url));
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	/** Whether a client built by this throttle (and not wrapped again). */
	public boolean isThrottled(Object client) {
		return this.throttled.contains(client);
	}

	/** Records a client this throttle built. */
	public <C> C markThrottled(C client) {
		this.throttled.add(client);
		return client;
	}

	/**
	 * The pipeline of one call to {@code provider}.
	 * @param rawKey the credential the request carries, or {@code null}
	 * @param body the request's JSON body (empty: the default cost)
	 * @param repeatable whether the request can be sent again (otherwise nothing is
	 * retried or learnt, only admitted and settled)
	 */
	public <R> CallPipeline<R> pipeline(LlmProvider provider, @Nullable String rawKey, byte[] body, boolean repeatable,
			SdkCallShape<R> shape) {
		Partition partition = provider.throttler().partition(rawKey);
		return new CallPipeline<>(repeatable ? this.feedback : null, this.time, provider, partition,
				this.costs.estimate(provider, body), this.currentAdmission.find(partition), shape);
	}

	/**
	 * Runs a call on the calling thread (which waits for admission, interruptibly): the
	 * response, or the documented exception.
	 */
	public <R> R execute(LlmProvider provider, @Nullable String rawKey, byte[] body, boolean repeatable,
			SdkResponses<R> responses, Supplier<R> send) {
		CallPipeline<R> call = pipeline(provider, rawKey, body, repeatable,
				new SdkCallShape<>(responses, provider.dialect(), provider.name()));
		try {
			return BlockingCall.run(call, (lease) -> send.get());
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Runs a call without parking a thread: admission waits in the queue, a wait before a
	 * retry is a timer. Cancelling the returned future withdraws a waiting call, cancels
	 * one in flight, and closes a response delivered as it was cancelled.
	 */
	public <R> CompletableFuture<R> executeAsync(LlmProvider provider, @Nullable String rawKey, byte[] body,
			boolean repeatable, SdkResponses<R> responses, Supplier<CompletableFuture<R>> send) {
		SdkCallShape<R> shape = new SdkCallShape<>(responses, provider.dialect(), provider.name());
		return AsyncCall.run(pipeline(provider, rawKey, body, repeatable, shape), (lease) -> send.get(), this.executor);
	}

}
