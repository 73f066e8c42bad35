package dev.llmthrottle.autoconfigure.web;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.exchange.CallVerdict;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.exchange.SseDataReader;
import dev.llmthrottle.protocol.tokens.StreamUsageTracker;
import dev.llmthrottle.protocol.tokens.UsageExtractor;

/**
 * Throttles {@code RestClient} calls to a configured provider, the blocking twin of
 * {@link LlmThrottleExchangeFilterFunction}: estimates the cost from the request body, admits each attempt (unless
 * the calling thread already runs under an annotated method's admission), feeds headers back, cools the partition
 * down on 429, retries, and settles from the response's usage. Waits park the calling thread with the engine's
 * time source and honour interruption.
 */
public final class LlmThrottleClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

	private static final int MAX_ERROR_BODY = 64 * 1024;

	private final LlmProviders providers;

	private final ResponseFeedback feedback;

	private final CostEstimator costs;

	private final CurrentAdmission currentAdmission;

	private final TimeSource time;

	public LlmThrottleClientHttpRequestInterceptor(LlmProviders providers, ResponseFeedback feedback,
			CostEstimator costs, CurrentAdmission currentAdmission, TimeSource time) {
		this.providers = providers;
		this.feedback = feedback;
		this.costs = costs;
		this.currentAdmission = currentAdmission;
		this.time = time;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		Optional<LlmProvider> match = this.providers.match(request.getURI());
		if (match.isEmpty()) {
			return execution.execute(request, body);
		}
		LlmProvider provider = match.get();
		Permit outer = this.currentAdmission.get();
		boolean admittedOutside = outer != null && outer.provider().equals(provider.name()) && !outer.isReleased();
		Partition partition = admittedOutside ? outer.partition()
				: provider.throttler().partition(CredentialKeys.rawKey(request.getHeaders()));
		Cost cost = this.costs.estimate(provider, body);
		long startedAt = this.time.nanoTime();
		for (int attempt = 1;; attempt++) {
			PermitHolder holder = admittedOutside ? PermitHolder.underOuter(outer)
					: PermitHolder.owning(admit(partition, cost));
			if (admittedOutside && attempt > 1) {
				// a retry under the method's permit is a request too: wait until one more fits the rates, take it
				for (Duration wait = partition.tryCharge(Cost.oneRequest()); !wait.isZero();
						wait = partition.tryCharge(Cost.oneRequest())) {
					pause(wait);
				}
			}
			ClientHttpResponse response;
			try {
				response = execution.execute(request, body);
			}
			catch (IOException ex) {
				holder.release(null);
				Optional<Duration> backoff = this.feedback.onTransportError(provider, partition, attempt,
						elapsed(startedAt));
				if (backoff.isEmpty()) {
					throw ex;
				}
				pause(backoff.get());
				continue;
			}
			int status = response.getStatusCode().value();
			if (status < 400) {
				this.feedback.onSuccess(provider, partition, HttpHeadersAdapter.of(response.getHeaders()));
				return isEventStream(response) ? new TrackedStreamResponse(response, holder, provider)
						: settle(response, holder, provider);
			}
			byte[] errorBody = readBounded(response);
			response.close();
			// feedback first: the cooldown must be in force before the released slot lets a waiter in
			CallVerdict verdict = this.feedback.onError(provider, partition, status,
					HttpHeadersAdapter.of(response.getHeaders()),
					new String(errorBody, java.nio.charset.StandardCharsets.UTF_8), attempt, elapsed(startedAt));
			holder.releaseRefused();
			if (verdict instanceof CallVerdict.Fail fail) {
				throw fail.error();
			}
			if (!(verdict instanceof CallVerdict.Retry retry)) {
				HttpHeaders marked = HttpHeaders.copyOf(response.getHeaders());
				marked.set(LlmThrottleAttributes.ATTEMPTS_HEADER, Integer.toString(attempt));
				return new BufferedResponse(response, errorBody, marked);
			}
			if (admittedOutside) {
				Duration cooldown = partition.cooldownRemaining();
				pause((cooldown.compareTo(retry.delay()) > 0) ? cooldown : retry.delay());
			}
			else if (!retry.cooldown()) {
				pause(retry.delay());
			}
		}
	}

	private Permit admit(Partition partition, Cost cost) throws InterruptedIOException {
		try {
			return partition.acquire(cost);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting for admission");
			interrupted.initCause(ex);
			throw interrupted;
		}
	}

	private void pause(Duration delay) throws InterruptedIOException {
		if (delay.isZero() || delay.isNegative()) {
			return;
		}
		CompletableFuture<Void> wake = new CompletableFuture<>();
		TimeSource.Cancellable task = this.time.schedule(() -> wake.complete(null), delay.toNanos());
		try {
			wake.get();
		}
		catch (InterruptedException ex) {
			task.cancel();
			Thread.currentThread().interrupt();
			InterruptedIOException interrupted = new InterruptedIOException("interrupted while backing off");
			interrupted.initCause(ex);
			throw interrupted;
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	private ClientHttpResponse settle(ClientHttpResponse response, PermitHolder holder, LlmProvider provider)
			throws IOException {
		byte[] bytes;
		try (InputStream in = response.getBody()) {
			bytes = in.readAllBytes();
		}
		catch (IOException ex) {
			holder.release(null);
			throw ex;
		}
		holder.release(UsageExtractor.extract(bytes, provider.dialect()).map(CostEstimator::actual).orElse(null));
		return new BufferedResponse(response, bytes);
	}

	private static byte[] readBounded(ClientHttpResponse response) {
		try (InputStream in = response.getBody()) {
			return in.readNBytes(MAX_ERROR_BODY);
		}
		catch (IOException ex) {
			return new byte[0];
		}
	}

	private static boolean isEventStream(ClientHttpResponse response) {
		MediaType type = response.getHeaders().getContentType();
		return type != null && type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM);
	}

	private Duration elapsed(long startedAt) {
		return Duration.ofNanos(this.time.nanoTime() - startedAt);
	}

	/** The status of the response it wraps; subclasses decide what the body is. */
	private abstract static class DelegatingResponse implements ClientHttpResponse {

		final ClientHttpResponse delegate;

		DelegatingResponse(ClientHttpResponse delegate) {
			this.delegate = delegate;
		}

		@Override
		public HttpStatusCode getStatusCode() throws IOException {
			return this.delegate.getStatusCode();
		}

		@Override
		public String getStatusText() throws IOException {
			return this.delegate.getStatusText();
		}

	}

	/** A response whose body was read into memory (to settle from it, or to retry past it). */
	private static final class BufferedResponse extends DelegatingResponse {

		private final byte[] body;

		private final HttpHeaders headers;

		BufferedResponse(ClientHttpResponse delegate, byte[] body) {
			this(delegate, body, delegate.getHeaders());
		}

		BufferedResponse(ClientHttpResponse delegate, byte[] body, HttpHeaders headers) {
			super(delegate);
			this.body = body;
			this.headers = headers;
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.headers;
		}

		@Override
		public InputStream getBody() {
			return new ByteArrayInputStream(this.body);
		}

		@Override
		public void close() {
			this.delegate.close();
		}

	}

	/** A streamed response whose permit is released, settled from the final usage event, when it is closed. */
	private static final class TrackedStreamResponse extends DelegatingResponse {

		private final PermitHolder holder;

		private final StreamUsageTracker tracker;

		private final SseDataReader reader;

		private InputStream body;

		TrackedStreamResponse(ClientHttpResponse delegate, PermitHolder holder, LlmProvider provider) {
			super(delegate);
			this.holder = holder;
			this.tracker = new StreamUsageTracker(provider.dialect());
			this.reader = new SseDataReader(this.tracker::onData);
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.delegate.getHeaders();
		}

		@Override
		public synchronized InputStream getBody() throws IOException {
			if (this.body == null) {
				this.body = new FilterInputStream(this.delegate.getBody()) {

					@Override
					public int read() throws IOException {
						int b = super.read();
						if (b >= 0) {
							TrackedStreamResponse.this.reader.feed(new byte[] { (byte) b });
						}
						return b;
					}

					@Override
					public int read(byte[] buffer, int offset, int length) throws IOException {
						int n = super.read(buffer, offset, length);
						if (n > 0) {
							TrackedStreamResponse.this.reader.feed(buffer, offset, n);
						}
						return n;
					}

					@Override
					public void close() throws IOException {
						try {
							super.close();
						}
						finally {
							TrackedStreamResponse.this.finish();
						}
					}

				};
			}
			return this.body;
		}

		@Override
		public void close() {
			try {
				this.delegate.close();
			}
			finally {
				finish();
			}
		}

		private void finish() {
			this.reader.finish();
			this.holder.release(this.tracker.finalUsage().map(CostEstimator::actual).orElse(null));
		}

	}

}
