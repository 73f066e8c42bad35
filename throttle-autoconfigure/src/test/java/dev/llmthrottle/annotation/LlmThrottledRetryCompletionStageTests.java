package dev.llmthrottle.annotation;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.annotation.RetryingServices.FlakyService;
import dev.llmthrottle.annotation.RetryingServices.Script;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.exchange.LlmProviderException;

import static dev.llmthrottle.annotation.RetryingServices.assertNoPermitLeaked;
import static dev.llmthrottle.annotation.RetryingServices.partition;
import static dev.llmthrottle.annotation.RetryingServices.requests;
import static dev.llmthrottle.annotation.RetryingServices.restClient;
import static dev.llmthrottle.annotation.RetryingServices.tokens;
import static dev.llmthrottle.annotation.RetryingServices.webClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code CompletableFuture} methods that fail with a provider's response, on virtual
 * time: retried after the cooldown or backoff without parking a thread; never-retry
 * errors complete the future at once; cancelling the caller's future during the wait
 * withdraws it and leaves nothing behind.
 */
class LlmThrottledRetryCompletionStageTests {

	private static final String RATE_LIMITED = "{\"error\":{\"message\":\"Rate limit reached for tokens\","
			+ "\"type\":\"tokens\",\"code\":\"rate_limit_exceeded\"}}";

	@Test
	void retriedOnceAfterTheCooldown() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(restClient(429, RATE_LIMITED, "retry-after", "2"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			CompletableFuture<String> result = service.async();
			await().atMost(Duration.ofSeconds(5)).until(() -> flaky.snapshot().queued() == 1);
			time.advance(Duration.ofMillis(1900));
			assertThat(result).isNotDone();
			time.advance(Duration.ofMillis(100));
			assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("answer");
			assertThat(script.invocations()).isEqualTo(2);
			assertThat(requests(flaky)).isEqualTo(2);
			assertThat(tokens(flaky)).isEqualTo(100);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void backoffIsWaitedOnTheTimeSource() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class)
				.failWith(webClient(500, "{\"error\":{\"message\":\"oops\"}}"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			CompletableFuture<String> result = service.async();
			assertThat(time.pendingTasks()).isPositive();
			assertThat(result).isNotDone();
			time.advance(Duration.ofMillis(500));
			assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("answer");
			assertThat(script.invocations()).isEqualTo(2);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void unauthorizedCompletesWithATypedExceptionAtOnce() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class)
				.failWith(webClient(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}"));
			CompletableFuture<String> result = service.async();
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(5, TimeUnit.SECONDS))
				.withCauseInstanceOf(LlmProviderException.class);
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(partition(context, "flaky"));
		});
	}

	@Test
	void cancellingDuringTheBackoffWithdrawsTheRetry() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(webClient(503, "overloaded"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			CompletableFuture<String> result = service.async();
			assertThat(time.pendingTasks()).isPositive();
			result.cancel(false);
			assertThat(time.pendingTasks()).isZero();
			time.advance(Duration.ofSeconds(10));
			assertThatExceptionOfType(CancellationException.class).isThrownBy(result::join);
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void cancellingWhileWaitingOutTheCooldownWithdrawsTheRetry() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(webClient(429, RATE_LIMITED, "retry-after", "2"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			CompletableFuture<String> result = service.async();
			await().atMost(Duration.ofSeconds(5)).until(() -> flaky.snapshot().queued() == 1);
			result.cancel(false);
			assertNoPermitLeaked(flaky);
			time.advance(Duration.ofSeconds(3));
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(flaky);
		});
	}

}
