package dev.llmthrottle.autoconfigure.aop;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import com.openai.core.JsonValue;
import com.openai.core.http.Headers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading the provider's response out of the exceptions an annotated method may fail
 * with: Spring's HTTP client exceptions, the SDKs' (a test stand-in named like
 * openai-java's), wrapped or not, and the filters' marker.
 */
class FailedResponsesTests {

	private final FailedResponses responses = FailedResponses.forClassPath(getClass().getClassLoader());

	@Test
	void readsWebClientResponseException() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("Retry-After", "2");
		headers.add("x-ratelimit-remaining-requests", "0");
		FailedResponse response = this.responses.read(WebClientResponseException.create(429, "", headers,
				"{\"error\":{}}".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
		assertThat(response.status()).isEqualTo(429);
		assertThat(response.headers().first("retry-after")).contains("2");
		assertThat(response.headers().first("X-RateLimit-Remaining-Requests")).contains("0");
		assertThat(response.body()).isEqualTo("{\"error\":{}}");
	}

	@Test
	void readsRestClientResponseException() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("retry-after-ms", "250");
		FailedResponse response = this.responses.read(HttpServerErrorException.create(HttpStatus.SERVICE_UNAVAILABLE,
				"", headers, "overloaded".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
		assertThat(response.status()).isEqualTo(503);
		assertThat(response.headers().first("retry-after-ms")).contains("250");
		assertThat(response.body()).isEqualTo("overloaded");
	}

	@Test
	void readsSdkServiceExceptionWithItsBodyAsJson() {
		SdkStatusException failure = new SdkStatusException(429,
				SdkStatusException.sdkHeaders("retry-after", "1", "x-multi", "a", "x-multi", "b"),
				JsonValue.from(Map.of("type", "insufficient_quota", "details", List.of(1, "two"))));
		FailedResponse response = this.responses.read(failure);
		assertThat(response.status()).isEqualTo(429);
		assertThat(response.headers().first("Retry-After")).contains("1");
		assertThat(response.headers().all("x-multi")).containsExactly("a", "b");
		// JsonValue.toString() would give {type=insufficient_quota, ...}, which is not
		// JSON
		JsonNode body = JsonMapper.shared().readTree(response.body());
		assertThat(body.get("type").stringValue()).isEqualTo("insufficient_quota");
		assertThat(body.get("details").size()).isEqualTo(2);
	}

	@Test
	void sdkExceptionWithoutBodyHasAnEmptyBody() {
		FailedResponse response = this.responses
			.read(new SdkStatusException(500, SdkStatusException.sdkHeaders(), JsonValue.from(null)));
		assertThat(response.status()).isEqualTo(500);
		assertThat(response.body()).isEmpty();
	}

	@Test
	void looksThroughCompletionAndExecutionExceptions() {
		SdkStatusException failure = new SdkStatusException(429, SdkStatusException.sdkHeaders(),
				JsonValue.from("slow down"));
		assertThat(this.responses.read(new CompletionException(failure)).status()).isEqualTo(429);
		assertThat(this.responses.read(new ExecutionException(new CompletionException(failure))).body())
			.isEqualTo("slow down");
	}

	@Test
	void ignoresExceptionsWithoutAResponse() {
		assertThat(this.responses.read(new IllegalStateException("boom"))).isNull();
		assertThat(this.responses.read(new CompletionException(null))).isNull();
		assertThat(this.responses.read(new LookalikeException())).isNull();
	}

	@Test
	void ignoresResponsesTheHttpFiltersAlreadyHandled() {
		HttpHeaders headers = new HttpHeaders();
		headers.add(FailedResponses.HANDLED_HEADER, "3");
		assertThat(this.responses
			.read(WebClientResponseException.create(429, "", headers, new byte[0], StandardCharsets.UTF_8))).isNull();
	}

	@Test
	void ignoresSuccessStatuses() {
		assertThat(
				this.responses.read(new SdkStatusException(200, SdkStatusException.sdkHeaders(), JsonValue.from(""))))
			.isNull();
	}

	@Test
	void boundsTheBody() {
		String huge = "x".repeat(200_000);
		FailedResponse response = this.responses.read(WebClientResponseException.create(500, "", new HttpHeaders(),
				huge.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
		assertThat(response.body()).hasSize(64 * 1024);
	}

	@Test
	void readersOfAbsentClientsAreLeftOut() {
		FailedResponses withoutWebFlux = FailedResponses
			.forClassPath(new FilteredClassLoader(WebClientResponseException.class));
		assertThat(withoutWebFlux
			.read(WebClientResponseException.create(429, "", new HttpHeaders(), new byte[0], StandardCharsets.UTF_8)))
			.isNull();
		assertThat(withoutWebFlux.read(HttpServerErrorException.create(HttpStatus.BAD_GATEWAY, "", new HttpHeaders(),
				new byte[0], StandardCharsets.UTF_8)))
			.isNotNull();
	}

	@Test
	void unreadableSdkExceptionIsNotClassified() {
		assertThat(this.responses.read(new BrokenSdkException())).isNull();
	}

	/** Has the SDK's methods but not its base class: not recognised. */
	static class LookalikeException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		public int statusCode() {
			return 429;
		}

		public Headers headers() {
			return SdkStatusException.sdkHeaders();
		}

		public JsonValue body() {
			return JsonValue.from("");
		}

	}

	/** An SDK exception whose accessors fail. */
	static class BrokenSdkException extends com.openai.errors.OpenAIServiceException {

		private static final long serialVersionUID = 1L;

		BrokenSdkException() {
			super("broken", null);
		}

		@Override
		public int statusCode() {
			throw new IllegalStateException("no status");
		}

		@Override
		public Headers headers() {
			return SdkStatusException.sdkHeaders();
		}

		@Override
		public JsonValue body() {
			return JsonValue.from("");
		}

		@Override
		public java.util.Optional<String> code() {
			return java.util.Optional.empty();
		}

		@Override
		public java.util.Optional<String> param() {
			return java.util.Optional.empty();
		}

		@Override
		public java.util.Optional<String> type() {
			return java.util.Optional.empty();
		}

	}

}
