package dev.llmthrottle.sample.demo;

import java.time.Duration;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * With {@code sample.demo.enabled=true}, makes one call of each shape at startup, before
 * the batch, and logs what came back.
 */
@Component
@Order(10)
@ConditionalOnBooleanProperty("sample.demo.enabled")
class DemoRunner implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(DemoRunner.class);

	private static final Duration TIMEOUT = Duration.ofMinutes(1);

	private final DemoCalls calls;

	DemoRunner(DemoCalls calls) {
		this.calls = calls;
	}

	@Override
	public void run(ApplicationArguments args) {
		logger.info("demo blocking: "
				+ this.calls.blocking(DemoController.prompt("demo-blocking", "Name three rivers in Europe.", 32)));
		logger.info(
				"demo mono: " + this.calls.mono(DemoController.prompt("demo-mono", "Name three mountains in Asia.", 32))
					.block(TIMEOUT));
		logger.info("demo stream: "
				+ this.calls.stream(DemoController.prompt("demo-stream", "Describe a lighthouse at night.", 48))
					.collectList()
					.block(TIMEOUT)
					.stream()
					.collect(Collectors.joining()));
	}

}
