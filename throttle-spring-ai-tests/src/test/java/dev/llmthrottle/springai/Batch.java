package dev.llmthrottle.springai;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Runs {@code calls} calls from a fixed number of threads and says how they ended.
 *
 * @param succeeded calls that returned a non-empty answer
 * @param failures what the others threw
 */
record Batch(int succeeded, List<Throwable> failures) {

	static Batch run(int calls, int threads, IntFunction<String> call) throws InterruptedException {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<String>> futures = new ArrayList<>();
			for (int i = 0; i < calls; i++) {
				int index = i;
				futures.add(pool.submit(() -> call.apply(index)));
			}
			int succeeded = 0;
			List<Throwable> failures = new ArrayList<>();
			for (Future<String> future : futures) {
				try {
					String answer = future.get(120, TimeUnit.SECONDS);
					if (answer != null && !answer.isEmpty()) {
						succeeded++;
					}
					else {
						failures.add(new IllegalStateException("empty answer"));
					}
				}
				catch (Exception ex) {
					failures.add(ex);
				}
			}
			return new Batch(succeeded, failures);
		}
		finally {
			pool.shutdownNow();
		}
	}

}
