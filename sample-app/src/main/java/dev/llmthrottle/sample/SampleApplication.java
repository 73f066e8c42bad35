package dev.llmthrottle.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

import dev.llmthrottle.sample.batch.BatchRunner;

/**
 * Runs a throttled batch of LLM calls, by default against a simulated provider started
 * in-process, prints one {@code SUMMARY} line and exits 0 when nothing failed. With
 * {@code sample.batch.exit=false} it keeps serving the actuator endpoints and the
 * {@code /demo/*} calls instead.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

	public static void main(String[] args) {
		ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class, args);
		BatchRunner batch = context.getBean(BatchRunner.class);
		if (batch.exitWhenDone()) {
			// SpringApplication.exit asks the BatchRunner (an ExitCodeGenerator) for the
			// code and closes the
			// context; the SUMMARY is printed after that so that it stays the last line
			// of the output.
			int code = SpringApplication.exit(context);
			batch.printSummary();
			System.exit(code);
		}
	}

}
