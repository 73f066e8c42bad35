package dev.llmthrottle.annotation;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;

/**
 * Annotated beans on virtual time for the {@code @LlmThrottled} tests, and the providers
 * they use:
 * <ul>
 * <li>{@code serial}: one call at a time, no rate limit;</li>
 * <li>{@code paced}: 60 requests per minute, strictly paced, so one per second;</li>
 * <li>{@code strict}: 1 request per minute and no waiting;</li>
 * <li>{@code wide}: ten calls at a time;</li>
 * <li>{@code tokens}: 1,000 tokens per minute with a one-minute burst, so nothing waits
 * below that;</li>
 * <li>{@code reserve}: like {@code tokens} plus 100 default output tokens.</li>
 * </ul>
 */
final class ThrottledServices {

	static final RuntimeException BOOM = new IllegalStateException("boom");

	private ThrottledServices() {
	}

	static ApplicationContextRunner runner() {
		return new ApplicationContextRunner().withConfiguration(ThrottleAutoConfigurations.all())
			.withUserConfiguration(Config.class)
			.withPropertyValues("llm.throttle.providers.serial.max-concurrent=1",
					"llm.throttle.providers.serial.max-wait=1h", "llm.throttle.providers.paced.requests-per-minute=60",
					"llm.throttle.providers.paced.max-wait=1h", "llm.throttle.providers.strict.requests-per-minute=1",
					"llm.throttle.providers.strict.max-wait=0s", "llm.throttle.providers.wide.max-concurrent=10",
					"llm.throttle.providers.tokens.tokens-per-minute=1000", "llm.throttle.providers.tokens.burst=1m",
					"llm.throttle.providers.reserve.tokens-per-minute=1000",
					"llm.throttle.providers.reserve.default-output-tokens=100",
					"llm.throttle.providers.reserve.burst=1m");
	}

	static Partition partition(org.springframework.context.ApplicationContext context, String provider) {
		return context.getBean(LlmThrottlers.class).get(provider).defaultPartition();
	}

	static PartitionSnapshot snapshot(org.springframework.context.ApplicationContext context, String provider) {
		return partition(context, provider).snapshot();
	}

	static long used(PartitionSnapshot snapshot) {
		return snapshot.limits().stream().mapToLong(PartitionSnapshot.LimitState::used).sum();
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		VirtualTimeSource virtualTime() {
			return new VirtualTimeSource();
		}

		@Bean
		ChatService chatService(CurrentAdmission currentAdmission) {
			return new ChatService(currentAdmission);
		}

		@Bean
		OuterService outerService(ChatService chat) {
			return new OuterService(chat);
		}

		@Bean
		WholeClassService wholeClassService(CurrentAdmission currentAdmission) {
			return new WholeClassService(currentAdmission);
		}

	}

	/** Throttled methods of every shape. */
	public static class ChatService {

		final AtomicInteger inside = new AtomicInteger();

		final AtomicInteger maxInside = new AtomicInteger();

		private final CurrentAdmission currentAdmission;

		public ChatService(CurrentAdmission currentAdmission) {
			this.currentAdmission = currentAdmission;
		}

		/**
		 * Most callers ever inside {@link #hold} at once (a method: fields of the proxy
		 * are not the target's).
		 */
		public int maxInside() {
			return this.maxInside.get();
		}

		@LlmThrottled(provider = "serial")
		public String hold(CountDownLatch entered, CountDownLatch leave) throws InterruptedException {
			this.maxInside.accumulateAndGet(this.inside.incrementAndGet(), Math::max);
			try {
				entered.countDown();
				if (!leave.await(10, TimeUnit.SECONDS)) {
					throw new IllegalStateException("never told to leave");
				}
				return "held";
			}
			finally {
				this.inside.decrementAndGet();
			}
		}

		@LlmThrottled(provider = "paced")
		public String paced(String prompt) {
			return prompt + (this.currentAdmission.get() != null ? " (admitted)" : " (not admitted)");
		}

		@LlmThrottled(provider = "serial")
		public String throwing() throws IOException {
			throw new IOException("disk on fire");
		}

		@LlmThrottled(provider = "serial")
		public String nested() {
			return "nested";
		}

		@LlmThrottled(provider = "paced")
		public Mono<String> mono(String prompt) {
			return Mono.just(prompt);
		}

		@LlmThrottled(provider = "paced")
		public Mono<Boolean> seesPermitInContext() {
			return Mono.deferContextual((context) -> Mono.just(context.hasKey(CurrentAdmission.CONTEXT_KEY)));
		}

		@LlmThrottled(provider = "paced")
		public Mono<String> never() {
			return Mono.never();
		}

		@LlmThrottled(provider = "paced")
		public Mono<String> failing() {
			return Mono.error(BOOM);
		}

		@LlmThrottled(provider = "paced")
		public Mono<String> failingOnAssembly() {
			throw BOOM;
		}

		@LlmThrottled(provider = "serial")
		public Flux<Integer> stream(Flux<Integer> source) {
			return source;
		}

		@LlmThrottled(provider = "serial")
		public CompletableFuture<String> async(CompletableFuture<String> result) {
			return result;
		}

		@LlmThrottled(provider = "strict")
		public CompletableFuture<String> strictAsync() {
			return CompletableFuture.completedFuture("ok");
		}

		@LlmThrottled(provider = "strict")
		public Mono<String> strictMono() {
			return Mono.just("ok");
		}

		@LlmThrottled(provider = "wide", key = "#tenant")
		public String keyed(String tenant) {
			return tenant;
		}

		@LlmThrottled(provider = "wide", key = "#p0.name")
		public String keyedByProperty(Tenant tenant) {
			return tenant.getName();
		}

		@LlmThrottled(provider = "tokens", tokens = "#prompt.length()")
		public String tokens(String prompt) {
			return prompt;
		}

		@LlmThrottled(provider = "tokens", tokens = "#a1 * 1.5")
		public String tokensByIndex(String prompt, int estimate) {
			return prompt;
		}

		@LlmThrottled(provider = "tokens", tokens = "#prompt")
		public String tokensNotANumber(String prompt) {
			return prompt;
		}

		@LlmThrottled(provider = "tokens", tokens = "#estimate")
		public String tokensNegative(int estimate) {
			return "never";
		}

		@LlmThrottled(provider = "tokens", tokens = "#estimate")
		public Mono<String> tokensNegativeMono(int estimate) {
			return Mono.just("never");
		}

		@LlmThrottled(provider = "reserve")
		public String reserve() {
			return "reserved";
		}

	}

	/** A tenant with a readable property, for key expressions. */
	public static class Tenant {

		private final String name;

		public Tenant(String name) {
			this.name = name;
		}

		public String getName() {
			return this.name;
		}

	}

	/**
	 * Calls a throttled method of the same partition from inside its own throttled
	 * method.
	 */
	public static class OuterService {

		private final ChatService chat;

		public OuterService(ChatService chat) {
			this.chat = chat;
		}

		@LlmThrottled(provider = "serial")
		public String outer() {
			return "outer+" + this.chat.nested();
		}

	}

	/** Annotated at class level: every public method is throttled. */
	@LlmThrottled(provider = "paced")
	public static class WholeClassService {

		private final CurrentAdmission currentAdmission;

		public WholeClassService(CurrentAdmission currentAdmission) {
			this.currentAdmission = currentAdmission;
		}

		public boolean admitted() {
			return this.currentAdmission.get() != null;
		}

	}

}
