package dev.llmthrottle.autoconfigure.sdk;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.AsyncStreamResponse;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;

import dev.llmthrottle.autoconfigure.sdk.anthropic.AnthropicSdkThrottle;
import dev.llmthrottle.autoconfigure.sdk.openai.OpenAiSdkThrottle;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.test.SimulatedProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real SDK clients (OkHttp transport) wrapped by the SDK adapter against a simulated
 * provider: one provider per fixture, its engine throttler, and the four ways a caller
 * sends (blocking or asynchronous, whole or streamed).
 */
final class SdkFixture {

	/** How a call is sent. */
	enum Mode {

		BLOCKING, BLOCKING_STREAM, ASYNC, ASYNC_STREAM

	}

	/** The API key both clients send: its partition is where the calls are admitted. */
	static final String KEY = "sk-sdk-fixture";

	final ProviderThrottler throttler;

	final SdkThrottle sdk;

	final CurrentAdmission currentAdmission = new CurrentAdmission();

	final SimulatedProvider simulator;

	SdkFixture(SimulatedProvider simulator, Dialect dialect, TimeSource time, RetryPolicy retry, List<Limit> limits,
			List<Limit> autoLimits) {
		this.simulator = simulator;
		this.throttler = new ProviderThrottler(
				new ThrottlePolicy("sim", limits, 8, Duration.ofMinutes(1), 1000, Duration.ZERO, 10, autoLimits), time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		LlmProvider provider = new LlmProvider("sim", dialect, List.of(URI.create(simulator.baseUrl())), retry, 64,
				this.throttler);
		this.sdk = new SdkThrottle(new LlmProviders(List.of(provider)),
				new ResponseFeedback(Clock.systemUTC(), new Random(7), ThrottleListener.NONE),
				new CostEstimator(new JtokkitTokenCounter(), 1.2), this.currentAdmission, time);
	}

	static RetryPolicy retries() {
		return new RetryPolicy(6, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(30), null);
	}

	OpenAIClient openAi() {
		return new OpenAiSdkThrottle(this.sdk)
			.throttle(OpenAIOkHttpClient.builder().baseUrl(this.simulator.baseUrl() + "/v1").apiKey(KEY).build());
	}

	AnthropicClient anthropic() {
		return new AnthropicSdkThrottle(this.sdk)
			.throttle(AnthropicOkHttpClient.builder().baseUrl(this.simulator.baseUrl()).apiKey(KEY).build());
	}

	static ChatCompletionCreateParams chat(boolean stream) {
		ChatCompletionCreateParams.Builder builder = ChatCompletionCreateParams.builder()
			.model(ChatModel.of("gpt-4o"))
			.maxCompletionTokens(40)
			.addUserMessage("Say hello in five words.");
		if (stream) {
			builder.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
		}
		return builder.build();
	}

	static MessageCreateParams message() {
		return MessageCreateParams.builder()
			.model(Model.of("claude-sonnet-4"))
			.maxTokens(40)
			.addUserMessage("Write a haiku about rate limits.")
			.build();
	}

	/** One OpenAI call in {@code mode}: the number of chunks or choices received. */
	static int call(OpenAIClient client, Mode mode) throws Exception {
		switch (mode) {
			case BLOCKING:
				return client.chat().completions().create(chat(false)).choices().size();
			case BLOCKING_STREAM:
				return streamOpenAi(client);
			case ASYNC:
				return client.async().chat().completions().create(chat(false)).get().choices().size();
			default:
				return streamOpenAiAsync(client);
		}
	}

	private static int streamOpenAi(OpenAIClient client) {
		try (com.openai.core.http.StreamResponse<ChatCompletionChunk> chunks = client.chat()
			.completions()
			.createStreaming(chat(true))) {
			return (int) chunks.stream().count();
		}
	}

	private static int streamOpenAiAsync(OpenAIClient client) throws Exception {
		int[] count = new int[1];
		client.async()
			.chat()
			.completions()
			.createStreaming(chat(true))
			.subscribe((chunk) -> count[0]++)
			.onCompleteFuture()
			.get();
		return count[0];
	}

	/** One Anthropic call in {@code mode}: the number of blocks or events received. */
	static int call(AnthropicClient client, Mode mode) throws Exception {
		switch (mode) {
			case BLOCKING:
				return client.messages().create(message()).content().size();
			case BLOCKING_STREAM:
				try (StreamResponse<RawMessageStreamEvent> events = client.messages().createStreaming(message())) {
					return (int) events.stream().count();
				}
			case ASYNC:
				return client.async().messages().create(message()).get().content().size();
			default:
				int[] count = new int[1];
				AsyncStreamResponse<RawMessageStreamEvent> events = client.async()
					.messages()
					.createStreaming(message());
				CompletableFuture<Void> done = events.subscribe((event) -> count[0]++).onCompleteFuture();
				done.get();
				return count[0];
		}
	}

	dev.llmthrottle.core.admission.Partition partition() {
		return this.throttler.partition(KEY);
	}

	void assertNothingHeld() {
		PartitionSnapshot snapshot = this.throttler.partition(KEY).snapshot();
		assertThat(snapshot.inFlight()).as("in flight").isZero();
		assertThat(snapshot.queued()).as("queued").isZero();
		assertThat(snapshot.repeatedReleases()).as("repeated releases").isZero();
	}

}
