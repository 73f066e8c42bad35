package dev.llmthrottle.bench.adaptive.enforcement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.llmthrottle.bench.report.Machine;
import dev.llmthrottle.core.Enforcement;
import dev.llmthrottle.test.config.EnforcementModel;

/**
 * Runs issue 14's enforcement cells against the simulated provider on loopback and prints
 * one {@code ENFORCEMENT} line per cell (and a {@code MACHINE} line first):
 * <ul>
 * <li>{@code declared-*}: {@code enforcement} set to the provider's model
 * ({@code sliding-window}, {@code token-bucket}), 0 429s and a makespan within 5% of the
 * model's true floor (the initial burst counted) are the target;</li>
 * <li>{@code paced-*}: the default against all four models, 0 429s and efficiency at
 * least 0.97 (lower bound without burst credit / makespan);</li>
 * <li>{@code jitter-*}: the default against a provider quantizing 240/min into 4 per 1-s
 * bucket with 0-100 ms (and 0-40 ms) of arrival jitter: 429s under 1% of calls and
 * efficiency at least 0.95.</li>
 * </ul>
 * Flags: {@code --cells=declared,paced,jitter} (any subset), {@code --seed=N},
 * {@code --latency-ms=N}, {@code --warmup-calls=N} (400 by default: an unmeasured cell
 * against an unlimited provider first, so that a cold JVM does not spread the first
 * cell's initial burst; 0 to measure cold). Each cell takes 20 s to 2.5 min.
 */
public final class EnforcementRun {

	private EnforcementRun() {
	}

	public static void main(String[] args) throws Exception {
		List<String> groups = List.of("declared", "paced", "jitter");
		long seed = 42;
		int latencyMs = 50;
		int warmup = 400;
		for (String arg : args) {
			if (arg.startsWith("--cells=")) {
				groups = Arrays.asList(arg.substring("--cells=".length()).split(","));
			}
			else if (arg.startsWith("--seed=")) {
				seed = Long.parseLong(arg.substring("--seed=".length()));
			}
			else if (arg.startsWith("--latency-ms=")) {
				latencyMs = Integer.parseInt(arg.substring("--latency-ms=".length()));
			}
			else if (arg.startsWith("--warmup-calls=")) {
				warmup = Integer.parseInt(arg.substring("--warmup-calls=".length()));
			}
			else {
				throw new IllegalArgumentException(
						"unknown flag " + arg + " (--cells, --seed, --latency-ms, --warmup-calls)");
			}
		}
		System.out.println(Machine.line("MACHINE"));
		List<Cell> cells = new ArrayList<>();
		for (String group : groups) {
			switch (group.trim().toLowerCase(Locale.ROOT)) {
				case "declared" -> cells.addAll(declared());
				case "paced" -> cells.addAll(paced());
				case "jitter" -> cells.addAll(jitter());
				default -> throw new IllegalArgumentException("unknown cell group " + group);
			}
		}
		if (warmup > 0) {
			// not measured: JIT, class loading and connection setup of a cold JVM would
			// otherwise spread the first cell's initial burst
			Cell warm = new Cell("warmup", EnforcementModel.SLIDING_WINDOW, List.of(new Quota(1_000_000, 60_000)),
					Enforcement.SLIDING_WINDOW, warmup, 40, 0, Target.NONE);
			System.out.println("WARMUP " + new CellDriver(warm, seed, latencyMs).run().line());
		}
		for (Cell cell : cells) {
			System.out.println(new CellDriver(cell, seed, latencyMs).run().line());
		}
	}

	/**
	 * Declared enforcement against the matching model: 40 requests per 10 s, 120 calls.
	 */
	private static List<Cell> declared() {
		List<Quota> ten = List.of(new Quota(40, 10_000));
		List<Quota> both = List.of(new Quota(240, 60_000), new Quota(40, 10_000));
		return List.of(
				new Cell("declared-sliding", EnforcementModel.SLIDING_WINDOW, ten, Enforcement.SLIDING_WINDOW, 120, 40,
						0, Target.FLOOR),
				new Cell("declared-sliding-2limits", EnforcementModel.SLIDING_WINDOW, both, Enforcement.SLIDING_WINDOW,
						120, 40, 0, Target.FLOOR),
				new Cell("declared-token-bucket", EnforcementModel.TOKEN_BUCKET, ten, Enforcement.TOKEN_BUCKET, 120, 40,
						0, Target.FLOOR),
				new Cell("declared-fixed", EnforcementModel.FIXED_WINDOW, ten, Enforcement.FIXED_WINDOW, 120, 40, 0,
						Target.NONE));
	}

	/** The paced default against every model: 40 requests per 10 s, 240 calls. */
	private static List<Cell> paced() {
		List<Quota> ten = List.of(new Quota(40, 10_000));
		List<Cell> cells = new ArrayList<>();
		for (EnforcementModel model : EnforcementModel.values()) {
			cells.add(new Cell("paced-" + model.key(), model, ten, Enforcement.PACED, 240, 32, 0, Target.PACED));
		}
		return cells;
	}

	/** Quantized 240/min (4 per 1-s bucket), arrival jitter, 600 calls, paced default. */
	private static List<Cell> jitter() {
		List<Quota> minute = List.of(new Quota(240, 60_000));
		return List.of(
				new Cell("jitter-100ms", EnforcementModel.QUANTIZED, minute, Enforcement.PACED, 600, 32, 100,
						Target.JITTER),
				new Cell("jitter-40ms", EnforcementModel.QUANTIZED, minute, Enforcement.PACED, 600, 32, 40,
						Target.JITTER));
	}

	/** A requests limit of the provider, also configured on the client. */
	record Quota(long amount, long periodMs) {
	}

	/** What a cell is judged against. */
	enum Target {

		/** 0 429s, makespan within 5% of the model's floor. */
		FLOOR,
		/** 0 429s, efficiency at least 0.97. */
		PACED,
		/** 429s under 1% of calls, efficiency at least 0.95. */
		JITTER,
		/** Measured only. */
		NONE

	}

	/**
	 * One cell.
	 *
	 * @param name the cell's name
	 * @param model the provider's enforcement model
	 * @param quotas the provider's request limits, configured alike on the client
	 * @param declared the {@code enforcement} the client declares
	 * @param calls the batch size
	 * @param concurrency caller threads and {@code max-concurrent}
	 * @param arrivalJitterMs the provider's arrival jitter bound
	 * @param target how the cell is judged
	 */
	record Cell(String name, EnforcementModel model, List<Quota> quotas, Enforcement declared, int calls,
			int concurrency, int arrivalJitterMs, Target target) {
	}

}
