package dev.llmthrottle.autoconfigure.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.Permit;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The leaks of issue 12 in the HTTP adapters, one test each: every path out of a call
 * closes its permit, a call admitted after a wait is not sent from the thread that freed
 * room, the outer permit is found by partition, and a success's body is not buffered
 * whole.
 */
class AdapterLeakRegressionTest {

	private static final String URL = "https://api.openai.test/v1/chat/completions";

	private final TimeSource time = new SystemTimeSource();

	private final AtomicReference<RuntimeException> listenerFailure = new AtomicReference<>();

	private final ThrottleListener listener = new ThrottleListener() {

		@Override
		public void limitLearned(String provider, String partition, Limit limit) {
			RuntimeException failure = AdapterLeakRegressionTest.this.listenerFailure.get();
			if (failure != null) {
				throw failure;
			}
		}

	};

	private final ProviderThrottler throttler = new ProviderThrottler(
			new ThrottlePolicy("openai",
					List.of(Limit.perMinute(Dimension.REQUESTS, 6000), Limit.perMinute(Dimension.TOKENS, 10_000_000)),
					1, Duration.ofSeconds(5), 100, Duration.ofSeconds(1), 10),
			this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);

	private final LlmProvider provider = new LlmProvider("openai", Dialect.OPENAI,
			List.of(URI.create("https://api.openai.test/v1")),
			new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(60), null), 100,
			this.throttler);

	private final CurrentAdmission currentAdmission = new CurrentAdmission();

	private final ResponseFeedback feedback = new ResponseFeedback(Clock.systemUTC(), new Random(1), this.listener);

	private final CostEstimator costs = new CostEstimator(new JtokkitTokenCounter(), 1.2);

	private final LlmThrottleExchangeFilterFunction filter = new LlmThrottleExchangeFilterFunction(
			new LlmProviders(List.of(this.provider)), this.feedback, this.costs, this.time, this.currentAdmission);

	private final LlmThrottleClientHttpRequestInterceptor interceptor = new LlmThrottleClientHttpRequestInterceptor(
			new LlmProviders(List.of(this.provider)), this.feedback, this.costs, this.currentAdmission, this.time);

	private Partition partition() {
		return this.throttler.partition("sk-test-key");
	}

	private void assertNothingHeld() {
		PartitionSnapshot snapshot = partition().snapshot();
		assertThat(snapshot.inFlight()).as("in flight").isZero();
		assertThat(snapshot.queued()).as("queued").isZero();
		assertThat(snapshot.repeatedReleases()).isZero();
		assertThat(partition().tryAcquire(Cost.oneRequest())).as("a next call is admitted at once")
			.isNotNull()
			.satisfies((permit) -> permit.abandon());
	}

	private static ClientRequest webRequest() {
		return ClientRequest.create(HttpMethod.POST, URI.create(URL))
			.header("Authorization", "Bearer sk-test-key")
			.build();
	}

	private static HttpRequest restRequest() {
		return new HttpRequest() {

			private final HttpHeaders headers = headers();

			@Override
			public HttpMethod getMethod() {
				return HttpMethod.POST;
			}

			@Override
			public URI getURI() {
				return URI.create(URL);
			}

			@Override
			public java.util.Map<String, Object> getAttributes() {
				return new java.util.HashMap<>();
			}

			@Override
			public HttpHeaders getHeaders() {
				return this.headers;
			}

			private static HttpHeaders headers() {
				HttpHeaders headers = new HttpHeaders();
				headers.set("Authorization", "Bearer sk-test-key");
				return headers;
			}

		};
	}

	@Test
	void webClientDownstreamFilterErrorReleasesThePermit() {
		ExchangeFunction next = (request) -> Mono.error(new IllegalStateException("oauth2 token refresh failed"));
		assertThatThrownBy(() -> this.filter.filter(webRequest(), next).block(Duration.ofSeconds(5)))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("oauth2");
		assertNothingHeld();
	}

	@Test
	void webClientErrorResponseWhoseBodyFailsReleasesThePermit() {
		ExchangeFunction next = (request) -> Mono.just(ClientResponse.create(HttpStatus.SERVICE_UNAVAILABLE)
			.body(Flux.<DataBuffer>error(new IllegalStateException("body read failed")))
			.build());
		assertThatThrownBy(() -> this.filter.filter(webRequest(), next).block(Duration.ofSeconds(5)))
			.hasMessageContaining("body read failed");
		assertNothingHeld();
	}

	@Test
	void webClientCallAdmittedAfterAWaitIsNotSentFromTheThreadThatFreedRoom() throws Exception {
		Permit held = partition().acquire(Cost.oneRequest());
		AtomicReference<String> sentOn = new AtomicReference<>();
		ExchangeFunction next = (request) -> Mono.fromSupplier(() -> {
			sentOn.set(Thread.currentThread().getName());
			return ClientResponse.create(HttpStatus.OK).body("{}").build();
		});
		CompletableFuture<ClientResponse> response = this.filter.filter(webRequest(), next).toFuture();
		Thread timer = new Thread(() -> held.release(null), "engine-timer");
		timer.start();
		timer.join();
		response.get(5, TimeUnit.SECONDS).releaseBody().block(Duration.ofSeconds(5));
		assertThat(sentOn.get()).isNotEqualTo("engine-timer");
		assertNothingHeld();
	}

	@Test
	void restClientRuntimeExceptionFromTheChainReleasesThePermit() {
		ClientHttpRequestExecution execution = (request, body) -> {
			throw new IllegalStateException("load balancer has no instance");
		};
		assertThatThrownBy(() -> this.interceptor.intercept(restRequest(), new byte[0], execution))
			.isInstanceOf(IllegalStateException.class);
		assertNothingHeld();
	}

	@Test
	void restClientStatusThatCannotBeReadReleasesThePermit() {
		ClientHttpRequestExecution execution = (request, body) -> new FakeResponse(null, new HttpHeaders(),
				new ByteArrayInputStream(new byte[0]));
		assertThatThrownBy(() -> this.interceptor.intercept(restRequest(), new byte[0], execution))
			.isInstanceOf(IOException.class);
		assertNothingHeld();
	}

	@Test
	void restClientFeedbackThatThrowsReleasesThePermit() {
		this.listenerFailure.set(new IllegalStateException("listener broke"));
		HttpHeaders headers = new HttpHeaders();
		headers.set("x-ratelimit-limit-requests", "5000");
		headers.set("x-ratelimit-remaining-requests", "4999");
		headers.set("x-ratelimit-reset-requests", "12ms");
		ClientHttpRequestExecution execution = (request, body) -> new FakeResponse(HttpStatus.OK, headers,
				new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)));
		assertThatThrownBy(() -> this.interceptor.intercept(restRequest(), new byte[0], execution))
			.hasMessageContaining("listener broke");
		assertNothingHeld();
	}

	@Test
	void webClientOuterPermitIsFoundByPartitionNotByProviderName() throws Exception {
		Partition annotated = this.throttler.partition("tenant-a");
		Permit outer = annotated.acquire(Cost.oneRequest());
		ExchangeFunction next = (request) -> Mono.just(ClientResponse.create(HttpStatus.OK).body("{}").build());
		try (CurrentAdmission.Scope scope = this.currentAdmission.enter(outer)) {
			this.filter.filter(webRequest(), next).flatMap((r) -> r.releaseBody()).block(Duration.ofSeconds(5));
		}
		outer.release(null);
		assertThat(requestsUsed(partition())).as("charged to the key's own partition").isEqualTo(1);
		assertThat(requestsUsed(annotated)).as("the annotation's partition counts its own call only").isEqualTo(1);
		assertNothingHeld();
	}

	@Test
	void restClientOuterPermitIsFoundByPartitionNotByProviderName() throws Exception {
		Partition annotated = this.throttler.partition("tenant-a");
		Permit outer = annotated.acquire(Cost.oneRequest());
		ClientHttpRequestExecution execution = (request, body) -> new FakeResponse(HttpStatus.OK, new HttpHeaders(),
				new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)));
		try (CurrentAdmission.Scope scope = this.currentAdmission.enter(outer)) {
			this.interceptor.intercept(restRequest(), new byte[0], execution).close();
		}
		outer.release(null);
		assertThat(requestsUsed(partition())).as("charged to the key's own partition").isEqualTo(1);
		assertThat(requestsUsed(annotated)).isEqualTo(1);
		assertNothingHeld();
	}

	@Test
	void restClientSuccessBodyIsNotBufferedWholeAndStillSettles() throws Exception {
		long size = 8L * 1024 * 1024;
		byte[] usage = ",\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":22}}".getBytes(StandardCharsets.UTF_8);
		AtomicLong read = new AtomicLong();
		InputStream huge = new InputStream() {

			private long position;

			@Override
			public int read() {
				byte[] one = new byte[1];
				return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
			}

			@Override
			public int read(byte[] buffer, int offset, int length) {
				long total = size + usage.length;
				if (this.position >= total) {
					return -1;
				}
				int n = (int) Math.min(length, total - this.position);
				for (int i = 0; i < n; i++) {
					long at = this.position + i;
					buffer[offset + i] = (at == 0) ? (byte) '{'
							: (at == 1) ? (byte) '"'
									: (at < size - 3) ? (byte) 'x' : (at == size - 3) ? (byte) '"' : (at == size - 2)
											? (byte) ':' : (at == size - 1) ? (byte) '1' : usage[(int) (at - size)];
				}
				this.position += n;
				read.addAndGet(n);
				return n;
			}

		};
		ClientHttpRequestExecution execution = (request, body) -> new FakeResponse(HttpStatus.OK, new HttpHeaders(),
				huge);
		ClientHttpResponse response = this.interceptor.intercept(restRequest(), new byte[0], execution);
		assertThat(read.get()).as("bytes read before the caller reads the body").isLessThan(1024 * 1024);
		try (InputStream body = response.getBody()) {
			byte[] chunk = new byte[64 * 1024];
			while (body.read(chunk) >= 0) {
				// the caller consumes the body
			}
		}
		response.close();
		assertThat(read.get()).isEqualTo(size + usage.length);
		assertThat(partition().snapshot().limits().get(1).used()).as("settled from the usage at the end").isEqualTo(33);
		assertNothingHeld();
	}

	@Test
	void restClientStatusOnlyExchangeStillSettlesFromUsage() throws Exception {
		ClientHttpRequestExecution execution = (request, body) -> new FakeResponse(HttpStatus.OK, new HttpHeaders(),
				new ByteArrayInputStream("{\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":22}}"
					.getBytes(StandardCharsets.UTF_8)));
		ClientHttpResponse response = this.interceptor.intercept(restRequest(), new byte[0], execution);
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		response.close(); // as RestClient's exchange(...) does after a status-only lambda
		assertThat(partition().snapshot().limits().get(1).used()).as("settled from the usage").isEqualTo(33);
		assertNothingHeld();
	}

	@Test
	void webClientSuccessBodyIsNotBufferedBeforeTheCallerReadsIt() {
		AtomicInteger pulled = new AtomicInteger();
		Flux<DataBuffer> body = Flux.range(0, 1000)
			.map((i) -> (DataBuffer) DefaultDataBufferFactory.sharedInstance.wrap(new byte[1024]))
			.doOnNext((buffer) -> pulled.incrementAndGet());
		ExchangeFunction next = (request) -> Mono
			.just(ClientResponse.create(HttpStatus.OK).header("Content-Type", "application/json").body(body).build());
		ClientResponse response = this.filter.filter(webRequest(), next).block(Duration.ofSeconds(5));
		assertThat(pulled.get()).as("buffers read before the caller reads the body").isZero();
		response.releaseBody().block(Duration.ofSeconds(5));
		assertNothingHeld();
	}

	private static long requestsUsed(Partition partition) {
		return partition.snapshot().limits().get(0).used();
	}

	/** A response that may fail to tell its status. */
	private static final class FakeResponse implements ClientHttpResponse {

		private final HttpStatusCode status;

		private final HttpHeaders headers;

		private final InputStream body;

		FakeResponse(HttpStatusCode status, HttpHeaders headers, InputStream body) {
			this.status = status;
			this.headers = headers;
			this.body = body;
		}

		@Override
		public HttpStatusCode getStatusCode() throws IOException {
			if (this.status == null) {
				throw new IOException("connection reset while reading the status line");
			}
			return this.status;
		}

		@Override
		public String getStatusText() throws IOException {
			return getStatusCode().toString();
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.headers;
		}

		@Override
		public InputStream getBody() {
			return this.body;
		}

		@Override
		public void close() {
			try {
				this.body.close();
			}
			catch (IOException ex) {
				// nothing to free
			}
		}

	}

}
