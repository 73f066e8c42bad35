package dev.llmthrottle.test.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Faults and modes of the simulated provider. All random choices come from the provider's
 * seed, so a run is reproducible. Start from {@link #none()} and add what the test needs:
 *
 * <pre>{@code
 * Faults.none().serverErrors(0.05).connectionResets(0.01).hint(HintStyle.HTTP_DATE).noisyNeighbour(0.3)
 * }</pre>
 *
 * @param serverErrorProbability chance that an admitted request fails with a server error
 * @param serverErrorStatuses statuses to choose from (uniformly); empty = the dialect's
 * defaults (OpenAI/Azure 500, 503; Anthropic 500, 529)
 * @param connectionResetProbability chance that an admitted request's connection is reset
 * (TCP RST) half-way through the response
 * @param slowFirstByte extra delay before the first response byte
 * @param slowFirstByteProbability chance that {@code slowFirstByte} applies to a request
 * @param quotaExhausted whether every request gets the dialect's "quota exhausted" 429,
 * forever
 * @param missingHeadersProbability chance that a response carries no rate-limit headers
 * @param malformedHeadersProbability chance that a response's rate-limit header values
 * are garbage
 * @param hintStyle how rate-limit 429s state their wait hint
 * @param noisyNeighbourShare share in [0, 1) of every limit consumed continuously by an
 * unseen client
 */
public record Faults(double serverErrorProbability, List<Integer> serverErrorStatuses,
		double connectionResetProbability, Duration slowFirstByte, double slowFirstByteProbability,
		boolean quotaExhausted, double missingHeadersProbability, double malformedHeadersProbability,
		HintStyle hintStyle, double noisyNeighbourShare) {

	/** Validates probabilities and copies the status list. */
	public Faults {
		requireProbability(serverErrorProbability, "serverErrorProbability");
		requireProbability(connectionResetProbability, "connectionResetProbability");
		requireProbability(slowFirstByteProbability, "slowFirstByteProbability");
		requireProbability(missingHeadersProbability, "missingHeadersProbability");
		requireProbability(malformedHeadersProbability, "malformedHeadersProbability");
		serverErrorStatuses = List.copyOf(serverErrorStatuses);
		for (int status : serverErrorStatuses) {
			if (status < 500 || status > 599) {
				throw new IllegalArgumentException("Server error status must be 5xx: " + status);
			}
		}
		Objects.requireNonNull(slowFirstByte, "slowFirstByte");
		if (slowFirstByte.isNegative()) {
			throw new IllegalArgumentException("slowFirstByte must not be negative");
		}
		Objects.requireNonNull(hintStyle, "hintStyle");
		if (!(noisyNeighbourShare >= 0 && noisyNeighbourShare < 1)) {
			throw new IllegalArgumentException("noisyNeighbourShare must be in [0, 1): " + noisyNeighbourShare);
		}
	}

	/** No faults: truthful hints, headers on every response. */
	public static Faults none() {
		return new Faults(0, List.of(), 0, Duration.ZERO, 0, false, 0, 0, HintStyle.SECONDS, 0);
	}

	/** Random server errors with the dialect's default statuses. */
	public Faults serverErrors(double probability) {
		return new Faults(probability, List.of(), connectionResetProbability, slowFirstByte, slowFirstByteProbability,
				quotaExhausted, missingHeadersProbability, malformedHeadersProbability, hintStyle, noisyNeighbourShare);
	}

	/** Random server errors with the given statuses (each 5xx). */
	public Faults serverErrors(double probability, Integer... statuses) {
		return new Faults(probability, List.of(statuses), connectionResetProbability, slowFirstByte,
				slowFirstByteProbability, quotaExhausted, missingHeadersProbability, malformedHeadersProbability,
				hintStyle, noisyNeighbourShare);
	}

	/** Connection resets half-way through the response. */
	public Faults connectionResets(double probability) {
		return new Faults(serverErrorProbability, serverErrorStatuses, probability, slowFirstByte,
				slowFirstByteProbability, quotaExhausted, missingHeadersProbability, malformedHeadersProbability,
				hintStyle, noisyNeighbourShare);
	}

	/** An extra delay before the first response byte, with the given probability. */
	public Faults slowFirstByte(Duration delay, double probability) {
		return new Faults(serverErrorProbability, serverErrorStatuses, connectionResetProbability, delay, probability,
				quotaExhausted, missingHeadersProbability, malformedHeadersProbability, hintStyle, noisyNeighbourShare);
	}

	/** Whether every request is refused as out of quota, forever. */
	public Faults quotaExhausted(boolean exhausted) {
		return new Faults(serverErrorProbability, serverErrorStatuses, connectionResetProbability, slowFirstByte,
				slowFirstByteProbability, exhausted, missingHeadersProbability, malformedHeadersProbability, hintStyle,
				noisyNeighbourShare);
	}

	/** Responses without rate-limit headers, with the given probability. */
	public Faults missingHeaders(double probability) {
		return new Faults(serverErrorProbability, serverErrorStatuses, connectionResetProbability, slowFirstByte,
				slowFirstByteProbability, quotaExhausted, probability, malformedHeadersProbability, hintStyle,
				noisyNeighbourShare);
	}

	/** Responses with garbage rate-limit header values, with the given probability. */
	public Faults malformedHeaders(double probability) {
		return new Faults(serverErrorProbability, serverErrorStatuses, connectionResetProbability, slowFirstByte,
				slowFirstByteProbability, quotaExhausted, missingHeadersProbability, probability, hintStyle,
				noisyNeighbourShare);
	}

	/** How rate-limit 429s state their hint. */
	public Faults hint(HintStyle style) {
		return new Faults(serverErrorProbability, serverErrorStatuses, connectionResetProbability, slowFirstByte,
				slowFirstByteProbability, quotaExhausted, missingHeadersProbability, malformedHeadersProbability, style,
				noisyNeighbourShare);
	}

	/** An unseen client consuming {@code share} of every limit continuously. */
	public Faults noisyNeighbour(double share) {
		return new Faults(serverErrorProbability, serverErrorStatuses, connectionResetProbability, slowFirstByte,
				slowFirstByteProbability, quotaExhausted, missingHeadersProbability, malformedHeadersProbability,
				hintStyle, share);
	}

	private static void requireProbability(double p, String name) {
		if (!(p >= 0 && p <= 1)) {
			throw new IllegalArgumentException(name + " must be in [0, 1]: " + p);
		}
	}
}
