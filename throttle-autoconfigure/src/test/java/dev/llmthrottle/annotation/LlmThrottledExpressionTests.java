package dev.llmthrottle.annotation;

import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import dev.llmthrottle.annotation.ThrottledServices.ChatService;
import dev.llmthrottle.annotation.ThrottledServices.Tenant;
import dev.llmthrottle.autoconfigure.aop.ThrottleExpressionException;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;

import static dev.llmthrottle.annotation.ThrottledServices.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The {@code key} and {@code tokens} expressions: partitions per key (stored only as
 * hashes) and costs from the arguments.
 */
class LlmThrottledExpressionTests {

	@Test
	void eachKeyHasItsOwnPartitionStoredAsAHash() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			ProviderThrottler wide = context.getBean(LlmThrottlers.class).get("wide");
			service.keyed("alice");
			service.keyed("bob");
			service.keyed("alice");
			service.keyedByProperty(new Tenant("carol"));
			List<String> keys = wide.partitions().stream().map(Partition::key).toList();
			assertThat(keys).hasSize(4).contains(PartitionKeys.DEFAULT);
			assertThat(keys).allSatisfy((key) -> assertThat(key).doesNotContain("alice", "bob", "carol"));
			assertThat(wide.partition("alice")).isNotSameAs(wide.partition("bob"));
			assertThat(wide.partition("alice").key()).startsWith("k");
		});
	}

	@Test
	void nullOrBlankKeyUsesTheDefaultPartition() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			service.keyed(null);
			service.keyed("  ");
			assertThat(context.getBean(LlmThrottlers.class).get("wide").partitions()).hasSize(1);
		});
	}

	@Test
	void tokensExpressionSetsTheCost() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			service.tokens("hello");
			assertThat(used(snapshot(context, "tokens"), Dimension.TOKENS)).isEqualTo(5);
			service.tokensByIndex("ignored", 3); // 4.5 rounds up
			assertThat(used(snapshot(context, "tokens"), Dimension.TOKENS)).isEqualTo(10);
		});
	}

	@Test
	void withoutTokensTheDefaultOutputTokensAreReserved() {
		ThrottledServices.runner().run((context) -> {
			context.getBean(ChatService.class).reserve();
			assertThat(used(snapshot(context, "reserve"), Dimension.TOKENS)).isEqualTo(100);
		});
	}

	@Test
	void aCostNoLimitCanAdmitFailsAtOnce() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			assertThatExceptionOfType(RequestTooLargeException.class)
				.isThrownBy(() -> service.tokens("x".repeat(1001)));
		});
	}

	@Test
	void tokensThatAreNotANumberFailClearlyWithoutShowingTheArgument() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			assertThatExceptionOfType(ThrottleExpressionException.class)
				.isThrownBy(() -> service.tokensNotANumber("secret prompt"))
				.withMessageContaining("tokens expression '#prompt'")
				.withMessageContaining("tokensNotANumber")
				.withMessageContaining("must give a number but gave java.lang.String")
				.withMessageNotContaining("secret prompt");
			assertThat(snapshot(context, "tokens").inFlight()).isZero();
		});
	}

	@Test
	void negativeTokensFailClearly() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			assertThatExceptionOfType(ThrottleExpressionException.class).isThrownBy(() -> service.tokensNegative(-3))
				.withMessageContaining("must not be negative but was -3");
			StepVerifier.create(service.tokensNegativeMono(-3))
				.expectError(ThrottleExpressionException.class)
				.verify(java.time.Duration.ofSeconds(5));
		});
	}

	private static long used(PartitionSnapshot snapshot, Dimension dimension) {
		return snapshot.limits()
			.stream()
			.filter((state) -> state.limit().dimension() == dimension)
			.mapToLong(PartitionSnapshot.LimitState::used)
			.sum();
	}

}
