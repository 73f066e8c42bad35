package dev.llmthrottle.annotation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.llmthrottle.annotation.RetryingServices.FlakyService;
import dev.llmthrottle.annotation.RetryingServices.OuterService;
import dev.llmthrottle.annotation.RetryingServices.RecordingListener;
import dev.llmthrottle.annotation.RetryingServices.Script;
import dev.llmthrottle.autoconfigure.aop.AdmissionInterruptedException;
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
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A blocking {@code @LlmThrottled} method that fails with an HTTP client's exception is
 * fed back and retried like the filters' calls, on virtual time: a 429 cools the
 * partition down for every caller, the method is invoked again once it has passed,
 * never-retry errors surface at once as typed exceptions, and no permit is left behind.
 */
class LlmThrottledRetryBlockingTests {

	private static final String RATE_LIMITED = "{\"error\":{\"message\":\"Rate limit reached for requests\","
			+ "\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";

	private static final String BAD_KEY = "{\"error\":{\"message\":\"Incorrect API key provided\","
			+ "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";

	@Test
	void webClient429IsRetriedOnceAfterTheCooldown() {
		retriedAfterTheCooldown(() -> webClient(429, RATE_LIMITED, "retry-after", "2"));
	}

	@Test
	void restClient429IsRetriedOnceAfterTheCooldown() {
		retriedAfterTheCooldown(() -> restClient(429, RATE_LIMITED, "retry-after", "2"));
	}

	private void retriedAfterTheCooldown(Supplier<RuntimeException> tooManyRequests) {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(tooManyRequests.get());
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			RecordingListener listener = context.getBean(RecordingListener.class);
			Partition flaky = partition(context, "flaky");
			CompletableFuture<String> result = CompletableFuture.supplyAsync(service::call, this::thread);
			// the second attempt waits in the queue for the partition's cooldown
			await().atMost(Duration.ofSeconds(5)).until(() -> flaky.snapshot().queued() == 1);
			assertThat(flaky.cooldownRemaining()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2));
			time.advance(Duration.ofMillis(1900));
			assertThat(result).isNotDone();
			assertThat(script.invocations()).isOne();
			time.advance(Duration.ofMillis(100));
			assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("answer");
			assertThat(script.invocations()).isEqualTo(2);
			assertThat(listener.cooldowns).hasValue(1);
			assertThat(listener.retried).hasValue(1);
			// the refused attempt counts as a request, as providers count it, but spent
			// no tokens
			assertThat(requests(flaky)).isEqualTo(2);
			assertThat(tokens(flaky)).isEqualTo(100);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void cooldownPausesEveryCallerOfThePartition() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			context.getBean(Script.class).failWith(webClient(429, RATE_LIMITED, "retry-after", "2"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			CompletableFuture<String> first = CompletableFuture.supplyAsync(service::call, this::thread);
			await().atMost(Duration.ofSeconds(5)).until(() -> flaky.snapshot().queued() == 1);
			CompletableFuture<String> second = CompletableFuture.supplyAsync(service::other, this::thread);
			await().atMost(Duration.ofSeconds(5)).until(() -> flaky.snapshot().queued() == 2);
			time.advance(Duration.ofMillis(1900));
			assertThat(second).isNotDone();
			time.advance(Duration.ofMillis(100));
			assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("answer");
			assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("other");
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void unauthorizedFailsAtOnceWithATypedException() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			WebClientResponseException unauthorized = webClient(401, BAD_KEY);
			Script script = context.getBean(Script.class).failWith(unauthorized);
			Partition flaky = partition(context, "flaky");
			assertThatExceptionOfType(LlmProviderException.class).isThrownBy(service::call)
				.satisfies((ex) -> assertThat(ex.status()).isEqualTo(401))
				.withCause(unauthorized);
			assertThat(script.invocations()).isOne();
			assertThat(flaky.cooldownRemaining()).isZero();
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void hintAboveMaxRetryAfterFailsFast() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class)
				.failWith(restClient(429, RATE_LIMITED, "retry-after", "3600"));
			Partition flaky = partition(context, "flaky");
			assertThatExceptionOfType(RetryAfterTooLongException.class).isThrownBy(service::call)
				.satisfies((ex) -> assertThat(ex.requested()).isEqualTo(Duration.ofHours(1)))
				.withCauseInstanceOf(HttpClientErrorException.TooManyRequests.class);
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void exhaustedRetriesRethrowTheLastFailureUnchanged() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			WebClientResponseException last = webClient(429, RATE_LIMITED, "retry-after", "1");
			Script script = context.getBean(Script.class)
				.failWith(webClient(429, RATE_LIMITED, "retry-after", "1"),
						webClient(429, RATE_LIMITED, "retry-after", "1"), last);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			CompletableFuture<String> result = CompletableFuture.supplyAsync(service::call, this::thread);
			for (int attempt = 1; attempt < 3; attempt++) {
				int invoked = attempt;
				await().atMost(Duration.ofSeconds(5))
					.until(() -> script.invocations() == invoked && flaky.snapshot().queued() == 1);
				time.advance(Duration.ofSeconds(1));
			}
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(5, TimeUnit.SECONDS))
				.withCause(last);
			assertThat(script.invocations()).isEqualTo(3);
			assertThat(requests(flaky)).isEqualTo(3);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void singleAttemptProviderLearnsButDoesNotRetry() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			WebClientResponseException tooMany = webClient(429, RATE_LIMITED, "retry-after", "2");
			Script script = context.getBean(Script.class).failWith(tooMany);
			Partition once = partition(context, "once");
			assertThatExceptionOfType(WebClientResponseException.class).isThrownBy(service::callOnce).isSameAs(tooMany);
			assertThat(script.invocations()).isOne();
			assertThat(once.cooldownRemaining()).isPositive();
			assertNoPermitLeaked(once);
		});
	}

	@Test
	void overloadBacksOffOnTheTimeSourceWithoutPausingThePartition() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(webClient(503, "overloaded"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			CompletableFuture<String> result = CompletableFuture.supplyAsync(service::call, this::thread);
			await().atMost(Duration.ofSeconds(5)).until(() -> script.invocations() == 1 && time.pendingTasks() > 0);
			assertThat(flaky.cooldownRemaining()).isZero();
			assertThat(flaky.snapshot().inFlight()).isZero();
			// the first backoff is at most initial-backoff; advanced in steps, since the
			// retry's timer is
			// registered by the caller's thread, which a single advance could overtake
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
				if (result.isDone()) {
					return true;
				}
				time.advance(Duration.ofMillis(50));
				return false;
			});
			assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("answer");
			assertThat(script.invocations()).isEqualTo(2);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void interruptDuringTheBackoffKeepsTheFlagAndReleasesEverything() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			WebClientResponseException overloaded = webClient(503, "overloaded");
			Script script = context.getBean(Script.class).failWith(overloaded);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			AtomicReference<Throwable> thrown = new AtomicReference<>();
			AtomicBoolean interruptFlag = new AtomicBoolean();
			Thread caller = new Thread(() -> {
				try {
					service.call();
				}
				catch (RuntimeException ex) {
					thrown.set(ex);
					interruptFlag.set(Thread.currentThread().isInterrupted());
				}
			}, "throttled-caller");
			caller.setDaemon(true);
			caller.start();
			await().atMost(Duration.ofSeconds(5)).until(() -> script.invocations() == 1 && time.pendingTasks() > 0);
			caller.interrupt();
			caller.join(5000);
			assertThat(thrown.get()).isInstanceOf(AdmissionInterruptedException.class)
				.hasCauseInstanceOf(InterruptedException.class)
				.hasMessageContaining("retry");
			assertThat(thrown.get().getSuppressed()).containsExactly(overloaded);
			assertThat(interruptFlag).isTrue();
			time.advance(Duration.ofSeconds(10));
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void enclosingMethodOfAnotherProviderDoesNotLearnFromTheInnerFailureAgain() {
		RetryingServices.runner().run((context) -> {
			OuterService outer = context.getBean(OuterService.class);
			WebClientResponseException last = webClient(429, RATE_LIMITED, "retry-after", "1");
			Script script = context.getBean(Script.class)
				.failWith(webClient(429, RATE_LIMITED, "retry-after", "1"),
						webClient(429, RATE_LIMITED, "retry-after", "1"), last);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			RecordingListener listener = context.getBean(RecordingListener.class);
			CompletableFuture<String> result = CompletableFuture.supplyAsync(outer::outer, this::thread);
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				time.advance(Duration.ofMillis(100));
				return result.isDone();
			});
			assertThat(result).failsWithin(Duration.ZERO).withThrowableThat().havingCause().isSameAs(last);
			assertThat(script.invocations()).isEqualTo(3);
			// the inner call learnt from each 429; the outer one (provider 'once') did
			// not learn from the last again
			assertThat(listener.rateLimited).hasValue(3);
			assertThat(partition(context, "once").cooldownRemaining()).isZero();
			assertNoPermitLeaked(partition(context, "flaky"));
			assertNoPermitLeaked(partition(context, "once"));
		});
	}

	@Test
	void exceptionsWithoutAResponseAreNotRetried() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			IllegalStateException plain = new IllegalStateException("not an HTTP failure");
			LlmProviderException fromFilter = new LlmProviderException("flaky", 401,
					dev.llmthrottle.protocol.ErrorCategory.NEVER_RETRY, "refused by the filter");
			Script script = context.getBean(Script.class).failWith(plain, fromFilter);
			Partition flaky = partition(context, "flaky");
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(service::call).isSameAs(plain);
			assertThatExceptionOfType(LlmProviderException.class).isThrownBy(service::call).isSameAs(fromFilter);
			assertThat(script.invocations()).isEqualTo(2);
			// nothing was refused: both keep their estimate
			assertThat(requests(flaky)).isEqualTo(2);
			assertThat(tokens(flaky)).isEqualTo(200);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void responseAlreadyHandledByTheHttpFilterIsNotFedBackNorRetried() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			WebClientResponseException gaveUp = webClient(429, RATE_LIMITED, "retry-after", "2",
					"X-Llm-Throttle-Attempts", "3");
			Script script = context.getBean(Script.class).failWith(gaveUp);
			RecordingListener listener = context.getBean(RecordingListener.class);
			Partition flaky = partition(context, "flaky");
			assertThatExceptionOfType(WebClientResponseException.class).isThrownBy(service::call).isSameAs(gaveUp);
			assertThat(script.invocations()).isOne();
			assertThat(listener.rateLimited).hasValue(0);
			assertThat(flaky.cooldownRemaining()).isZero();
			assertNoPermitLeaked(flaky);
		});
	}

	private void thread(Runnable runnable) {
		Thread thread = new Thread(runnable, "throttled-caller");
		thread.setDaemon(true);
		thread.start();
	}

}
