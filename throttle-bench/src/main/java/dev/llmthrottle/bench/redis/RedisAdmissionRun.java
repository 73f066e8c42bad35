package dev.llmthrottle.bench.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import dev.llmthrottle.bench.report.Machine;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ThrottlePolicy;

/**
 * Admissions per second from one JVM against a local Redis
 * ({@code -Dllmthrottle.bench.redis}, default {@code redis://127.0.0.1:6379}) with 1, 8
 * and 64 concurrent callers, each calling acquire + release in a loop on the provider's
 * default partition for a fixed time, with limits so large that nothing waits (a
 * concurrency cap of 1000, requests and tokens). Script calls per admission come from
 * {@code INFO commandstats} before and after each case (the server's counters: other
 * clients of the same Redis would be counted too). One {@code REDIS key=value} line per
 * case. Every key is under a prefix of its own, deleted at the end. Flags:
 * {@code --seconds} [3], {@code --callers} [1,8,64].
 */
public final class RedisAdmissionRun {

	private RedisAdmissionRun() {
	}

	public static void main(String[] args) throws Exception {
		long seconds = 3;
		String callerList = "1,8,64";
		for (String arg : args) {
			if (arg.startsWith("--seconds=")) {
				seconds = Long.parseLong(arg.substring("--seconds=".length()));
			}
			else if (arg.startsWith("--callers=")) {
				callerList = arg.substring("--callers=".length());
			}
			else {
				throw new IllegalArgumentException("unknown argument '" + arg + "'");
			}
		}
		System.out.println(Machine.line("REDIS_MACHINE"));
		String prefix = RedisInstance.uniquePrefix("admission");
		ThrottlePolicy policy = ThrottlePolicy
			.of("bench", 1_000, Limit.of(Dimension.REQUESTS, 1_000_000_000L, Duration.ofSeconds(1)),
					Limit.of(Dimension.TOKENS, 1_000_000_000_000L, Duration.ofMinutes(1)))
			.withMaxQueue(10_000);
		try (RedisInstance.Admin admin = new RedisInstance.Admin();
				RedisInstance instance = new RedisInstance(prefix, policy, PartitionKeys.withRandomSecret())) {
			String version = "unknown";
			for (String line : admin.sync().info("server").split("\r?\n")) {
				if (line.startsWith("redis_version:")) {
					version = line.substring("redis_version:".length()).trim();
				}
			}
			System.out.println("REDIS_SETUP redis=" + RedisInstance.URI + " redis_version=" + version + " seconds="
					+ seconds + " partition=default max_concurrent=1000 limits=requests,tokens(never_binding)"
					+ " cost=100+100_tokens key_prefix=" + prefix);
			for (int i = 0; i < 2_000; i++) { // warm-up: scripts loaded, code compiled
				instance.throttler().acquire(null, Cost.of(100, 100)).release(null);
			}
			for (String callers : callerList.split(",")) {
				System.out.println(run(instance, admin, Integer.parseInt(callers.trim()), Duration.ofSeconds(seconds)));
				System.out.flush();
			}
		}
		finally {
			try (RedisInstance.Admin admin = new RedisInstance.Admin()) {
				System.out.println("REDIS_CLEANUP key_prefix=" + prefix + " keys_deleted=" + admin.deleteAll(prefix));
			}
		}
	}

	private static String run(RedisInstance instance, RedisInstance.Admin admin, int callers, Duration length)
			throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(callers, (task) -> {
			Thread thread = new Thread(task, "redis-bench-caller");
			thread.setDaemon(true);
			return thread;
		});
		try {
			AtomicBoolean running = new AtomicBoolean(true);
			LongAdder admitted = new LongAdder();
			long scriptsBefore = admin.scriptCalls();
			long start = System.nanoTime();
			List<Future<?>> loops = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				loops.add(threads.submit(() -> {
					while (running.get()) {
						instance.throttler().acquire(null, Cost.of(100, 100)).release(null);
						admitted.increment();
					}
					return null;
				}));
			}
			Thread.sleep(length.toMillis());
			running.set(false);
			for (Future<?> loop : loops) {
				loop.get(30, TimeUnit.SECONDS);
			}
			double elapsed = (System.nanoTime() - start) / 1e9;
			Thread.sleep(300); // releases still on the backend's executor
			long scripts = admin.scriptCalls() - scriptsBefore;
			long count = admitted.sum();
			return String.format(Locale.ROOT,
					"REDIS callers=%d seconds=%.2f admissions=%d admissions_per_s=%.0f script_calls=%d "
							+ "script_calls_per_admission=%.2f",
					callers, elapsed, count, count / elapsed, scripts, (double) scripts / count);
		}
		finally {
			threads.shutdownNow();
		}
	}

}
