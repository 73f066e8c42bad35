package dev.llmthrottle.annotation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.admission.Partition;

import static dev.llmthrottle.annotation.ThrottledServices.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @LlmThrottled(priority = ...)}: a waiting interactive call is invoked before
 * batch and default calls that queued earlier, and the provider's {@code min-share}
 * reaches the engine.
 */
class LlmThrottledPriorityTests {

	@Test
	void interactiveCallsAreInvokedBeforeEarlierQueuedOnes() {
		ThrottledServices.runner().withUserConfiguration(LanesConfig.class).run((context) -> {
			LanedService service = context.getBean(LanedService.class);
			Partition serial = partition(context, "serial");
			CompletableFuture<String> first = new CompletableFuture<>();
			CompletableFuture<String> batch = new CompletableFuture<>();
			CompletableFuture<String> normal = new CompletableFuture<>();
			CompletableFuture<String> interactive = new CompletableFuture<>();
			CompletableFuture<String> firstResult = service.normal("first", first);
			CompletableFuture<String> batchResult = service.batch("batch", batch);
			CompletableFuture<String> normalResult = service.normal("normal", normal);
			CompletableFuture<String> interactiveResult = service.interactive("interactive", interactive);
			assertThat(serial.snapshot().queued()).isEqualTo(3);
			first.complete("1");
			firstResult.get(5, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(5)).until(() -> service.invoked().size() == 2);
			interactive.complete("2");
			interactiveResult.get(5, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(5)).until(() -> service.invoked().size() == 3);
			normal.complete("3");
			normalResult.get(5, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(5)).until(() -> service.invoked().size() == 4);
			batch.complete("4");
			batchResult.get(5, TimeUnit.SECONDS);
			assertThat(service.invoked()).containsExactly("first", "interactive", "normal", "batch");
			assertThat(serial.snapshot().inFlight()).isZero();
		});
	}

	@Test
	void minShareIsAppliedToThePolicy() {
		ThrottledServices.runner()
			.withPropertyValues("llm.throttle.providers.serial.min-share=0.25")
			.run((context) -> assertThat(partition(context, "serial").policy().minShare()).isEqualTo(0.25));
		ThrottledServices.runner()
			.run((context) -> assertThat(partition(context, "serial").policy().minShare()).isEqualTo(0.1));
	}

	@Configuration(proxyBeanMethods = false)
	static class LanesConfig {

		@Bean
		LanedService lanedService() {
			return new LanedService();
		}

	}

	public static class LanedService {

		private final List<String> invoked = new CopyOnWriteArrayList<>();

		public List<String> invoked() {
			return this.invoked;
		}

		@LlmThrottled(provider = "serial", priority = Priority.INTERACTIVE)
		public CompletableFuture<String> interactive(String name, CompletableFuture<String> result) {
			this.invoked.add(name);
			return result;
		}

		@LlmThrottled(provider = "serial")
		public CompletableFuture<String> normal(String name, CompletableFuture<String> result) {
			this.invoked.add(name);
			return result;
		}

		@LlmThrottled(provider = "serial", priority = Priority.BATCH)
		public CompletableFuture<String> batch(String name, CompletableFuture<String> result) {
			this.invoked.add(name);
			return result;
		}

	}

}
