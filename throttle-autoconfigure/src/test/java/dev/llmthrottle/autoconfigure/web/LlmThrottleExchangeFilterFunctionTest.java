package dev.llmthrottle.autoconfigure.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviderException;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WebClient filter against scripted responses, on Reactor virtual time (which also
 * drives the engine's clock): backoff schedules, a shared 429 cooldown, never-retry
 * errors, cancellation, stream settlement, no double admission, and no permit left
 * behind.
 */
class LlmThrottleExchangeFilterFunctionTest {

	private final VirtualTimeScheduler scheduler = VirtualTimeScheduler.getOrSet();

	private final SchedulerTimeSource time = new SchedulerTimeSource(this.scheduler);

	private final ProviderThrottler throttler = new ProviderThrottler(
			new ThrottlePolicy("openai",
					List.of(Limit.perMinute(Dimension.REQUESTS, 6000), Limit.perMinute(Dimension.TOKENS, 10_000_000)),
					4, Duration.ofMinutes(5), 100, Duration.ofSeconds(1), 10),
			this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);

	private final LlmProvider provider = new LlmProvider("openai", Dialect.OPENAI,
			List.of(URI.create("https://api.openai.test/v1")),
			new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(60), null), 100,
			this.throttler);

	private final LlmThrottleExchangeFilterFunction filter = new LlmThrottleExchangeFilterFunction(
			new LlmProviders(List.of(this.provider)),
			new ResponseFeedback(Clock.systemUTC(), new Random(1), ThrottleListener.NONE),
			new CostEstimator(new JtokkitTokenCounter(), 1.2), this.time);

	private final AtomicInteger sent = new AtomicInteger();

	@AfterEach
	void reset() {
		VirtualTimeScheduler.reset();
	}

	private ExchangeFunction scripted(IntFunction<Mono<ClientResponse>> script) {
		return (request) -> Mono.defer(() -> script.apply(this.sent.incrementAndGet()));
	}

	private static ClientRequest request(String url) {
		return ClientRequest.create(HttpMethod.POST, URI.create(url))
			.header("Authorization", "Bearer sk-test-key")
			.build();
	}

	private static Mono<ClientResponse> response(HttpStatus status, String body, String... headers) {
		ClientResponse.Builder builder = ClientResponse.create(status)
			.header("Content-Type", "application/json")
			.body(body);
		for (int i = 0; i < headers.length; i += 2) {
			builder.header(headers[i], headers[i + 1]);
		}
		return Mono.just(builder.build());
	}

	private Partition partition() {
		return this.throttler.partition("sk-test-key");
	}

	private void assertNothingHeld() {
		PartitionSnapshot snapshot = partition().snapshot();
		assertThat(snapshot.inFlight()).as("in flight").isZero();
		assertThat(snapshot.queued()).as("queued").isZero();
		assertThat(snapshot.repeatedReleases()).isZero();
	}

	@Test
	void overloadIsRetriedWithJitteredBackoffAndSettled() {
		ExchangeFunction next = scripted((n) -> (n < 3) ? response(HttpStatus.SERVICE_UNAVAILABLE, "overloaded")
				: response(HttpStatus.OK, "{\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":22}}"));
		StepVerifier
			.withVirtualTime(() -> this.filter.filter(request("https://api.openai.test/v1/chat/completions"), next)
				.flatMap((r) -> r.bodyToMono(String.class)))
			.expectSubscription()
			.thenAwait(Duration.ofMillis(1500)) // at most 500 ms + 1 s of backoff
			.expectNextMatches((body) -> body.contains("prompt_tokens"))
			.verifyComplete();
		assertThat(this.sent).hasValue(3);
		assertNothingHeld();
		// 3 requests sent; tokens settled to the usage of the success (failed attempts
		// refunded their tokens)
		assertThat(partition().snapshot().limits().get(0).used()).isEqualTo(3);
		assertThat(partition().snapshot().limits().get(1).used()).isEqualTo(33);
	}

	@Test
	void a429PausesEveryCallerOfThePartition() {
		ExchangeFunction next = scripted((n) -> (n == 1)
				? response(HttpStatus.TOO_MANY_REQUESTS,
						"{\"error\":{\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}", "retry-after", "7")
					.delayElement(Duration.ofMillis(100))
				: response(HttpStatus.OK, "{}").delayElement(Duration.ofMillis(100)));
		Flux<Integer> calls = Flux.concat(
				this.filter.filter(request("https://api.openai.test/v1/chat/completions"), next)
					.flatMap((r) -> r.releaseBody().thenReturn(r.statusCode().value())),
				Mono.delay(Duration.ofMillis(500))
					.thenMany(Flux.range(0, 4)
						.flatMap((i) -> this.filter.filter(request("https://api.openai.test/v1/chat/completions"), next)
							.flatMap((r) -> r.releaseBody().thenReturn(r.statusCode().value())))));
		StepVerifier.withVirtualTime(() -> Flux.merge(calls))
			.expectSubscription()
			.thenAwait(Duration.ofMillis(7050))
			.then(() -> assertThat(this.sent).as("nothing sent during the cooldown").hasValue(1))
			.thenAwait(Duration.ofSeconds(2))
			.expectNextCount(5)
			.verifyComplete();
		assertThat(this.sent).hasValue(6);
		assertNothingHeld();
	}

	@Test
	void neverRetryErrorsSurfaceAtOnce() {
		ExchangeFunction next = scripted((n) -> response(HttpStatus.UNAUTHORIZED,
				"{\"error\":{\"message\":\"Incorrect API key provided: sk-test-key\",\"code\":\"invalid_api_key\"}}"));
		StepVerifier
			.withVirtualTime(() -> this.filter.filter(request("https://api.openai.test/v1/chat/completions"), next))
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(LlmProviderException.class)
				.hasMessageContaining("401")
				.hasMessageNotContaining("sk-test-key"))
			.verify(Duration.ofSeconds(1));
		assertThat(this.sent).hasValue(1);
		assertNothingHeld();
	}

	@Test
	void cancellingWhileCoolingDownTakesNothing() {
		partition().coolDown(Duration.ofSeconds(30), "test");
		ExchangeFunction next = scripted((n) -> response(HttpStatus.OK, "{}"));
		StepVerifier
			.withVirtualTime(() -> this.filter.filter(request("https://api.openai.test/v1/chat/completions"), next))
			.expectSubscription()
			.thenAwait(Duration.ofSeconds(5))
			.thenCancel()
			.verify();
		assertThat(this.sent).hasValue(0);
		assertNothingHeld();
		assertThat(partition().snapshot().limits().get(0).used()).isZero();
	}

	@Test
	void streamsSettleFromTheirFinalUsageEvent() {
		String sse = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"
				+ "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}\n\ndata: [DONE]\n\n";
		ExchangeFunction next = scripted((n) -> Mono.just(ClientResponse.create(HttpStatus.OK)
			.header("Content-Type", MediaType.TEXT_EVENT_STREAM_VALUE)
			.body(Flux.just(sse.substring(0, 30), sse.substring(30))
				.map((s) -> org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance
					.wrap(s.getBytes(StandardCharsets.UTF_8))))
			.build()));
		StepVerifier
			.withVirtualTime(() -> this.filter.filter(request("https://api.openai.test/v1/chat/completions"), next)
				.flatMapMany((r) -> r.bodyToFlux(String.class)))
			.thenConsumeWhile((s) -> true)
			.verifyComplete();
		assertNothingHeld();
		assertThat(partition().snapshot().limits().get(1).used()).isEqualTo(12);
	}

	@Test
	void otherHostsPassThroughUntouched() {
		ExchangeFunction next = scripted((n) -> response(HttpStatus.TOO_MANY_REQUESTS, "", "retry-after", "5"));
		StepVerifier.withVirtualTime(() -> this.filter.filter(request("https://example.org/v1/chat"), next))
			.expectNextMatches((r) -> r.statusCode().value() == 429)
			.verifyComplete();
		assertThat(this.sent).hasValue(1);
		assertThat(partition().cooldownRemaining()).isZero();
	}

	@Test
	void insideAnAnnotatedMethodOfTheSamePartitionTheCallIsAdmittedOnce() {
		Permit outer = partition().tryAcquire(Cost.of(0, 500));
		ExchangeFunction next = scripted(
				(n) -> response(HttpStatus.OK, "{\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":30}}"));
		StepVerifier
			.withVirtualTime(() -> this.filter.filter(request("https://api.openai.test/v1/chat/completions"), next)
				.flatMap((r) -> r.bodyToMono(String.class))
				.contextWrite((context) -> context.put(CurrentAdmission.CONTEXT_KEY, outer)))
			.expectNextCount(1)
			.verifyComplete();
		assertThat(partition().snapshot().inFlight()).isEqualTo(1);
		assertThat(partition().snapshot().limits().get(0).used()).isEqualTo(1);
		outer.release(null); // the annotated method releases without knowing the usage:
								// the filter reported it
		assertThat(partition().snapshot().limits().get(1).used()).isEqualTo(42);
	}

	@Test
	void underAnAdmissionOfAnotherPartitionTheCallIsAdmittedOnItsOwnKey() {
		Permit outer = this.throttler.defaultPartition().tryAcquire(Cost.of(0, 500));
		ExchangeFunction next = scripted((n) -> response(HttpStatus.OK, "{}"));
		StepVerifier
			.withVirtualTime(() -> this.filter.filter(request("https://api.openai.test/v1/chat/completions"), next)
				.flatMap((r) -> r.bodyToMono(String.class))
				.contextWrite((context) -> context.put(CurrentAdmission.CONTEXT_KEY, outer)))
			.expectNextCount(1)
			.verifyComplete();
		outer.release(null);
		assertThat(partition().snapshot().limits().get(0).used()).isEqualTo(1);
		assertNothingHeld();
	}

}
