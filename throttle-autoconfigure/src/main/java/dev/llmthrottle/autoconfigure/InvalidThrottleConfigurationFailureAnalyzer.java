package dev.llmthrottle.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link InvalidThrottleConfigurationException} at startup: every problem on
 * its own line, each with the property path or annotated method it concerns, and what to
 * change.
 */
class InvalidThrottleConfigurationFailureAnalyzer
		extends AbstractFailureAnalyzer<InvalidThrottleConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidThrottleConfigurationException cause) {
		StringBuilder description = new StringBuilder("The LLM throttle configuration is invalid:")
			.append(System.lineSeparator());
		for (InvalidThrottleConfigurationException.Problem problem : cause.problems()) {
			description.append(System.lineSeparator()).append("    ").append(problem);
		}
		String action = "Correct the llm.throttle.* properties and @LlmThrottled annotations listed above "
				+ "(a property that is not known is most likely misspelt: the nearest valid name is given). "
				+ "Each provider needs at least one limit (for example requests-per-minute) unless it sets "
				+ "unlimited to true.";
		return new FailureAnalysis(description.toString(), action, cause);
	}

}
