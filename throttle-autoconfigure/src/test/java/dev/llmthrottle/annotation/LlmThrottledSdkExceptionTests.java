package dev.llmthrottle.annotation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.autoconfigure.aop.SdkStatusException;
import dev.llmthrottle.annotation.RetryingServices.FlakyService;
import dev.llmthrottle.annotation.RetryingServices.Script;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.exchange.LlmProviderException;
import dev.llmthrottle.protocol.ErrorCategory;

import static dev.llmthrottle.annotation.RetryingServices.assertNoPermitLeaked;
import static dev.llmthrottle.annotation.RetryingServices.partition;
import static dev.llmthrottle.annotation.RetryingServices.sdk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The official SDKs' service exceptions are recognised by class name and read
 * reflectively (a test stand-in for openai-java's {@code OpenAIServiceException} with the
 * same public methods lives in the test sources): their headers drive the cooldown and
 * their JSON body the classification.
 */
class LlmThrottledSdkExceptionTests {

	private static final Map<String, Object> RATE_LIMITED = Map.of("message", "Rate limit reached for requests", "type",
			"requests", "code", "rate_limit_exceeded");

	@Test
	void sdkRateLimitIsRetriedAfterTheHintedCooldown() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class).failWith(sdk(429, RATE_LIMITED, "Retry-After-Ms", "1500"));
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition flaky = partition(context, "flaky");
			CompletableFuture<String> result = CompletableFuture.supplyAsync(service::call, this::thread);
			await().atMost(Duration.ofSeconds(5)).until(() -> flaky.snapshot().queued() == 1);
			time.advance(Duration.ofMillis(1400));
			assertThat(result).isNotDone();
			time.advance(Duration.ofMillis(100));
			assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("answer");
			assertThat(script.invocations()).isEqualTo(2);
			assertNoPermitLeaked(flaky);
		});
	}

	@Test
	void sdkBodyIsReadAsJsonSoThatQuotaExhaustionIsNeverRetried() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			SdkStatusException noQuota = sdk(429, Map.of("message", "You exceeded your current quota", "type",
					"insufficient_quota", "code", "insufficient_quota"));
			Script script = context.getBean(Script.class).failWith(noQuota);
			// the real SDK's first conversion of a body loads its Jackson and Kotlin
			// machinery (seconds on a loaded machine): not what is timed here
			noQuota.body().convert(Object.class);
			// on a separate thread: were the body misread, the call would wait for a
			// retry that never comes
			CompletableFuture<String> result = CompletableFuture.supplyAsync(service::call, this::thread);
			assertThat(result).failsWithin(Duration.ofSeconds(30))
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(LlmProviderException.class,
						(ex) -> assertThat(ex.category()).isEqualTo(ErrorCategory.NEVER_RETRY))
				.withMessageContaining("You exceeded your current quota")
				.withCause(noQuota);
			assertThat(script.invocations()).isOne();
			assertNoPermitLeaked(partition(context, "flaky"));
		});
	}

	@Test
	void sdkFailureOfAnAsyncClientIsLookedThrough() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			Script script = context.getBean(Script.class)
				.failWith(new CompletionException(sdk(401, Map.of("message", "Incorrect API key provided"))));
			CompletableFuture<String> result = service.async();
			assertThat(result).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(LlmProviderException.class)
				.withCauseInstanceOf(CompletionException.class);
			assertThat(script.invocations()).isOne();
		});
	}

	private void thread(Runnable runnable) {
		Thread thread = new Thread(runnable, "throttled-caller");
		thread.setDaemon(true);
		thread.start();
	}

}
