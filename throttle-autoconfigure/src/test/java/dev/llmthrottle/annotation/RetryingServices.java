package dev.llmthrottle.annotation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import com.openai.core.JsonValue;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.autoconfigure.aop.SdkStatusException;
import dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ThrottleListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Annotated beans on virtual time that fail the way provider calls fail, for the tests of
 * what {@code @LlmThrottled} learns from exceptions. Provider {@code flaky} (OpenAI
 * dialect) has room for 1,000 requests and 100,000 tokens a minute at once, reserves 100
 * output tokens per call, makes three attempts per call and honours hints up to 60 s;
 * provider {@code once} is the same with a single attempt.
 */
final class RetryingServices {

	private RetryingServices() {
	}

	static ApplicationContextRunner runner() {
		return new ApplicationContextRunner().withConfiguration(ThrottleAutoConfigurations.all())
			.withConfiguration(AutoConfigurations.of(LlmThrottleExchangeAutoConfiguration.class))
			.withUserConfiguration(Config.class)
			.withPropertyValues(provider("flaky", 3))
			.withPropertyValues(provider("once", 1));
	}

	private static String[] provider(String name, int maxAttempts) {
		String prefix = "llm.throttle.providers." + name + ".";
		return new String[] { prefix + "dialect=openai", prefix + "requests-per-minute=1000",
				prefix + "tokens-per-minute=100000", prefix + "default-output-tokens=100", prefix + "burst=1m",
				prefix + "max-wait=1h", prefix + "retry.max-attempts=" + maxAttempts,
				prefix + "retry.max-retry-after=60s" };
	}

	static Partition partition(ApplicationContext context, String provider) {
		return context.getBean(LlmThrottlers.class).get(provider).defaultPartition();
	}

	/** Requests counted against the partition's limits in the trailing window. */
	static long requests(Partition partition) {
		return used(partition, Dimension.REQUESTS);
	}

	/** Tokens counted against the partition's limits in the trailing window. */
	static long tokens(Partition partition) {
		return used(partition, Dimension.TOKENS);
	}

	private static long used(Partition partition, Dimension dimension) {
		return partition.snapshot()
			.limits()
			.stream()
			.filter((state) -> state.limit().dimension() == dimension)
			.mapToLong(PartitionSnapshot.LimitState::used)
			.sum();
	}

	/** Nothing held, nothing waiting, nothing released twice. */
	static void assertNoPermitLeaked(Partition partition) {
		PartitionSnapshot snapshot = partition.snapshot();
		assertThat(snapshot.inFlight()).as("in flight").isZero();
		assertThat(snapshot.queued()).as("queued").isZero();
		assertThat(snapshot.repeatedReleases()).as("repeated releases").isZero();
	}

	static WebClientResponseException webClient(int status, String body, String... headers) {
		return WebClientResponseException.create(status, "", springHeaders(headers),
				body.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
	}

	static HttpClientErrorException restClient(int status, String body, String... headers) {
		return HttpClientErrorException.create(HttpStatus.valueOf(status), "", springHeaders(headers),
				body.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
	}

	static SdkStatusException sdk(int status, Map<String, Object> body, String... headers) {
		return new SdkStatusException(status, SdkStatusException.sdkHeaders(headers), JsonValue.from(body));
	}

	private static HttpHeaders springHeaders(String... namesAndValues) {
		HttpHeaders headers = new HttpHeaders();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			headers.add(namesAndValues[i], namesAndValues[i + 1]);
		}
		return headers;
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		VirtualTimeSource virtualTime() {
			return new VirtualTimeSource();
		}

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

		@Bean
		Script script() {
			return new Script();
		}

		@Bean
		FlakyService flakyService(Script script) {
			return new FlakyService(script);
		}

		@Bean
		OuterService outerService(FlakyService flaky) {
			return new OuterService(flaky);
		}

	}

	/** Counts the feedback events the throttlers report. */
	static class RecordingListener implements ThrottleListener {

		final AtomicInteger cooldowns = new AtomicInteger();

		final AtomicInteger rateLimited = new AtomicInteger();

		final AtomicInteger retried = new AtomicInteger();

		@Override
		public void cooldown(String provider, String partition, Duration duration, String reason) {
			this.cooldowns.incrementAndGet();
		}

		@Override
		public void rateLimited(String provider, String partition, String limitType, Duration hint) {
			this.rateLimited.incrementAndGet();
		}

		@Override
		public void retried(String provider, String partition, int attempt, Duration backoff) {
			this.retried.incrementAndGet();
		}

	}

	/**
	 * The failures the next invocations throw, in order, and how many invocations there
	 * were.
	 */
	static class Script {

		private final Queue<RuntimeException> failures = new ConcurrentLinkedQueue<>();

		private final AtomicInteger invocations = new AtomicInteger();

		/** The next invocations fail with these, in order; later ones succeed. */
		Script failWith(RuntimeException... failures) {
			this.failures.addAll(java.util.List.of(failures));
			return this;
		}

		int invocations() {
			return this.invocations.get();
		}

		/**
		 * Counts an invocation and gives its failure, or {@code null} when it succeeds.
		 */
		RuntimeException invoked() {
			this.invocations.incrementAndGet();
			return this.failures.poll();
		}

	}

	/**
	 * Calls a {@code flaky} method from inside a method throttled by another provider.
	 */
	public static class OuterService {

		private final FlakyService flaky;

		public OuterService(FlakyService flaky) {
			this.flaky = flaky;
		}

		@LlmThrottled(provider = "once")
		public String outer() {
			return this.flaky.call();
		}

	}

	/** Methods of every shape that fail as scripted, then succeed. */
	public static class FlakyService {

		private final Script script;

		public FlakyService(Script script) {
			this.script = script;
		}

		@LlmThrottled(provider = "flaky")
		public String call() {
			RuntimeException failure = this.script.invoked();
			if (failure != null) {
				throw failure;
			}
			return "answer";
		}

		@LlmThrottled(provider = "once")
		public String callOnce() {
			return call();
		}

		@LlmThrottled(provider = "flaky")
		public String other() {
			return "other";
		}

		@LlmThrottled(provider = "flaky")
		public Mono<String> mono() {
			RuntimeException failure = this.script.invoked();
			return (failure != null) ? Mono.error(failure) : Mono.just("answer");
		}

		@LlmThrottled(provider = "flaky")
		public Flux<String> flux() {
			RuntimeException failure = this.script.invoked();
			return (failure != null) ? Flux.error(failure) : Flux.just("a", "b");
		}

		@LlmThrottled(provider = "flaky")
		public Flux<String> fluxFailingAfterFirst() {
			RuntimeException failure = this.script.invoked();
			return (failure != null) ? Flux.concat(Flux.just("a"), Flux.error(failure)) : Flux.just("a", "b");
		}

		@LlmThrottled(provider = "flaky")
		public CompletableFuture<String> async() {
			RuntimeException failure = this.script.invoked();
			return (failure != null) ? CompletableFuture.failedFuture(failure)
					: CompletableFuture.completedFuture("answer");
		}

	}

}
