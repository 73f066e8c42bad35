package dev.llmthrottle.autoconfigure.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Optional;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

import dev.llmthrottle.call.BlockingCall;
import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Throttles {@code RestClient} calls to a configured provider by running each through the
 * blocking call pipeline ({@link BlockingCall}): the cost is estimated from the request
 * body, the call is admitted on its key's partition (or runs under the calling thread's
 * admission of that same partition), and {@link RestClientShape} reads the responses.
 * Waits park the calling thread on the engine's time source and honour interruption.
 */
public final class LlmThrottleClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

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
		Partition partition = provider.throttler().partition(CredentialKeys.rawKey(request.getHeaders()));
		CallPipeline<ClientHttpResponse> call = new CallPipeline<>(this.feedback, this.time, provider, partition,
				this.costs.estimate(provider, body),
				LlmThrottleAttributes.priority(request.getAttributes().get(LlmThrottleAttributes.PRIORITY)),
				this.currentAdmission.find(partition), new RestClientShape(provider.dialect()));
		try {
			return BlockingCall.run(call, (lease) -> execution.execute(request, body));
		}
		catch (IOException | RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IOException(ex);
		}
	}

	static InterruptedIOException interrupted(InterruptedException ex, boolean waitingToRetry) {
		InterruptedIOException interrupted = new InterruptedIOException(
				waitingToRetry ? "interrupted while backing off" : "interrupted while waiting for admission");
		interrupted.initCause(ex);
		return interrupted;
	}

	static byte[] readBounded(InputStream in, int max) throws IOException {
		try (in) {
			return in.readNBytes(max);
		}
	}

}
