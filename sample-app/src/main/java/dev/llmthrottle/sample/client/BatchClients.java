package dev.llmthrottle.sample.client;

import java.util.concurrent.Callable;

import com.openai.client.OpenAIClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.llmthrottle.sample.SampleProperties;
import dev.llmthrottle.sample.SampleProperties.Client;

/**
 * The batch's call through the client {@code sample.client} selects. The reactive
 * WebClient path is the annotated {@link ThrottledChat}; the blocking clients
 * (RestClient, Spring AI's {@code ChatModel}, openai-java's {@code OpenAIClient}) are
 * called as an application calls them, without an annotation, each call on a thread of
 * its own so that the batch's concurrency is the same on every path.
 */
@Component
public class BatchClients {

	private final SampleProperties properties;

	private final ThrottledChat throttled;

	private final ChatClient http;

	private final ObjectProvider<ChatModel> chatModel;

	private final ObjectProvider<OpenAIClient> openAiClient;

	public BatchClients(SampleProperties properties, ThrottledChat throttled, ChatClient http,
			ObjectProvider<ChatModel> chatModel, ObjectProvider<OpenAIClient> openAiClient) {
		this.properties = properties;
		this.throttled = throttled;
		this.http = http;
		this.chatModel = chatModel;
		this.openAiClient = openAiClient;
	}

	/**
	 * The batch's calls to {@code endpoint}, at most {@code concurrency} at once; close
	 * it when the batch is done.
	 * @throws IllegalStateException when the client cannot call that provider (an SDK of
	 * the OpenAI dialect for an Anthropic provider) or is not configured
	 */
	public Caller caller(ProviderEndpoint endpoint, int concurrency) {
		Client client = this.properties.client();
		if (client == Client.WEBCLIENT) {
			return new Caller(client, (prompt) -> this.throttled.complete(endpoint, prompt), null);
		}
		if ((client == Client.SPRING_AI || client == Client.OPENAI_JAVA) && endpoint.isAnthropic()) {
			throw new IllegalStateException("sample.client=" + client.id() + " calls the OpenAI API, but provider '"
					+ endpoint.name() + "' speaks the anthropic dialect: choose an openai provider "
					+ "(sample.batch.provider) or client webclient or restclient");
		}
		Scheduler threads = Schedulers.newBoundedElastic(Math.max(1, concurrency), Integer.MAX_VALUE,
				"batch-" + client.id());
		return switch (client) {
			case RESTCLIENT ->
				blocking(client, threads, (prompt, trace) -> () -> this.http.completeBlocking(endpoint, prompt, trace));
			case SPRING_AI -> {
				SpringAiChat chat = new SpringAiChat(required(this.chatModel.getIfAvailable(), client));
				yield blocking(client, threads,
						(prompt, trace) -> () -> CallerSideTrace.call(trace, () -> chat.complete(endpoint, prompt)));
			}
			case OPENAI_JAVA -> {
				OpenAiJavaChat chat = new OpenAiJavaChat(required(this.openAiClient.getIfAvailable(), client));
				yield blocking(client, threads,
						(prompt, trace) -> () -> CallerSideTrace.call(trace, () -> chat.complete(endpoint, prompt)));
			}
			default -> throw new IllegalStateException("unexpected client " + client);
		};
	}

	private static <T> T required(T bean, Client client) {
		if (bean == null) {
			throw new IllegalStateException("sample.client=" + client.id() + " but its client bean is missing");
		}
		return bean;
	}

	private static Caller blocking(Client client, Scheduler threads, BlockingCall call) {
		return new Caller(client, (prompt) -> Mono.deferContextual((context) -> {
			CallTrace trace = context.getOrDefault(CallTrace.CONTEXT_KEY, null);
			return Mono.fromCallable(call.of(prompt, trace)).subscribeOn(threads);
		}), threads);
	}

	/** A blocking call of one prompt, traced in {@code trace} (may be {@code null}). */
	private interface BlockingCall {

		Callable<Completion> of(Prompt prompt, CallTrace trace);

	}

	/** The batch's call through one client. */
	public static final class Caller implements AutoCloseable {

		private final Client client;

		private final java.util.function.Function<Prompt, Mono<Completion>> call;

		private final Scheduler threads;

		Caller(Client client, java.util.function.Function<Prompt, Mono<Completion>> call, Scheduler threads) {
			this.client = client;
			this.call = call;
			this.threads = threads;
		}

		/** The client, as written on the command line. */
		public String client() {
			return this.client.id();
		}

		/**
		 * Whether every HTTP attempt is recorded as it leaves (WebClient, RestClient),
		 * rather than one attempt per call seen from the caller's side (the SDKs' own
		 * OkHttp clients).
		 */
		public boolean seesTheWire() {
			return this.client == Client.WEBCLIENT || this.client == Client.RESTCLIENT;
		}

		/** One completion. */
		public Mono<Completion> complete(Prompt prompt) {
			return this.call.apply(prompt);
		}

		@Override
		public void close() {
			if (this.threads != null) {
				this.threads.dispose();
			}
		}

	}

}
