package dev.llmthrottle.sample;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sample, bound from {@code sample.*}. Everything under
 * {@code llm.throttle.*} is the starter's.
 *
 * @param batch Batch job.
 * @param simulated In-process simulated provider(s).
 * @param demo Blocking, Mono and Flux demo calls.
 * @param client Client the batch calls through: webclient ({@code @LlmThrottled} around a
 * WebClient call), restclient (a RestClient call, throttled by the starter's
 * interceptor), spring-ai (Spring AI's OpenAI chat model) or openai-java (an
 * {@code OpenAIClient} on openai-java's OkHttp client); the last two need an
 * OpenAI-dialect provider.
 */
@ConfigurationProperties("sample")
public record SampleProperties(@DefaultValue Batch batch, @DefaultValue Simulated simulated, @DefaultValue Demo demo,
		@DefaultValue("webclient") Client client) {

	/** The client the batch calls through. */
	public enum Client {

		/**
		 * {@code @LlmThrottled} around a reactive WebClient call (the starter's filter
		 * underneath).
		 */
		WEBCLIENT,

		/** A blocking RestClient call, throttled by the starter's interceptor alone. */
		RESTCLIENT,

		/** Spring AI's OpenAI {@code ChatModel}, no annotation. */
		SPRING_AI,

		/** openai-java's {@code OpenAIClient} (OkHttp), no annotation. */
		OPENAI_JAVA;

		/** The value as written on the command line. */
		public String id() {
			return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		}

	}

	/**
	 * The batch job.
	 *
	 * @param enabled Whether to run the batch at startup.
	 * @param count Number of prompts to send; the dataset is cycled when it has fewer.
	 * @param input JSONL dataset of prompts, a Spring resource location.
	 * @param output Results file (one JSON line per prompt); the timeline chart
	 * {@code timeline.svg} is written beside it.
	 * @param provider Configured provider ({@code llm.throttle.providers.<name>}) the
	 * batch calls.
	 * @param model Model name sent in each request; when unset, a small model of the
	 * provider's dialect.
	 * @param concurrency Calls the client submits at once; the throttler decides when
	 * each is sent.
	 * @param progressInterval Time between two progress lines.
	 * @param exit Whether to exit when the batch is done, with code 0 only when no call
	 * failed.
	 */
	public record Batch(@DefaultValue("true") boolean enabled, @DefaultValue("300") int count,
			@DefaultValue("classpath:prompts.jsonl") String input,
			@DefaultValue("target/sample-output/results.jsonl") String output,
			@DefaultValue("openai-sim") String provider, String model, @DefaultValue("64") int concurrency,
			@DefaultValue("5s") Duration progressInterval, @DefaultValue("true") boolean exit) {
	}

	/**
	 * The simulated provider(s) from {@code llm-throttle-test}, started on free loopback
	 * ports before the throttler is configured; each listed provider's {@code base-url}
	 * is pointed at its simulator, which enforces that provider's configured limits
	 * (unless {@code limits} says otherwise).
	 *
	 * @param enabled Whether to simulate; when false the providers' configured
	 * {@code base-url}s are called with the key from {@code OPENAI_API_KEY} or
	 * {@code ANTHROPIC_API_KEY}.
	 * @param providers Configured providers to simulate.
	 * @param model How the simulator enforces limits: quantized, token-bucket,
	 * sliding-window or fixed-window.
	 * @param limits Limits the simulator enforces instead of the provider's configured
	 * ones, in the form {@code requests:240/1m}; empty to enforce exactly what the
	 * throttler is configured with.
	 * @param latency Fixed part of each response's latency.
	 * @param latencyPerToken Latency added per generated output token.
	 * @param latencyJitter Upper bound of a random latency added to each response.
	 * @param faultRate Share of admitted requests answered with a server error (500 or
	 * 503; Anthropic 500 or 529).
	 * @param seed Seed of every random choice the simulator makes.
	 * @param warmUpRequests Requests sent to the batch's simulator, unthrottled, before
	 * the batch starts (then its counters are reset): the simulator shares this JVM, and
	 * its first requests would otherwise reach it late, bunched together, while its own
	 * code is still cold; 0 to measure the cold start too.
	 */
	public record Simulated(@DefaultValue("true") boolean enabled, @DefaultValue( {
			"openai-sim", "anthropic-sim" }) List<String> providers, @DefaultValue("quantized") String model,
			@DefaultValue List<String> limits, @DefaultValue("300ms") Duration latency,
			@DefaultValue("3ms") Duration latencyPerToken, @DefaultValue("200ms") Duration latencyJitter,
			@DefaultValue("0") double faultRate, @DefaultValue("42") long seed, @DefaultValue("16") int warmUpRequests){
	}

	/**
	 * The demo calls.
	 *
	 * @param enabled Whether to make one blocking, one Mono and one streamed call at
	 * startup and log them.
	 */
	public record Demo(@DefaultValue("false") boolean enabled) {
	}

}
