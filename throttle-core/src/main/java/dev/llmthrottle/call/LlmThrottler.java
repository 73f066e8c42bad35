package dev.llmthrottle.call;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.ResponseFeedback;
import org.jspecify.annotations.Nullable;

/**
 * The programmatic API of one provider, for code that uses neither Spring's HTTP clients
 * nor the annotation: runs a call (a lambda that talks to the provider) through the call
 * pipeline, in the style of Resilience4j's decorators. Each call is admitted on the
 * partition of its key (the API key or tenant, hashed, never kept), waits its turn, is
 * retried when its failure carries a provider response that says so (see
 * {@link #withFailureReader}), and releases its permit exactly once, whatever happens.
 * Limits changed at runtime (the actuator) apply to the same instance, since it runs on
 * the provider's {@link ProviderThrottler}.
 *
 * <pre>{@code
 * LlmThrottler openai = LlmThrottler.of(throttler, new SystemTimeSource());
 * String answer = openai.call(apiKey, Cost.of(1200, 400), () -> client.complete(prompt));
 * LlmThrottler nightly = openai.withPriority(Priority.BATCH); // waits behind interactive calls
 * }</pre>
 */
public final class LlmThrottler {

	private final ProviderThrottler throttler;

	private final LlmProvider provider;

	private final ResponseFeedback feedback;

	private final TimeSource time;

	private final Function<Throwable, @Nullable Reply> failureReader;

	private final Executor executor;

	private final Priority priority;

	private LlmThrottler(ProviderThrottler throttler, LlmProvider provider, ResponseFeedback feedback, TimeSource time,
			Function<Throwable, @Nullable Reply> failureReader, Executor executor, Priority priority) {
		this.throttler = Objects.requireNonNull(throttler, "throttler");
		this.provider = provider;
		this.feedback = feedback;
		this.time = Objects.requireNonNull(time, "time");
		this.failureReader = failureReader;
		this.executor = executor;
		this.priority = Objects.requireNonNull(priority, "priority");
	}

	/**
	 * A throttler that admits and releases, and learns nothing from failures (no feedback
	 * configured).
	 */
	public static LlmThrottler of(ProviderThrottler throttler, TimeSource time) {
		return new LlmThrottler(throttler, null, null, time, (error) -> null, ForkJoinPool.commonPool(),
				Priority.DEFAULT);
	}

	/**
	 * A throttler that also feeds failures carrying a provider response back (cooldown on
	 * 429, retries).
	 */
	public static LlmThrottler of(LlmProvider provider, ResponseFeedback feedback, TimeSource time) {
		return new LlmThrottler(provider.throttler(), provider, feedback, time, (error) -> null,
				ForkJoinPool.commonPool(), Priority.DEFAULT);
	}

	/**
	 * The same throttler, reading the provider's response out of a failure (an SDK's
	 * exception): a 429 then cools the partition down and the call is retried as the
	 * provider's retry policy allows.
	 * @param reader the response a failure carries, or {@code null} when it carries none;
	 * must not throw
	 */
	public LlmThrottler withFailureReader(Function<Throwable, @Nullable Reply> reader) {
		return new LlmThrottler(this.throttler, this.provider, this.feedback, this.time, reader, this.executor,
				this.priority);
	}

	/**
	 * The same throttler, sending asynchronous calls admitted after a wait from
	 * {@code executor}.
	 */
	public LlmThrottler withExecutor(Executor executor) {
		return new LlmThrottler(this.throttler, this.provider, this.feedback, this.time, this.failureReader, executor,
				this.priority);
	}

	/**
	 * The same throttler, its calls waiting in the lane of {@code priority} (the default
	 * lane otherwise): {@link Priority#INTERACTIVE} calls go before queued
	 * {@link Priority#BATCH} ones, which keep the provider's {@code min-share}.
	 */
	public LlmThrottler withPriority(Priority priority) {
		return new LlmThrottler(this.throttler, this.provider, this.feedback, this.time, this.failureReader,
				this.executor, priority);
	}

	/** The lane this throttler's calls wait in. */
	public Priority priority() {
		return this.priority;
	}

	/** The provider's name. */
	public String name() {
		return this.throttler.name();
	}

	/** The engine's throttler underneath (partitions, snapshots, policy). */
	public ProviderThrottler throttler() {
		return this.throttler;
	}

	/**
	 * Runs {@code call} on the calling thread through the pipeline: its value, or its (or
	 * the throttle's) failure.
	 */
	public <T> T call(String key, Cost cost, Callable<T> call) throws Exception {
		try {
			return BlockingCall.run(pipeline(key, cost), (lease) -> call.call());
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** {@code supplier} run through the pipeline on each {@code get()}. */
	public <T> Supplier<T> decorateSupplier(String key, Cost cost, Supplier<T> supplier) {
		return () -> {
			try {
				return call(key, cost, supplier::get);
			}
			catch (RuntimeException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex); // a Supplier throws nothing checked;
														// admission never does
			}
		};
	}

	/** {@code callable} run through the pipeline on each {@code call()}. */
	public <T> Callable<T> decorateCallable(String key, Cost cost, Callable<T> callable) {
		return () -> call(key, cost, callable);
	}

	/**
	 * {@code supplier}'s stage run through the pipeline on each {@code get()}, without
	 * parking a thread: the permit is held until the stage completes; cancelling the
	 * returned future withdraws a waiting call.
	 */
	public <T> Supplier<CompletionStage<T>> decorateCompletionStage(String key, Cost cost,
			Supplier<? extends CompletionStage<T>> supplier) {
		return () -> callAsync(key, cost, supplier);
	}

	/**
	 * Runs {@code supplier}'s stage through the pipeline, see
	 * {@link #decorateCompletionStage}.
	 */
	public <T> CompletableFuture<T> callAsync(String key, Cost cost, Supplier<? extends CompletionStage<T>> supplier) {
		return AsyncCall.run(pipeline(key, cost), (lease) -> supplier.get(), this.executor);
	}

	/**
	 * The pipeline of one call on the partition of {@code key}, for drivers (the Reactor
	 * operator).
	 */
	public <T> CallPipeline<T> pipeline(String key, Cost cost) {
		return new CallPipeline<>(this.feedback, this.time, this.provider, this.throttler.partition(key), cost,
				this.priority, null, new ValueShape<>(this.failureReader, (error) -> {
				}, (ex, waitingToRetry) -> new CallInterruptedException(this.throttler.name(), waitingToRetry, ex)));
	}

}
