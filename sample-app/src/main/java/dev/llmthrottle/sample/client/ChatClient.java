package dev.llmthrottle.sample.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Plain HTTP calls to an OpenAI-style ({@code /v1/chat/completions}) or Anthropic-style
 * ({@code /v1/messages}) endpoint, reactive through a {@link WebClient} or blocking
 * through a {@link RestClient}. Not throttled by itself: callers go through the
 * {@code @LlmThrottled} services, and the starter's filter and interceptor, which Boot
 * adds to the injected builders, handle 429s, retries and header feedback.
 */
@Component
public class ChatClient {

	private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENTS = new ParameterizedTypeReference<>() {
	};

	private final WebClient webClient;

	private final WebClient unthrottled;

	private final RestClient restClient;

	private final RestWireTap restTap = new RestWireTap();

	private final JsonMapper json;

	public ChatClient(WebClient.Builder webClientBuilder, RestClient.Builder restClientBuilder, JsonMapper json) {
		// The builder already carries the starter's filter; the tap is added last so that
		// it runs innermost.
		this.unthrottled = webClientBuilder.clone().filters(List::clear).build();
		this.webClient = webClientBuilder.filter(new WireTap()).build();
		this.restClient = restClientBuilder.requestInterceptor(this.restTap).build();
		this.json = json;
	}

	/**
	 * One completion that no throttler sees: only for warming up an in-process simulated
	 * provider (whose counters are reset afterwards), never for a real one.
	 */
	public Mono<Completion> completeUnthrottled(ProviderEndpoint endpoint, Prompt prompt) {
		return this.unthrottled.post()
			.uri(endpoint.completionsUri())
			.contentType(MediaType.APPLICATION_JSON)
			.headers((headers) -> authenticate(endpoint, headers))
			.bodyValue(body(endpoint, prompt, false))
			.retrieve()
			.bodyToMono(JsonNode.class)
			.map((body) -> endpoint.isAnthropic() ? anthropicCompletion(body) : openAiCompletion(body));
	}

	/** One completion, blocking the calling thread. */
	public Completion completeBlocking(ProviderEndpoint endpoint, Prompt prompt) {
		JsonNode body = this.restClient.post()
			.uri(endpoint.completionsUri())
			.contentType(MediaType.APPLICATION_JSON)
			.headers((headers) -> authenticate(endpoint, headers))
			.body(body(endpoint, prompt, false))
			.retrieve()
			.body(JsonNode.class);
		return endpoint.isAnthropic() ? anthropicCompletion(body) : openAiCompletion(body);
	}

	/**
	 * One completion, blocking the calling thread, with its attempts (the starter
	 * interceptor's retries included) recorded in {@code trace} when it is not
	 * {@code null}.
	 */
	public Completion completeBlocking(ProviderEndpoint endpoint, Prompt prompt, CallTrace trace) {
		return (trace != null) ? this.restTap.trace(trace, () -> completeBlocking(endpoint, prompt))
				: completeBlocking(endpoint, prompt);
	}

	/** One non-streamed completion. */
	public Mono<Completion> complete(ProviderEndpoint endpoint, Prompt prompt) {
		return request(endpoint, prompt, false).retrieve()
			.bodyToMono(JsonNode.class)
			.map((body) -> endpoint.isAnthropic() ? anthropicCompletion(body) : openAiCompletion(body));
	}

	/** One streamed completion: the text as it is generated. */
	public Flux<String> stream(ProviderEndpoint endpoint, Prompt prompt) {
		return request(endpoint, prompt, true).accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(EVENTS)
			.mapNotNull(ServerSentEvent::data)
			.takeWhile((data) -> !"[DONE]".equals(data))
			.mapNotNull((data) -> deltaText(endpoint, this.json.readTree(data)));
	}

	private WebClient.RequestHeadersSpec<?> request(ProviderEndpoint endpoint, Prompt prompt, boolean stream) {
		return this.webClient.post()
			.uri(endpoint.completionsUri())
			.contentType(MediaType.APPLICATION_JSON)
			.headers((headers) -> authenticate(endpoint, headers))
			.bodyValue(body(endpoint, prompt, stream));
	}

	private static void authenticate(ProviderEndpoint endpoint, HttpHeaders headers) {
		if (endpoint.isAnthropic()) {
			headers.set("x-api-key", endpoint.apiKey());
			headers.set("anthropic-version", "2023-06-01");
		}
		else {
			headers.setBearerAuth(endpoint.apiKey());
		}
	}

	private static Map<String, Object> body(ProviderEndpoint endpoint, Prompt prompt, boolean stream) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("model", endpoint.model());
		body.put("max_tokens", prompt.maxTokens());
		List<Map<String, String>> messages = new ArrayList<>();
		for (Prompt.Message message : prompt.messages()) {
			if (endpoint.isAnthropic() && "system".equals(message.role())) {
				body.put("system", message.content()); // Anthropic takes the system
														// prompt at the top level
			}
			else {
				messages.add(Map.of("role", message.role(), "content", message.content()));
			}
		}
		body.put("messages", messages);
		if (stream) {
			body.put("stream", true);
			if (!endpoint.isAnthropic()) {
				// the final chunk carries the usage
				body.put("stream_options", Map.of("include_usage", true));
			}
		}
		return body;
	}

	private static Completion openAiCompletion(JsonNode body) {
		JsonNode usage = body.path("usage");
		return new Completion(body.path("choices").path(0).path("message").path("content").asString(""),
				usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0));
	}

	private static Completion anthropicCompletion(JsonNode body) {
		JsonNode usage = body.path("usage");
		return new Completion(body.path("content").path(0).path("text").asString(""),
				usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0));
	}

	private static String deltaText(ProviderEndpoint endpoint, JsonNode event) {
		JsonNode text = endpoint.isAnthropic() ? event.path("delta").path("text")
				: event.path("choices").path(0).path("delta").path("content");
		return text.isString() ? text.asString() : null;
	}

}
