package dev.llmthrottle.bench.accuracy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

/**
 * Resilience4j the way its documentation suggests:
 * {@code Retry(RateLimiter(Bulkhead(call)))}, the order its Spring aspects apply, with
 * one rate limiter per limit ({@code limitForPeriod = amount},
 * {@code limitRefreshPeriod =
 * period}; tokens acquired with the call's weight) and the library's defaults elsewhere:
 * limiter {@code timeoutDuration} 5 s, {@code Retry} 3 attempts 500 ms apart on any
 * exception. The bulkhead admits every caller thread. The hand-tuned variant refreshes
 * every 100 ms with the amount scaled to match (the tuning the issue suggests,
 * {@code limit/60} per {@code period/60}, for its 6-second example).
 */
final class Resilience4jClient implements BatchClient {

	static final Duration TUNED_REFRESH = Duration.ofMillis(100);

	private final ChatHttp http;

	private final RateLimiter requests;

	private final RateLimiter tokens;

	private final Bulkhead bulkhead;

	private final Retry retry;

	Resilience4jClient(URI chatUri, Quota quota, int maxConcurrent, boolean tuned) {
		this.http = new ChatHttp(chatUri);
		long divisor = tuned ? quota.period().dividedBy(TUNED_REFRESH) : 1;
		Duration refresh = quota.period().dividedBy(divisor);
		this.requests = RateLimiter.of("requests", limiter(quota.requests() / divisor, refresh));
		this.tokens = RateLimiter.of("tokens", limiter(quota.tokens() / divisor, refresh));
		this.bulkhead = Bulkhead.of("calls", BulkheadConfig.custom().maxConcurrentCalls(maxConcurrent).build());
		this.retry = Retry.of("calls", RetryConfig.ofDefaults());
	}

	private static RateLimiterConfig limiter(long limitForPeriod, Duration refresh) {
		return RateLimiterConfig.custom()
			.limitForPeriod(Math.toIntExact(Math.max(1, limitForPeriod)))
			.limitRefreshPeriod(refresh)
			.build();
	}

	@Override
	public Outcome send(Call call) throws InterruptedException {
		CheckedSupplier<Boolean> attempt = () -> {
			HttpResponse<Void> response = this.http.post(call);
			if (response.statusCode() != 200) {
				throw new IOException("HTTP " + response.statusCode());
			}
			return true;
		};
		CheckedSupplier<Boolean> decorated = Retry.decorateCheckedSupplier(this.retry,
				RateLimiter.decorateCheckedSupplier(this.requests, RateLimiter.decorateCheckedSupplier(this.tokens,
						call.providerCharge(), Bulkhead.decorateCheckedSupplier(this.bulkhead, attempt))));
		try {
			decorated.get();
			return Outcome.OK;
		}
		catch (InterruptedException ex) {
			throw ex;
		}
		catch (Throwable ex) {
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedException("stopped");
			}
			return Outcome.failed(ex);
		}
	}

}
