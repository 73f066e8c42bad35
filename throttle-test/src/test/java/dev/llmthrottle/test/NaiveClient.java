package dev.llmthrottle.test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline client: a fixed number of threads sending requests back to back with no
 * rate control. With {@code retryPause} null a refused request is simply counted;
 * otherwise it is retried after that fixed pause (ignoring every hint) until it succeeds.
 */
public final class NaiveClient {

	/** What the client saw. */
	public record Result(int ok, int tooManyRequests, int otherErrors, Duration elapsed) {
	}

	private NaiveClient() {
	}

	public static Result run(URI uri, String body, int threads, int requests, Duration retryPause)
			throws InterruptedException {
		AtomicInteger next = new AtomicInteger();
		AtomicInteger ok = new AtomicInteger();
		AtomicInteger refused = new AtomicInteger();
		AtomicInteger other = new AtomicInteger();
		AtomicLong end = new AtomicLong();
		long start = System.nanoTime();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				workers.add(pool.submit(() -> {
					while (next.getAndIncrement() < requests) {
						while (true) {
							int status = send(uri, body);
							if (status == 200) {
								ok.incrementAndGet();
								break;
							}
							if (status == 429) {
								refused.incrementAndGet();
							}
							else {
								other.incrementAndGet();
							}
							if (retryPause == null) {
								break;
							}
							Thread.sleep(retryPause.toMillis());
						}
					}
					end.accumulateAndGet(System.nanoTime(), Math::max);
					return null;
				}));
			}
			for (Future<?> worker : workers) {
				try {
					worker.get();
				}
				catch (java.util.concurrent.ExecutionException e) {
					throw new IllegalStateException(e.getCause());
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
		return new Result(ok.get(), refused.get(), other.get(), Duration.ofNanos(end.get() - start));
	}

	private static int send(URI uri, String body) throws InterruptedException {
		try {
			HttpResponse<String> response = Http.post(uri, body);
			return response.statusCode();
		}
		catch (IOException e) {
			return -1;
		}
	}

}
