package dev.llmthrottle.autoconfigure;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;

/**
 * Analyzes a startup failure with every {@link FailureAnalyzer} registered in
 * {@code spring.factories}, as Spring Boot does when an application fails to start, so
 * tests can assert on what the user would read.
 */
public final class StartupFailures {

	private StartupFailures() {
	}

	/** The first analysis any registered analyzer gives, or {@code null}. */
	public static FailureAnalysis analyze(Throwable failure) {
		ArgumentResolver arguments = ArgumentResolver.of(Environment.class, new StandardEnvironment());
		for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, arguments, (type, name, ex) -> {
				// analyzers needing more than an environment are not involved here
			})) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis;
			}
		}
		return null;
	}

}
