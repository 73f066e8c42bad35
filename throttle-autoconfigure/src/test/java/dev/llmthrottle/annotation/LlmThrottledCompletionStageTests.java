package dev.llmthrottle.annotation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.annotation.ThrottledServices.ChatService;
import dev.llmthrottle.core.admission.Partition;

import static dev.llmthrottle.annotation.ThrottledServices.BOOM;
import static dev.llmthrottle.annotation.ThrottledServices.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code @LlmThrottled} on methods returning {@code CompletableFuture}: the method runs
 * when admitted, and the permit is held until the returned stage completes.
 */
class LlmThrottledCompletionStageTests {

	@Test
	void permitIsHeldUntilTheStageCompletes() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			Partition serial = partition(context, "serial");
			CompletableFuture<String> inner = new CompletableFuture<>();
			CompletableFuture<String> result = service.async(inner);
			assertThat(result).isNotDone();
			assertThat(serial.snapshot().inFlight()).isOne();
			inner.complete("answer");
			assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("answer");
			assertThat(serial.snapshot().inFlight()).isZero();
		});
	}

	@Test
	void secondCallIsInvokedWhenTheFirstReleases() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			Partition serial = partition(context, "serial");
			CompletableFuture<String> first = new CompletableFuture<>();
			CompletableFuture<String> second = new CompletableFuture<>();
			CompletableFuture<String> firstResult = service.async(first);
			CompletableFuture<String> secondResult = service.async(second);
			assertThat(serial.snapshot().queued()).isOne();
			first.complete("one");
			assertThat(firstResult.get(5, TimeUnit.SECONDS)).isEqualTo("one");
			await().atMost(Duration.ofSeconds(5)).until(() -> serial.snapshot().inFlight() == 1);
			assertThat(serial.snapshot().queued()).isZero();
			second.complete("two");
			assertThat(secondResult.get(5, TimeUnit.SECONDS)).isEqualTo("two");
			assertThat(serial.snapshot().inFlight()).isZero();
		});
	}

	@Test
	void failureReleasesAndPropagatesUnchanged() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			CompletableFuture<String> inner = new CompletableFuture<>();
			CompletableFuture<String> result = service.async(inner);
			inner.completeExceptionally(BOOM);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(5, TimeUnit.SECONDS))
				.withCause(BOOM);
			assertThat(partition(context, "serial").snapshot().inFlight()).isZero();
		});
	}

	@Test
	void cancellingWhileWaitingWithdrawsTheCaller() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			Partition serial = partition(context, "serial");
			CompletableFuture<String> first = new CompletableFuture<>();
			service.async(first);
			CompletableFuture<String> waiting = service.async(new CompletableFuture<>());
			assertThat(serial.snapshot().queued()).isOne();
			waiting.cancel(false);
			assertThat(serial.snapshot().queued()).isZero();
			first.complete("done");
			assertThat(serial.snapshot().inFlight()).isZero();
			assertThat(serial.snapshot().repeatedReleases()).isZero();
		});
	}

}
