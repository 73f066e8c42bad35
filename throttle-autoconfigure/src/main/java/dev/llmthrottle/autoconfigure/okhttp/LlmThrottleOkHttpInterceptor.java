package dev.llmthrottle.autoconfigure.okhttp;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;

import dev.llmthrottle.autoconfigure.web.CredentialKeys;
import dev.llmthrottle.call.BlockingCall;
import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviderException;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Throttles OkHttp calls to a configured provider (matched by base URL) by running each
 * through the blocking call pipeline ({@link BlockingCall}), as the {@code RestClient}
 * interceptor does: the cost is estimated from the request body, the call is admitted on
 * its key's partition (or, on the thread of an annotated method holding that partition's
 * admission, runs under it), {@link OkHttpShape} reads the responses, learns from every
 * one, settles the usage as the body is read and marks what it gives up on so that an SDK
 * above does not retry it again. Calls to URLs no provider covers pass through untouched.
 *
 * <p>
 * <b>Where it waits.</b> A synchronous {@code Call.execute()} runs interceptors on the
 * caller's thread, which parks there (interruptibly, an interrupt ends in an
 * {@link java.io.InterruptedIOException}). An asynchronous {@code Call.enqueue()} runs
 * them on the client's dispatcher executor, and an interceptor cannot hand its work to
 * another thread: OkHttp's chain is synchronous. The wait there is accepted because it is
 * bounded and cannot deadlock: every wait is bounded by the provider's {@code max-wait}
 * and {@code max-queue} (admission) or its retry policy (backoff, hints up to
 * {@code max-retry-after}, deadline); what a waiting call waits for (a concurrency slot,
 * room in a window, the end of a cooldown) is freed by the clock or by calls already
 * admitted, which need no dispatcher thread to finish (their bodies are read and closed
 * by the SDK's caller or stream handler); and the dispatcher's executor (Spring AI's
 * default, like OkHttp's) creates threads on demand, so a parked thread takes nothing
 * from other calls except one of the dispatcher's {@code maxRequests} running slots (64)
 * for at most that bound. A call cancelled while it waits is not sent once admitted (its
 * permit is returned unused). On the dispatcher a refusal of ours (a typed
 * {@link RejectedExecutionException} or {@link LlmProviderException}) would be rethrown
 * by OkHttp to the thread's uncaught-exception handler and reach the SDK as a retryable
 * {@code IOException}, so there it is answered as a response instead ({@link Refusals});
 * on a caller's thread it is thrown as it is.
 */
public final class LlmThrottleOkHttpInterceptor implements Interceptor {

	/**
	 * The largest request body read to estimate the cost; larger ones cost the default.
	 */
	static final long MAX_ESTIMATED_BODY = 8L * 1024 * 1024;

	private final LlmProviders providers;

	private final ResponseFeedback feedback;

	private final CostEstimator costs;

	private final CurrentAdmission currentAdmission;

	private final TimeSource time;

	public LlmThrottleOkHttpInterceptor(LlmProviders providers, ResponseFeedback feedback, CostEstimator costs,
			CurrentAdmission currentAdmission, TimeSource time) {
		this.providers = providers;
		this.feedback = feedback;
		this.costs = costs;
		this.currentAdmission = currentAdmission;
		this.time = time;
	}

	@Override
	public Response intercept(Chain chain) throws IOException {
		Request request = chain.request();
		Optional<LlmProvider> match = this.providers.match(request.url().uri());
		if (match.isEmpty()) {
			return chain.proceed(request);
		}
		LlmProvider provider = match.get();
		Partition partition = provider.throttler().partition(CredentialKeys.rawKey(request::header));
		CallPipeline<Response> call = new CallPipeline<>(this.feedback, this.time, provider, partition,
				estimate(provider, request.body()), this.currentAdmission.find(partition),
				new OkHttpShape(provider.dialect(), chain.call(), sdkRetriesTransport(request)));
		boolean dispatcher = onDispatcherThread(chain);
		try {
			return BlockingCall.run(call, (lease) -> {
				if (chain.call().isCanceled()) {
					lease.notSent();
					throw new IOException("Canceled");
				}
				return chain.proceed(request);
			});
		}
		catch (RejectedExecutionException | LlmProviderException ex) {
			if (dispatcher) {
				return Refusals.response(request, ex);
			}
			throw ex;
		}
		catch (IOException | RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IOException(ex);
		}
	}

	private Cost estimate(LlmProvider provider, RequestBody body) {
		try {
			if (body == null || body.isOneShot() || body.isDuplex() || body.contentLength() > MAX_ESTIMATED_BODY) {
				return this.costs.defaultCost(provider);
			}
			Buffer copy = new Buffer();
			body.writeTo(copy);
			return this.costs.estimate(provider, copy.readByteArray());
		}
		catch (IOException | RuntimeException ex) {
			return this.costs.defaultCost(provider);
		}
	}

	/**
	 * Whether an SDK above retries transport failures itself: the Stainless SDKs
	 * (openai-java, anthropic-java) mark every attempt with a retry-count header.
	 */
	static boolean sdkRetriesTransport(Request request) {
		return request.header("X-Stainless-Retry-Count") != null;
	}

	/**
	 * Whether the chain runs on the dispatcher for an enqueued call: OkHttp names that
	 * thread after the call's redacted URL while it runs.
	 */
	static boolean onDispatcherThread(Chain chain) {
		return Thread.currentThread().getName().equals("OkHttp " + chain.call().request().url().redact());
	}

}
