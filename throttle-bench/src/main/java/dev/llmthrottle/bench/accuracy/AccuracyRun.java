package dev.llmthrottle.bench.accuracy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.llmthrottle.bench.report.Machine;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.test.config.EnforcementModel;

/**
 * The accuracy and makespan matrix: every client against the simulated provider in every
 * enforcement model, one {@code BENCH key=value} line per cell, printed as each cell
 * ends. Bounded: each cell stops at its deadline, and everything is on loopback. Flags
 * (defaults in brackets): {@code --calls} [600], {@code --threads} [32, also the
 * concurrency cap of every client], {@code --latency-ms} [50], {@code --deadline-s} [30],
 * {@code --seed} [42], {@code --requests} [100], {@code --tokens} [30000],
 * {@code --period-s} [2], {@code --neighbour} [0.333], {@code --models} [all four],
 * {@code --clients} [all but {@code llm-throttle-redis-x3}, which needs a Redis server on
 * 127.0.0.1:6379 or {@code -Dllmthrottle.bench.redis=redis://...}],
 * {@code --warmup-calls} [64, 0 for none], and, for diagnostic runs only,
 * {@code --burst-ms} [0: llm-throttle's default {@code burst}].
 */
public final class AccuracyRun {

	private AccuracyRun() {
	}

	public static void main(String[] args) throws InterruptedException {
		Map<String, String> flags = flags(args);
		int calls = Integer.parseInt(flags.getOrDefault("calls", "600"));
		int threads = Integer.parseInt(flags.getOrDefault("threads", "32"));
		Duration latency = Duration.ofMillis(Long.parseLong(flags.getOrDefault("latency-ms", "50")));
		Duration deadline = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("deadline-s", "30")));
		long seed = Long.parseLong(flags.getOrDefault("seed", "42"));
		Quota base = new Quota(Long.parseLong(flags.getOrDefault("requests", "100")),
				Long.parseLong(flags.getOrDefault("tokens", "30000")),
				Duration.ofSeconds(Long.parseLong(flags.getOrDefault("period-s", "2"))));
		double neighbour = Double.parseDouble(flags.getOrDefault("neighbour", "0.333"));
		List<EnforcementModel> models = new ArrayList<>();
		for (String key : flags.getOrDefault("models", "token-bucket,sliding-window,fixed-window,quantized")
			.split(",")) {
			models.add(EnforcementModel.fromKey(key.trim()));
		}
		List<ClientKind> clients = new ArrayList<>();
		for (String id : flags.getOrDefault("clients", String.join(",", ids())).split(",")) {
			clients.add(ClientKind.of(id.trim()));
		}
		int warmupCalls = Integer.parseInt(flags.getOrDefault("warmup-calls", "64"));
		Duration burst = Duration.ofMillis(Long.parseLong(flags.getOrDefault("burst-ms", "0")));

		System.out.println(Machine.line("BENCH_MACHINE"));
		System.out.println(String.format(Locale.ROOT,
				"BENCH_SETUP calls=%d threads=%d max_concurrent=%d latency_ms=%d deadline_s=%d seed=%d limits=%s "
						+ "auto_limits=%s auto_configured=%s neighbour_share=%.3f burst_ms=%d",
				calls, threads, threads, latency.toMillis(), deadline.toSeconds(), seed, base,
				Scenario.of(ClientKind.LLM_THROTTLE_AUTO, models.get(0), base, 0).provider(), "auto", neighbour,
				burst.toMillis()));
		List<Call> batch = Batch.generate(calls, seed);
		ClientOptions options = new ClientOptions(threads, seed, new JtokkitTokenCounter(), burst);
		if (warmupCalls > 0) {
			warmUp(clients, options, Math.min(warmupCalls, calls));
		}
		CellRunner runner = new CellRunner(options, latency, deadline);
		for (EnforcementModel model : models) {
			for (ClientKind client : clients) {
				CellResult result = runner.run(Scenario.of(client, model, base, neighbour), batch);
				System.out.println(result.toLine());
				System.out.flush();
			}
		}
	}

	/**
	 * Loads and compiles every client's code path against a provider with room to spare;
	 * nothing is printed.
	 */
	private static void warmUp(List<ClientKind> clients, ClientOptions options, int calls) throws InterruptedException {
		CellRunner runner = new CellRunner(options, Duration.ofMillis(5), Duration.ofSeconds(20));
		Quota roomy = new Quota(1_000_000, 1_000_000_000, Duration.ofSeconds(6));
		List<Call> batch = Batch.generate(calls, options.seed() + 1);
		for (ClientKind client : clients) {
			if (client == ClientKind.LLM_THROTTLE_AUTO || client == ClientKind.LLM_THROTTLE_NOISY
					|| client == ClientKind.LLM_THROTTLE_HEADERLESS) {
				continue; // the same code as llm-throttle
			}
			runner.run(new Scenario(client, EnforcementModel.TOKEN_BUCKET, roomy, roomy, 0), batch);
		}
	}

	private static List<String> ids() {
		List<String> ids = new ArrayList<>();
		for (ClientKind kind : ClientKind.values()) {
			if (kind == ClientKind.LLM_THROTTLE_REDIS_X3 || kind == ClientKind.LLM_THROTTLE_HEADERLESS) {
				continue; // needs a local Redis, or a minute a cell: only when asked for
							// by --clients
			}
			ids.add(kind.id());
		}
		return ids;
	}

	private static Map<String, String> flags(String[] args) {
		Map<String, String> flags = new LinkedHashMap<>();
		for (String arg : args) {
			if (!arg.startsWith("--") || !arg.contains("=")) {
				throw new IllegalArgumentException("expected --name=value but got '" + arg + "'");
			}
			flags.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
		}
		return flags;
	}

}
