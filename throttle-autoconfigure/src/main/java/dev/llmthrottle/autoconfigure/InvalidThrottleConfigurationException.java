package dev.llmthrottle.autoconfigure;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The throttle configuration cannot be used. Lists every problem found, each naming where
 * it is (a full property path such as
 * {@code llm.throttle.providers.openai.requests-per-minute}, or an annotated method) and
 * why, so that one failed start shows them all. Never contains secret values.
 */
public class InvalidThrottleConfigurationException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final transient List<Problem> problems;

	public InvalidThrottleConfigurationException(List<Problem> problems) {
		super(message(problems));
		this.problems = List.copyOf(problems);
	}

	/** Every problem found, in the order found. */
	public List<Problem> problems() {
		return this.problems;
	}

	private static String message(List<Problem> problems) {
		if (problems.isEmpty()) {
			throw new IllegalArgumentException("no problems");
		}
		if (problems.size() == 1) {
			return problems.get(0).toString();
		}
		return problems.size() + " problems:"
				+ problems.stream()
					.map((problem) -> System.lineSeparator() + "  - " + problem)
					.collect(Collectors.joining());
	}

	/**
	 * One problem.
	 *
	 * @param origin where: a full property path or an annotated method
	 * @param reason why, phrased to follow the origin (for example "must be at least 1
	 * but was 0")
	 */
	public record Problem(String origin, String reason) {

		public Problem {
			Objects.requireNonNull(origin, "origin");
			Objects.requireNonNull(reason, "reason");
		}

		@Override
		public String toString() {
			return this.origin + " " + this.reason;
		}

	}

}
