package dev.llmthrottle.leaks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import io.github.resilience4j.bulkhead.Bulkhead;

/**
 * Fails any test that leaves a permit behind: after the test (and its {@code @AfterEach}
 * methods), every partition it created or admitted on must have nothing in flight, nobody
 * queued, every concurrency slot of its bulkhead free, and as many permits released or
 * abandoned as were admitted (counted by {@link PermitLedger}, independently of the
 * partition). Calls that finish asynchronously (HTTP exchanges, timers) get a bounded
 * wait to drain before the verdict.
 *
 * <p>
 * Registered for every test class by JUnit's extension auto-detection
 * ({@code junit-platform.properties} and {@code META-INF/services});
 * {@link PermitLeakAllowed} exempts a test and says why. Each class it checked is
 * appended to {@code target/permit-ledger.txt} with the number of partitions seen, to
 * show its coverage.
 */
public final class NoLeakedPermitsExtension
		implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

	/** How long asynchronous calls get to finish before the partitions are judged. */
	static final Duration DRAIN = Duration.ofSeconds(3);

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(NoLeakedPermitsExtension.class);

	@Override
	public void beforeAll(ExtensionContext context) {
		PermitLedger.install();
		context.getStore(NAMESPACE).put("partitions", new int[1]);
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		PermitLedger.reset(exemption(context) == null);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		List<Partition> partitions = PermitLedger.partitions();
		int[] seen = context.getParent()
			.map((parent) -> parent.getStore(NAMESPACE).get("partitions", int[].class))
			.orElse(null);
		if (seen != null) {
			seen[0] += partitions.size();
		}
		if (exemption(context) != null || partitions.isEmpty()) {
			PermitLedger.reset(false);
			return;
		}
		try {
			Awaitility.await().atMost(DRAIN).pollInterval(Duration.ofMillis(10)).until(() -> leaks().isEmpty());
		}
		catch (ConditionTimeoutException ex) {
			List<String> leaks = leaks();
			if (!leaks.isEmpty()) {
				throw new AssertionError("Permits leaked (still so after " + DRAIN.toMillis() + " ms):\n  "
						+ String.join("\n  ", leaks));
			}
		}
		finally {
			PermitLedger.reset(false);
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		int[] seen = context.getStore(NAMESPACE).get("partitions", int[].class);
		if (seen == null || seen[0] == 0) {
			return;
		}
		String exempt = (exemption(context) != null) ? " (class exempt)" : "";
		String line = context.getRequiredTestClass().getName() + " " + seen[0] + " partitions" + exempt + "\n";
		try {
			Files.writeString(Path.of("target", "permit-ledger.txt"), line, StandardCharsets.UTF_8,
					StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			// coverage notes only; never fail a test for them
		}
	}

	/** What is wrong with each partition touched by the test; empty when nothing is. */
	static List<String> leaks() {
		List<String> leaks = new ArrayList<>();
		for (Map.Entry<Partition, PermitLedger.Counts> entry : PermitLedger.touched().entrySet()) {
			Partition partition = entry.getKey();
			PermitLedger.Counts counts = entry.getValue();
			PartitionSnapshot snapshot = partition.snapshot();
			List<String> problems = new ArrayList<>();
			if (snapshot.inFlight() != 0) {
				problems.add(snapshot.inFlight() + " in flight");
			}
			if (snapshot.queued() != 0) {
				problems.add(snapshot.queued() + " queued");
			}
			if (!counts.balanced()) {
				problems.add(counts.toString());
			}
			Bulkhead bulkhead = partition.bulkhead();
			if (bulkhead != null && bulkhead.getMetrics().getAvailableConcurrentCalls() != bulkhead.getMetrics()
				.getMaxAllowedConcurrentCalls()) {
				problems.add("bulkhead " + bulkhead.getMetrics().getAvailableConcurrentCalls() + " of "
						+ bulkhead.getMetrics().getMaxAllowedConcurrentCalls() + " free");
			}
			if (!problems.isEmpty()) {
				leaks.add("provider '" + partition.provider() + "' partition " + partition.key() + ": "
						+ String.join(", ", problems));
			}
		}
		return leaks;
	}

	private static PermitLeakAllowed exemption(ExtensionContext context) {
		PermitLeakAllowed onMethod = context.getTestMethod()
			.flatMap((method) -> AnnotationSupport.findAnnotation(method, PermitLeakAllowed.class))
			.orElse(null);
		if (onMethod != null) {
			return onMethod;
		}
		return context.getTestClass()
			.flatMap((type) -> AnnotationSupport.findAnnotation(type, PermitLeakAllowed.class))
			.orElse(null);
	}

}
