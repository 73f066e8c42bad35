package dev.llmthrottle.call;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.llmthrottle.call.reactor.LlmThrottleOperator;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The programmatic API without any Spring context: the README's plain-Java example, the
 * decorators and the Reactor operator, each keeping to the concurrency cap and releasing
 * every permit.
 */
class LlmThrottlerTest {

	@Test
	void readmePlainJavaExample() throws Exception {
		// --- README: plain Java, no Spring context ---
		ThrottlePolicy policy = ThrottlePolicy.of("openai", 2, Limit.perMinute(Dimension.REQUESTS, 500),
				Limit.perMinute(Dimension.TOKENS, 200_000));
		try (SystemTimeSource time = new SystemTimeSource()) {
			ProviderThrottler engine = new ProviderThrottler(policy, time, PartitionKeys.withRandomSecret(),
					ThrottleListener.NONE);
			LlmThrottler openai = LlmThrottler.of(engine, time);

			String answer = openai.call("sk-my-key", Cost.of(1200, 400), () -> "Hello!");
			Supplier<String> throttled = openai.decorateSupplier("sk-my-key", Cost.of(1200, 400), () -> "Hi again");
			String again = throttled.get();
			// --- end of README example ---
			assertThat(answer).isEqualTo("Hello!");
			assertThat(again).isEqualTo("Hi again");
			PartitionSnapshot snapshot = engine.partition("sk-my-key").snapshot();
			assertThat(snapshot.inFlight()).isZero();
			assertThat(snapshot.limits().get(0).used()).as("two requests admitted").isEqualTo(2);
		}
	}

	@Test
	void decoratorsKeepTheConcurrencyCapAndReleaseOnFailure() throws Exception {
		try (SystemTimeSource time = new SystemTimeSource()) {
			ProviderThrottler engine = new ProviderThrottler(
					ThrottlePolicy.of("p", 1, Limit.perMinute(Dimension.REQUESTS, 10_000)), time,
					PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
			LlmThrottler throttler = LlmThrottler.of(engine, time);
			AtomicInteger inside = new AtomicInteger();
			AtomicInteger most = new AtomicInteger();
			CompletableFuture<String> first = new CompletableFuture<>();
			CompletableFuture<String> a = throttler.callAsync("k", Cost.oneRequest(), () -> {
				most.accumulateAndGet(inside.incrementAndGet(), Math::max);
				return first.whenComplete((v, e) -> inside.decrementAndGet());
			});
			CompletableFuture<String> b = throttler.callAsync("k", Cost.oneRequest(), () -> {
				most.accumulateAndGet(inside.incrementAndGet(), Math::max);
				inside.decrementAndGet();
				return CompletableFuture.completedFuture("b");
			});
			assertThat(engine.partition("k").snapshot().queued()).isEqualTo(1);
			first.complete("a");
			assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("a");
			assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("b");
			assertThat(most.get()).isEqualTo(1);
			assertThatThrownBy(() -> throttler.call("k", Cost.oneRequest(), () -> {
				throw new IllegalStateException("provider down");
			})).hasMessage("provider down");
			assertThat(engine.partition("k").snapshot().inFlight()).isZero();
			assertThat(engine.partition("k").snapshot().queued()).isZero();
		}
	}

	@Test
	void reactorOperatorHoldsThePermitUntilTheStreamEnds() {
		try (SystemTimeSource time = new SystemTimeSource()) {
			ProviderThrottler engine = new ProviderThrottler(
					ThrottlePolicy.of("p", 1, Limit.perMinute(Dimension.REQUESTS, 10_000)), time,
					PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
			LlmThrottler throttler = LlmThrottler.of(engine, time);
			AtomicInteger seenInFlight = new AtomicInteger(-1);
			List<Integer> streamed = Flux.range(1, 3)
				.doOnNext((i) -> seenInFlight.set(engine.partition("k").snapshot().inFlight()))
				.transformDeferred(LlmThrottleOperator.of(throttler, "k", Cost.oneRequest()))
				.collectList()
				.block(Duration.ofSeconds(5));
			assertThat(streamed).containsExactly(1, 2, 3);
			assertThat(seenInFlight.get()).as("held while streaming").isEqualTo(1);
			String value = Mono.just("x")
				.transformDeferred(LlmThrottleOperator.of(throttler, "k", Cost.oneRequest()))
				.block(Duration.ofSeconds(5));
			assertThat(value).isEqualTo("x");
			assertThat(engine.partition("k").snapshot().inFlight()).isZero();
			assertThat(engine.partition("k").snapshot().limits().get(0).used()).isEqualTo(2);
		}
	}

}
