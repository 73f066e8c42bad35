package dev.llmthrottle.autoconfigure.sdk;

import java.lang.System.Logger.Level;
import java.util.function.UnaryOperator;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Wraps the client beans of one official SDK once they are initialised. A bean the
 * wrapper returns unchanged (a base URL no provider covers) keeps its own retries.
 */
final class SdkClientPostProcessor implements BeanPostProcessor {

	private static final System.Logger logger = System.getLogger(SdkClientPostProcessor.class.getName());

	private final String sdk;

	private final UnaryOperator<Object> wrapper;

	SdkClientPostProcessor(String sdk, UnaryOperator<Object> wrapper) {
		this.sdk = sdk;
		this.wrapper = wrapper;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Object wrapped = this.wrapper.apply(bean);
		if (wrapped != bean && logger.isLoggable(Level.DEBUG)) {
			logger.log(Level.DEBUG, this.sdk + " client bean '" + beanName
					+ "' runs through llm-throttle (the SDK's own retries turned off)");
		}
		return wrapped;
	}

}
