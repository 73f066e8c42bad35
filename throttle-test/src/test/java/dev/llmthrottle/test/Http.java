package dev.llmthrottle.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A tiny HTTP/JSON client for the tests. */
public final class Http {

	public static final JsonMapper JSON = JsonMapper.builder().build();

	public static final HttpClient CLIENT = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private Http() {
	}

	/** An OpenAI chat body with one user message. */
	public static String openAiBody(String content, int maxTokens) {
		return "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}],"
				+ "\"max_tokens\":" + maxTokens + "}";
	}

	/** An Anthropic messages body with one user message. */
	public static String anthropicBody(String content, int maxTokens) {
		return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":" + maxTokens
				+ ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
	}

	public static HttpResponse<String> post(URI uri, String body) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(uri)
			.timeout(Duration.ofSeconds(30))
			.header("content-type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
	}

	public static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
		return CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	public static JsonNode json(String text) {
		try {
			return JSON.readTree(text);
		}
		catch (RuntimeException e) {
			throw new UncheckedIOException(new IOException("Not JSON: " + text, e));
		}
	}

	public static String header(HttpResponse<?> response, String name) {
		return response.headers().firstValue(name).orElse(null);
	}

}
