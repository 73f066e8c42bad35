package dev.llmthrottle.annotation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.annotation.RetryingServices.FlakyService;
import dev.llmthrottle.annotation.RetryingServices.Script;

import static dev.llmthrottle.annotation.RetryingServices.sdk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failure paths of the {@code @LlmThrottled} advisor, checked by the
 * {@link dev.llmthrottle.leaks.NoLeakedPermitsExtension no-leaked-permit extension}:
 * whatever the provider's hint, the caller gets an exception and the permit comes back.
 */
class AdvisorLeakTests {

	private static final Map<String, Object> RATE_LIMITED = Map.of("message", "Rate limit reached for requests", "type",
			"requests", "code", "rate_limit_exceeded");

	@Test
	void absurdRetryAfterOnARateLimitedSdkCall() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			context.getBean(Script.class).failWith(sdk(429, RATE_LIMITED, "Retry-After", "99999999999"));
			CompletableFuture<String> result = CompletableFuture.supplyAsync(service::call, this::thread);
			assertThat(result).failsWithin(Duration.ofSeconds(5));
		});
	}

	@Test
	void absurdRetryAfterMsOnARateLimitedSdkCall() {
		RetryingServices.runner().run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			context.getBean(Script.class).failWith(sdk(429, RATE_LIMITED, "retry-after-ms", "99999999999999"));
			CompletableFuture<String> result = CompletableFuture.supplyAsync(service::call, this::thread);
			assertThat(result).failsWithin(Duration.ofSeconds(5));
		});
	}

	private void thread(Runnable runnable) {
		Thread thread = new Thread(runnable, "throttled-caller");
		thread.setDaemon(true);
		thread.start();
	}

}
