package dev.llmthrottle.annotation;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.StopReason;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.metadata.EmptyUsage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics;
import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics.ProviderActivity;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Permit;

import static dev.llmthrottle.annotation.ThrottledServices.snapshot;
import static dev.llmthrottle.annotation.ThrottledServices.used;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @LlmThrottled} methods whose HTTP goes through none of the starter's adapters
 * settle from the usage their returned value carries (Spring AI's {@code ChatResponse},
 * anthropic-java's {@code Message}), for every return type: the statistics behind the
 * actuator's "estimated vs actual" and the partition's token window both hold the
 * provider's count. A value without usage keeps the estimate; usage an HTTP adapter
 * reported wins over the returned value's.
 */
class LlmThrottledReturnedUsageTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	/** The estimate of every call on {@code reserve}: its 100 default output tokens. */
	private static final Map<String, Long> ESTIMATE = Map.of("input-tokens", 0L, "output-tokens", 100L);

	private static final Map<String, Long> REPORTED = Map.of("input-tokens", 42L, "output-tokens", 7L);

	private static ApplicationContextRunner runner() {
		return ThrottledServices.runner().withUserConfiguration(UsageConfig.class);
	}

	@Test
	void blockingChatResponseSettlesToItsUsage() {
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			assertThat(service.chat(usage(42, 7)).getResult().getOutput().getText()).isEqualTo("hello");
			assertSettledTo(context, REPORTED);
			assertThat(used(snapshot(context, "reserve"))).isEqualTo(49);
		});
	}

	@Test
	void blockingAnthropicMessageSettlesWithCacheWritesCountedAsInput() {
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			service.message(100, 40, 2000);
			assertSettledTo(context, Map.of("input-tokens", 2100L, "output-tokens", 40L));
		});
	}

	@Test
	void completionStageSettlesToTheUsageOfItsValue() {
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			assertThat(service.chatLater(usage(42, 7)).toCompletableFuture().get(5, TimeUnit.SECONDS)).isNotNull();
			assertSettledTo(context, REPORTED);
		});
	}

	@Test
	void monoSettlesToTheUsageOfItsValue() {
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			StepVerifier.create(service.messageMono(42, 7)).expectNextCount(1).expectComplete().verify(TIMEOUT);
			assertSettledTo(context, REPORTED);
		});
	}

	@Test
	void fluxSettlesToTheLastUsageItsChunksCarried() {
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			StepVerifier
				.create(service
					.stream(List.of(new EmptyUsage(), usage(42, 1), new EmptyUsage(), usage(42, 7), new EmptyUsage())))
				.expectNextCount(5)
				.expectComplete()
				.verify(TIMEOUT);
			assertSettledTo(context, REPORTED);
			assertThat(used(snapshot(context, "reserve"))).isEqualTo(49);
		});
	}

	@Test
	void fluxWithoutUsageKeepsTheEstimate() {
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			StepVerifier.create(service.stream(List.of(new EmptyUsage(), new EmptyUsage())))
				.expectNextCount(2)
				.expectComplete()
				.verify(TIMEOUT);
			assertEstimateKept(context);
		});
	}

	@Test
	void valueWithoutUsageKeepsTheEstimate() {
		// the differential check: the same call, the same value type, only the usage
		// differs
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			service.chat(new EmptyUsage());
			service.plain();
			assertEstimateKept(context);
			assertThat(activity(context).released()).isEqualTo(2);
			assertThat(used(snapshot(context, "reserve"))).isEqualTo(200);
		});
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			service.chat(usage(42, 7));
			service.chat(usage(42, 7));
			assertThat(used(snapshot(context, "reserve"))).isEqualTo(98);
		});
	}

	@Test
	void usageAnHttpAdapterReportedWinsOverTheReturnedValue() {
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			service.chatAfterAdapterReported(Cost.of(900, 90), usage(42, 7));
			assertSettledTo(context, Map.of("input-tokens", 900L, "output-tokens", 90L));
		});
	}

	@Test
	void usageAnHttpAdapterReportedWinsInAStreamToo() {
		runner().run((context) -> {
			UsageService service = context.getBean(UsageService.class);
			StepVerifier.create(service.streamAfterAdapterReported(Cost.of(900, 90), usage(42, 7)))
				.expectNextCount(1)
				.expectComplete()
				.verify(TIMEOUT);
			assertSettledTo(context, Map.of("input-tokens", 900L, "output-tokens", 90L));
		});
	}

	@Test
	void nestedMethodOfTheSamePartitionReportsItsUsageToTheOuterCall() {
		runner().run((context) -> {
			OuterUsageService outer = context.getBean(OuterUsageService.class);
			assertThat(outer.ask()).isEqualTo("hello");
			assertThat(activity(context).admitted()).isOne();
			assertSettledTo(context, REPORTED);
		});
	}

	private static void assertSettledTo(ApplicationContext context, Map<String, Long> actual) {
		ProviderActivity activity = activity(context);
		assertThat(activity.released()).isOne();
		assertThat(activity.settled()).isOne();
		assertThat(activity.estimatedTokens()).isEqualTo(ESTIMATE);
		assertThat(activity.actualTokens()).isEqualTo(actual);
		assertThat(snapshot(context, "reserve").inFlight()).isZero();
	}

	private static void assertEstimateKept(ApplicationContext context) {
		ProviderActivity activity = activity(context);
		assertThat(activity.released()).isPositive();
		assertThat(activity.settled()).isZero();
		assertThat(activity.actualTokens()).isEqualTo(Map.of("input-tokens", 0L, "output-tokens", 0L));
		assertThat(used(snapshot(context, "reserve"))).isEqualTo(100 * activity.released());
		assertThat(snapshot(context, "reserve").inFlight()).isZero();
	}

	private static ProviderActivity activity(ApplicationContext context) {
		return context.getBean(ThrottleStatistics.class).activity("reserve");
	}

	static DefaultUsage usage(int prompt, int completion) {
		return new DefaultUsage(prompt, completion);
	}

	static ChatResponse response(Usage usage) {
		return new ChatResponse(List.of(new Generation(new AssistantMessage("hello"))),
				ChatResponseMetadata.builder().usage(usage).build());
	}

	static Message message(long input, long output, long cacheCreation) {
		return Message.builder()
			.id("msg_1")
			.content(List.of())
			.model("claude-sonnet-4-5")
			.stopReason(StopReason.END_TURN)
			.stopSequence(Optional.empty())
			.container(Optional.empty())
			.stopDetails(Optional.empty())
			.diagnostics(Optional.empty())
			.usage(com.anthropic.models.messages.Usage.builder()
				.inputTokens(input)
				.outputTokens(output)
				.cacheCreationInputTokens(cacheCreation)
				.cacheReadInputTokens(Optional.empty())
				.cacheCreation(Optional.empty())
				.inferenceGeo(Optional.empty())
				.outputTokensDetails(Optional.empty())
				.serverToolUse(Optional.empty())
				.serviceTier(Optional.empty())
				.speed(Optional.empty())
				.build())
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	static class UsageConfig {

		@Bean
		ThrottleStatistics throttleStatistics() {
			return new ThrottleStatistics(Clock.systemUTC());
		}

		@Bean
		UsageService usageService(CurrentAdmission currentAdmission) {
			return new UsageService(currentAdmission);
		}

		@Bean
		OuterUsageService outerUsageService(UsageService inner) {
			return new OuterUsageService(inner);
		}

	}

	/** Methods returning the client libraries' response types, on {@code reserve}. */
	public static class UsageService {

		private final CurrentAdmission currentAdmission;

		public UsageService(CurrentAdmission currentAdmission) {
			this.currentAdmission = currentAdmission;
		}

		@LlmThrottled(provider = "reserve")
		public ChatResponse chat(Usage usage) {
			return response(usage);
		}

		@LlmThrottled(provider = "reserve")
		public String plain() {
			return "no usage in here";
		}

		@LlmThrottled(provider = "reserve")
		public Message message(long input, long output, long cacheCreation) {
			return LlmThrottledReturnedUsageTests.message(input, output, cacheCreation);
		}

		@LlmThrottled(provider = "reserve")
		public CompletionStage<ChatResponse> chatLater(Usage usage) {
			return CompletableFuture.supplyAsync(() -> response(usage));
		}

		@LlmThrottled(provider = "reserve")
		public Mono<Message> messageMono(long input, long output) {
			return Mono.fromSupplier(() -> LlmThrottledReturnedUsageTests.message(input, output, 0));
		}

		@LlmThrottled(provider = "reserve")
		public Flux<ChatResponse> stream(List<Usage> chunks) {
			return Flux.fromIterable(chunks).map(LlmThrottledReturnedUsageTests::response);
		}

		/** What an HTTP filter underneath does: reports the usage it read. */
		@LlmThrottled(provider = "reserve")
		public ChatResponse chatAfterAdapterReported(Cost reported, Usage usage) {
			this.currentAdmission.get().reportActual(reported);
			return response(usage);
		}

		@LlmThrottled(provider = "reserve")
		public Flux<ChatResponse> streamAfterAdapterReported(Cost reported, Usage usage) {
			return Flux.deferContextual((context) -> {
				context.<Permit>get(CurrentAdmission.CONTEXT_KEY).reportActual(reported);
				return Flux.just(response(usage));
			});
		}

	}

	/** An annotated method calling another of the same provider and returning text. */
	public static class OuterUsageService {

		private final UsageService inner;

		public OuterUsageService(UsageService inner) {
			this.inner = inner;
		}

		@LlmThrottled(provider = "reserve")
		public String ask() {
			return this.inner.chat(usage(42, 7)).getResult().getOutput().getText();
		}

	}

}
