package dev.llmthrottle.autoconfigure.sdk;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.springframework.beans.factory.config.BeanPostProcessor;

import dev.llmthrottle.autoconfigure.ThrottledClient;
import dev.llmthrottle.autoconfigure.ThrottledClients;

/**
 * Wraps the client beans of one official SDK once they are initialised. A bean the
 * wrapper returns unchanged (a base URL no provider covers) keeps its own retries. Every
 * client bean it sees enters the startup report ({@code "OpenAI SDK bean 'x'"} with its
 * base URL), so that one no provider covers is warned about.
 */
final class SdkClientPostProcessor implements BeanPostProcessor, ThrottledClients {

	private static final System.Logger logger = System.getLogger(SdkClientPostProcessor.class.getName());

	private final String sdk;

	private final String label;

	private final UnaryOperator<Object> wrapper;

	private final Function<Object, Optional<String>> baseUrl;

	private final List<ThrottledClient> seen = new CopyOnWriteArrayList<>();

	/**
	 * @param sdk the SDK's artifact, for the debug line
	 * @param label how the report names its client beans ({@code "OpenAI SDK"})
	 * @param wrapper wraps a client bean (or returns anything else unchanged)
	 * @param baseUrl a client bean's base URL, empty for anything that is no client of
	 * this SDK
	 */
	SdkClientPostProcessor(String sdk, String label, UnaryOperator<Object> wrapper,
			Function<Object, Optional<String>> baseUrl) {
		this.sdk = sdk;
		this.label = label;
		this.wrapper = wrapper;
		this.baseUrl = baseUrl;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Object wrapped = this.wrapper.apply(bean);
		if (wrapped != bean && logger.isLoggable(Level.DEBUG)) {
			logger.log(Level.DEBUG, this.sdk + " client bean '" + beanName
					+ "' runs through llm-throttle (the SDK's own retries turned off)");
		}
		record(bean, beanName);
		return wrapped;
	}

	@Override
	public List<ThrottledClient> clients() {
		return List.copyOf(this.seen);
	}

	private void record(Object bean, String beanName) {
		Optional<String> url;
		try {
			url = this.baseUrl.apply(bean);
		}
		catch (RuntimeException | LinkageError ex) {
			return; // an SDK version whose options cannot be read: not reported
		}
		url.flatMap(SdkClientPostProcessor::uri)
			.ifPresent((uri) -> this.seen.add(ThrottledClient.at(this.label + " bean '" + beanName + "'", uri)));
	}

	private static Optional<URI> uri(String url) {
		try {
			return Optional.of(URI.create(url));
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

}
