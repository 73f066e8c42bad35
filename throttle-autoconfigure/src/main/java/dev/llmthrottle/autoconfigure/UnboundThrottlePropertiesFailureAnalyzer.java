package dev.llmthrottle.autoconfigure;

import java.util.List;

import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Explains a misspelt key inside an indexed list under {@code llm.throttle} (such as
 * {@code providers.openai.limits[0].ammount}), which Spring Boot's binder refuses before
 * the throttle's own validation runs: each such key with the nearest valid one, as
 * {@link ThrottlePropertyNames} does for every other typo. Keys outside
 * {@code llm.throttle} are left to Spring Boot's own analyzer.
 */
class UnboundThrottlePropertiesFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException>
		implements Ordered {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
		List<String> names = cause.getUnboundProperties()
			.stream()
			.map(ConfigurationProperty::getName)
			.map(Object::toString)
			.filter((name) -> name.startsWith(ThrottlePropertyNames.PREFIX + "."))
			.sorted()
			.toList();
		if (names.isEmpty()) {
			return null;
		}
		ThrottlePropertyNames known = new ThrottlePropertyNames();
		StringBuilder description = new StringBuilder("The LLM throttle configuration is invalid:")
			.append(System.lineSeparator());
		for (String name : names) {
			description.append(System.lineSeparator())
				.append("    ")
				.append(name)
				.append(" is not a known property; did you mean ")
				.append(known.nearest(name))
				.append('?');
		}
		return new FailureAnalysis(description.toString(),
				"Correct the llm.throttle.* properties listed above (a property that is not known is most likely "
						+ "misspelt: the nearest valid name is given).",
				cause);
	}

	@Override
	public int getOrder() {
		// ahead of Spring Boot's generic analyzer of the same exception
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
