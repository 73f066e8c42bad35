package dev.llmthrottle.autoconfigure.sdk.openai;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.openai.core.RequestOptions;
import com.openai.core.http.Headers;
import com.openai.core.http.HttpClient;
import com.openai.core.http.HttpMethod;
import com.openai.core.http.HttpRequest;
import com.openai.core.http.HttpResponse;
import com.openai.errors.OpenAIIoException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.autoconfigure.sdk.SdkThrottle;
import dev.llmthrottle.call.CallInterruptedException;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.SystemTimeSource;
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
import dev.llmthrottle.exchange.RetryAfterTooLongException;
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SDK decorator's fault matrix, on a scripted raw client (no network): a transport
 * error (retried, or passed on), a body that fails while read, an asynchronous call
 * cancelled while waiting, in flight, or as its response is delivered, a caller
 * interrupted while waiting, an absurd retry hint, a stream cut, a body closed early
 * (JSON drained to settle from its usage, a stream not drained). Every case must leave
 * the partition with nothing in flight or queued and no permit released twice (and the
 * no-leaked-permit extension checks the ledger).
 */
class SdkDecoratorFaultMatrixTests {

	private static final String URL = "http://sdk.test/v1";

	private static final String KEY = "sk-fault";

	private static final String CHAT_BODY = "{\"model\":\"gpt-4o\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

	private static final String JSON_REPLY = "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":5,\"total_tokens\":12}}";

	private static final String STREAM_REPLY = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n"
			+ "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\n"
			+ "data: [DONE]\n\n";

	private final SystemTimeSource time = new SystemTimeSource();

	private final Script script = new Script();

	private ProviderThrottler throttler;

	private LlmProvider provider;

	@AfterEach
	void close() {
		this.time.close();
	}

	private HttpClient client(int maxAttempts, int maxConcurrent) {
		this.throttler = new ProviderThrottler(
				new ThrottlePolicy("fault",
						List.of(Limit.of(Dimension.REQUESTS, 1000, Duration.ofSeconds(1)),
								Limit.of(Dimension.TOKENS, 1_000_000, Duration.ofMinutes(1))),
						maxConcurrent, Duration.ofSeconds(30), 100, Duration.ZERO, 10),
				this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		this.provider = new LlmProvider("fault", Dialect.OPENAI, List.of(URI.create(URL)),
				new RetryPolicy(maxAttempts, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(5), null),
				64, this.throttler);
		SdkThrottle sdk = new SdkThrottle(new LlmProviders(List.of(this.provider)),
				new ResponseFeedback(Clock.systemUTC(), new Random(1), ThrottleListener.NONE),
				new CostEstimator(new JtokkitTokenCounter(), 1.2), new CurrentAdmission(), this.time);
		return new OpenAiSdkThrottle(sdk).httpClient(this.script);
	}

	private Partition partition() {
		return this.throttler.partition(KEY);
	}

	private static HttpRequest request() {
		return HttpRequest.builder()
			.method(HttpMethod.POST)
			.baseUrl(URL)
			.addPathSegments("chat", "completions")
			.putHeader("Authorization", "Bearer " + KEY)
			.body(new com.openai.core.http.HttpRequestBody() {

				@Override
				public void writeTo(java.io.OutputStream out) {
					try {
						out.write(CHAT_BODY.getBytes(StandardCharsets.UTF_8));
					}
					catch (IOException ex) {
						throw new java.io.UncheckedIOException(ex);
					}
				}

				@Override
				public String contentType() {
					return "application/json";
				}

				@Override
				public long contentLength() {
					return CHAT_BODY.length();
				}

				@Override
				public boolean repeatable() {
					return true;
				}

				@Override
				public void close() {
				}

			})
			.build();
	}

	private void assertNothingHeld() {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partition().snapshot().inFlight() == 0);
		PartitionSnapshot snapshot = partition().snapshot();
		assertThat(snapshot.inFlight()).as("in flight").isZero();
		assertThat(snapshot.queued()).as("queued").isZero();
		assertThat(snapshot.repeatedReleases()).as("repeated releases").isZero();
	}

	private long tokensUsed() {
		return partition().snapshot().limits().get(1).used();
	}

	@Test
	void transportErrorIsRetriedThroughAdmission() throws IOException {
		HttpClient client = client(3, 4);
		this.script.fail(new OpenAIIoException("connection reset")).reply(() -> json(200, JSON_REPLY));
		try (HttpResponse response = client.execute(request(), RequestOptions.none())) {
			assertThat(response.statusCode()).isEqualTo(200);
			response.body().readAllBytes();
		}
		assertThat(this.script.calls.get()).isEqualTo(2);
		// the failed attempt may have reached the provider: its estimate stands; the
		// second settles to its usage
		long estimate = new CostEstimator(new JtokkitTokenCounter(), 1.2).estimate(this.provider, CHAT_BODY)
			.amount(Dimension.TOKENS);
		assertThat(tokensUsed()).isEqualTo(estimate + 12);
		assertNothingHeld();
	}

	@Test
	void transportErrorIsPassedOnWhenTheAttemptsAreSpent() {
		HttpClient client = client(1, 4);
		OpenAIIoException reset = new OpenAIIoException("connection reset");
		this.script.fail(reset);
		assertThatThrownBy(() -> client.execute(request(), RequestOptions.none())).isSameAs(reset);
		assertNothingHeld();
	}

	@Test
	void bodyReadErrorSettlesOnceAndPassesTheErrorOn() {
		HttpClient client = client(1, 4);
		FakeResponse reply = new FakeResponse(200, "application/json", new FailingStream(JSON_REPLY.substring(0, 20)));
		this.script.reply(() -> reply);
		HttpResponse response = client.execute(request(), RequestOptions.none());
		assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
		assertThat(partition().snapshot().inFlight()).as("settled by the failed read").isZero();
		response.close();
		assertThat(reply.closed).isTrue();
		assertNothingHeld();
	}

	@Test
	void asyncCallCancelledWhileWaitingForAdmissionLeavesTheQueue() throws Exception {
		HttpClient client = client(1, 1);
		Permit holder = partition().acquire(Cost.oneRequest());
		CompletableFuture<HttpResponse> waiting = client.executeAsync(request(), RequestOptions.none());
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partition().snapshot().queued() == 1);
		waiting.cancel(true);
		holder.release(null);
		assertThat(this.script.calls.get()).as("never sent").isZero();
		assertNothingHeld();
	}

	@Test
	void asyncCallCancelledInFlightCancelsTheTransport() {
		HttpClient client = client(1, 4);
		CompletableFuture<HttpResponse> transport = new CompletableFuture<>();
		this.script.replyAsync(() -> transport);
		CompletableFuture<HttpResponse> call = client.executeAsync(request(), RequestOptions.none());
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.script.calls.get() == 1);
		call.cancel(true);
		assertThat(transport).isCancelled();
		assertNothingHeld();
	}

	@Test
	void responseDeliveredAsTheCallIsCancelledIsClosedAndSettled() {
		HttpClient client = client(1, 4);
		CompletableFuture<HttpResponse> transport = new CompletableFuture<>() {

			@Override
			public boolean cancel(boolean mayInterruptIfRunning) {
				return false; // a transport that cannot be stopped any more
			}

		};
		this.script.replyAsync(() -> transport);
		CompletableFuture<HttpResponse> call = client.executeAsync(request(), RequestOptions.none());
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.script.calls.get() == 1);
		call.cancel(true);
		FakeResponse late = json(200, JSON_REPLY);
		transport.complete(late);
		assertThat(call).isCancelled();
		assertThat(late.closed).as("nobody else will close it").isTrue();
		assertThat(tokensUsed()).as("drained and settled from the usage").isEqualTo(12);
		assertNothingHeld();
	}

	@Test
	void interruptWhileWaitingForAdmission() throws Exception {
		HttpClient client = client(1, 1);
		Permit holder = partition().acquire(Cost.oneRequest());
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicBoolean flagSet = new AtomicBoolean();
		CountDownLatch done = new CountDownLatch(1);
		Thread caller = new Thread(() -> {
			try {
				client.execute(request(), RequestOptions.none()).close();
			}
			catch (Throwable ex) {
				failure.set(ex);
				flagSet.set(Thread.currentThread().isInterrupted());
			}
			finally {
				done.countDown();
			}
		});
		caller.start();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partition().snapshot().queued() == 1);
		caller.interrupt();
		assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
		holder.release(null);
		assertThat(failure.get()).isInstanceOf(CallInterruptedException.class);
		assertThat(flagSet).as("the interrupt flag is set again").isTrue();
		assertThat(this.script.calls.get()).isZero();
		assertNothingHeld();
	}

	@Test
	void absurdRetryHintFailsAtOnceWithoutOverflow() {
		HttpClient client = client(3, 4);
		this.script.reply(() -> new FakeResponse(429, "application/json",
				new ByteArrayInputStream(
						"{\"error\":{\"type\":\"rate_limit_exceeded\"}}".getBytes(StandardCharsets.UTF_8)),
				"retry-after", "99999999999999999999", "retry-after-ms", "9223372036854775807"));
		long started = System.nanoTime();
		assertThatThrownBy(() -> client.execute(request(), RequestOptions.none()))
			.isInstanceOf(RetryAfterTooLongException.class);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
		assertThat(this.script.calls.get()).isOne();
		assertThat(partition().cooldownRemaining()).isLessThanOrEqualTo(Duration.ofDays(1));
		assertNothingHeld();
	}

	@Test
	void streamCutSettlesFromWhatItReported() {
		HttpClient client = client(1, 4);
		String firstEvent = STREAM_REPLY.substring(0, STREAM_REPLY.indexOf("\n\n") + 2);
		FakeResponse reply = new FakeResponse(200, "text/event-stream", new FailingStream(firstEvent));
		this.script.reply(() -> reply);
		HttpResponse response = client.execute(request(), RequestOptions.none());
		assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
		response.close();
		assertThat(reply.closed).isTrue();
		assertNothingHeld();
	}

	@Test
	void streamClosedEarlyIsNotDrained() throws IOException {
		HttpClient client = client(1, 4);
		EndlessStream endless = new EndlessStream(STREAM_REPLY.substring(0, STREAM_REPLY.indexOf("\n\n") + 2));
		FakeResponse reply = new FakeResponse(200, "text/event-stream", endless);
		this.script.reply(() -> reply);
		HttpResponse response = client.execute(request(), RequestOptions.none());
		response.body().read(new byte[16]);
		int readsBeforeClose = endless.reads.get();
		response.close();
		assertThat(endless.reads.get()).as("an open-ended stream is not drained on close").isEqualTo(readsBeforeClose);
		assertThat(reply.closed).isTrue();
		assertNothingHeld();
	}

	@Test
	void jsonBodyClosedUnreadIsDrainedToSettleFromItsUsage() {
		HttpClient client = client(1, 4);
		FakeResponse reply = json(200, JSON_REPLY);
		this.script.reply(() -> reply);
		client.execute(request(), RequestOptions.none()).close();
		assertThat(reply.closed).isTrue();
		assertThat(tokensUsed()).isEqualTo(12);
		assertNothingHeld();
	}

	@Test
	void streamReadToItsEndSettlesFromItsFinalUsage() throws IOException {
		HttpClient client = client(1, 4);
		this.script.reply(() -> new FakeResponse(200, "text/event-stream",
				new ByteArrayInputStream(STREAM_REPLY.getBytes(StandardCharsets.UTF_8))));
		try (HttpResponse response = client.execute(request(), RequestOptions.none())) {
			response.body().readAllBytes();
		}
		assertThat(tokensUsed()).isEqualTo(10);
		assertNothingHeld();
	}

	@Test
	void requestsToNoConfiguredProviderPassThrough() {
		HttpClient client = client(1, 4);
		FakeResponse reply = json(200, JSON_REPLY);
		this.script.reply(() -> reply);
		HttpRequest elsewhere = request().toBuilder().baseUrl("http://elsewhere.test/v1").build();
		assertThat(client.execute(elsewhere, RequestOptions.none())).isSameAs(reply);
		assertThat(this.throttler.partitions()).allMatch((held) -> held == this.throttler.defaultPartition());
		assertThat(this.throttler.defaultPartition().snapshot().inFlight()).isZero();
	}

	private static FakeResponse json(int status, String body) {
		return new FakeResponse(status, "application/json",
				new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
	}

	/** The raw client: answers each request with the next scripted step. */
	private static final class Script implements HttpClient {

		private final Deque<Object> steps = new ArrayDeque<>();

		final AtomicInteger calls = new AtomicInteger();

		Script fail(RuntimeException error) {
			this.steps.add(error);
			return this;
		}

		Script reply(Supplier<HttpResponse> response) {
			this.steps.add(response);
			return this;
		}

		Script replyAsync(Supplier<CompletableFuture<HttpResponse>> response) {
			this.steps.add(new Async(response));
			return this;
		}

		private synchronized Object next() {
			this.calls.incrementAndGet();
			Object step = (this.steps.size() > 1) ? this.steps.poll() : this.steps.peek();
			if (step == null) {
				throw new IllegalStateException("no step scripted");
			}
			return step;
		}

		@Override
		@SuppressWarnings("unchecked")
		public HttpResponse execute(HttpRequest request, RequestOptions options) {
			Object step = next();
			if (step instanceof RuntimeException error) {
				throw error;
			}
			return ((Supplier<HttpResponse>) step).get();
		}

		@Override
		@SuppressWarnings("unchecked")
		public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
			Object step = next();
			if (step instanceof RuntimeException error) {
				return CompletableFuture.failedFuture(error);
			}
			if (step instanceof Async async) {
				return async.response().get();
			}
			return CompletableFuture.completedFuture(((Supplier<HttpResponse>) step).get());
		}

		@Override
		public void close() {
		}

		private record Async(Supplier<CompletableFuture<HttpResponse>> response) {
		}

	}

	private static final class FakeResponse implements HttpResponse {

		private final int status;

		private final Headers headers;

		private final InputStream body;

		volatile boolean closed;

		FakeResponse(int status, String contentType, InputStream body, String... moreHeaders) {
			this.status = status;
			Headers.Builder builder = Headers.builder().put("content-type", contentType);
			for (int i = 0; i < moreHeaders.length; i += 2) {
				builder.put(moreHeaders[i], moreHeaders[i + 1]);
			}
			this.headers = builder.build();
			this.body = body;
		}

		@Override
		public int statusCode() {
			return this.status;
		}

		@Override
		public Headers headers() {
			return this.headers;
		}

		@Override
		public InputStream body() {
			return this.body;
		}

		@Override
		public void close() {
			this.closed = true;
		}

	}

	/** Gives {@code prefix}, then fails as a connection reset would. */
	private static final class FailingStream extends InputStream {

		private final ByteArrayInputStream prefix;

		FailingStream(String prefix) {
			this.prefix = new ByteArrayInputStream(prefix.getBytes(StandardCharsets.UTF_8));
		}

		@Override
		public int read() throws IOException {
			int b = this.prefix.read();
			if (b < 0) {
				throw new IOException("connection reset");
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = this.prefix.read(buffer, offset, length);
			if (n < 0) {
				throw new IOException("connection reset");
			}
			return n;
		}

	}

	/** Gives {@code event} again and again, as a stream that never ends would. */
	private static final class EndlessStream extends InputStream {

		private final byte[] event;

		final AtomicInteger reads = new AtomicInteger();

		private int at;

		EndlessStream(String event) {
			this.event = event.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public int read() {
			this.reads.incrementAndGet();
			byte b = this.event[this.at];
			this.at = (this.at + 1) % this.event.length;
			return b & 0xff;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			this.reads.incrementAndGet();
			int n = Math.min(length, this.event.length - this.at);
			System.arraycopy(this.event, this.at, buffer, offset, n);
			this.at = (this.at + n) % this.event.length;
			return n;
		}

	}

}
