package dev.llmthrottle.annotation;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.llmthrottle.annotation.RetryingServices.FlakyService;
import dev.llmthrottle.annotation.RetryingServices.Script;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.exchange.LlmProviderException;
import dev.llmthrottle.exchange.RetryAfterTooLongException;

import static dev.llmthrottle.annotation.RetryingServices.assertNoPermitLeaked;
import static dev.llmthrottle.annotation.RetryingServices.partition;
import static dev.llmthrottle.annotation.RetryingServices.requests;
import static dev.llmthrottle.annotation.RetryingServices.restClient;
import static dev.llmthrottle.annotation.RetryingServices.tokens;
import static dev.llmthrottle.annotation.RetryingServices.webClient;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Mono} and {@code Flux} methods that fail with a provider's response, on virtual
 * time: a 429 is retried once the partition's cooldown has passed, without blocking; a
 * {@code Flux} is retried only before its first element; never-retry errors surface at
 * once; cancellation during the wait leaves nothing behind.
 */
class LlmThrottledRetryReactiveTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final String RATE_LIMITED = "{\"error\":{\"message\":\"Rate limit reached for requests\","
			+ "\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";

	@Test
	void monoIsRetriedOnceAfterTheCooldown() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(webClient(429, RATE_LIMITED, "retry-after", "2"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			StepVerifier.create(service.mono())
				.expectSubscription()
				.then(() -> await(() -> flaky.snapshot().queued() == 1))
				.then(() -> time.advance(Duration.ofMillis(1900)))
				.then(() -> assertThat(script.invocations()).isOne())
				.then(() -> time.advance(Duration.ofMillis(100)))
				.expectNext("answer")
				.expectComplete()
				.verify(TIMEOUT);
			assertThat(script.invocations()).isEqualTo(2);
			assertThat(requests(flaky)).isEqualTo(2);
			assertThat(tokens(flaky)).isEqualTo(100);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void fluxFailingBeforeItsFirstElementIsRetried() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(restClient(429, RATE_LIMITED, "retry-after", "1"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			StepVerifier.create(service.flux())
				.expectSubscription()
				.then(() -> await(() -> flaky.snapshot().queued() == 1))
				.then(() -> time.advance(Duration.ofSeconds(1)))
				.expectNext("a", "b")
				.expectComplete()
				.verify(TIMEOUT);
			assertThat(script.invocations()).isEqualTo(2);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void fluxFailingAfterItsFirstElementIsNotRetried() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			WebClientResponseException failure = webClient(429, RATE_LIMITED, "retry-after", "1");
			Script script = context.getBean(Script.class).failWith(failure);
			Partition flaky = partition(context, "flaky");
			StepVerifier.create(service.fluxFailingAfterFirst())
				.expectNext("a")
				.expectErrorSatisfies((ex) -> assertThat(ex).isSameAs(failure))
				.verify(TIMEOUT);
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void unauthorizedIsATypedErrorAtOnce() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			WebClientResponseException unauthorized = webClient(401,
					"{\"error\":{\"message\":\"Incorrect API key provided\",\"code\":\"invalid_api_key\"}}");
			Script script = context.getBean(Script.class).failWith(unauthorized);
			Partition flaky = partition(context, "flaky");
			StepVerifier.create(service.mono())
				.expectErrorSatisfies(
						(ex) -> assertThat(ex).isInstanceOf(LlmProviderException.class).hasCause(unauthorized))
				.verify(TIMEOUT);
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void hintAboveMaxRetryAfterFailsFast() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class)
				.failWith(webClient(429, RATE_LIMITED, "retry-after-ms", "600000"));
			StepVerifier.create(service.flux()).expectError(RetryAfterTooLongException.class).verify(TIMEOUT);
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(partition(context, "flaky"));
		});
	}

	@Test
	void exhaustedRetriesPassTheLastFailureOn() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			WebClientResponseException last = webClient(503, "overloaded");
			Script script = context.getBean(Script.class)
				.failWith(webClient(503, "overloaded"), webClient(503, "overloaded"), last);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			StepVerifier.create(service.mono())
				.expectSubscription()
				.then(() -> advanceUntil(time, () -> script.invocations() == 3))
				.expectErrorSatisfies((ex) -> assertThat(ex).isSameAs(last))
				.verify(TIMEOUT);
			assertThat(script.invocations()).isEqualTo(3);
			assertThat(requests(flaky)).isEqualTo(3);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void cancellationDuringTheBackoffLeavesNothingBehind() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(webClient(503, "overloaded"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			StepVerifier.create(service.mono())
				.expectSubscription()
				.then(() -> await(() -> script.invocations() == 1 && time.pendingTasks() > 0))
				.thenCancel()
				.verify(TIMEOUT);
			assertThat(time.pendingTasks()).isZero();
			time.advance(Duration.ofSeconds(10));
			assertThat(script.invocations()).isOne();
			assertThat(requests(flaky)).isOne();
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void cancellationWhileWaitingOutTheCooldownLeavesNothingBehind() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(webClient(429, RATE_LIMITED, "retry-after", "2"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			StepVerifier.create(service.flux())
				.expectSubscription()
				.then(() -> await(() -> flaky.snapshot().queued() == 1))
				.thenCancel()
				.verify(TIMEOUT);
			assertNoPermitLeaked(flaky);
			time.advance(Duration.ofSeconds(3));
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(flaky);
		});
	}

	private static void await(java.util.concurrent.Callable<Boolean> condition) {
		Awaitility.await().atMost(TIMEOUT).until(condition);
	}

	/**
	 * Advances virtual time in small steps until {@code condition} holds: the jittered
	 * backoffs are random and each retry is scheduled by another thread, so a fixed
	 * advance could land before a backoff timer exists.
	 */
	private static void advanceUntil(VirtualTimeSource time, java.util.concurrent.Callable<Boolean> condition) {
		Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> {
			if (condition.call()) {
				return true;
			}
			time.advance(Duration.ofMillis(50));
			return false;
		});
	}

}
