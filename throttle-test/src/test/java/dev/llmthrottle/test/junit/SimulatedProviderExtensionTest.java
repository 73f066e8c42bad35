package dev.llmthrottle.test.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.Http;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.EnforcementModel;
import java.net.URI;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class SimulatedProviderExtensionTest {

	@RegisterExtension
	static SimulatedProviderExtension shared = SimulatedProviderExtension
		.of(SimulatedProvider.builder().model(EnforcementModel.TOKEN_BUCKET).limit("requests:1/1m"));

	@RegisterExtension
	SimulatedProviderExtension perTest = SimulatedProviderExtension.of(SimulatedProvider.builder());

	static String sharedUrl;

	@Test
	@Order(1)
	void aStaticExtensionStartsOneProviderForTheClass() throws Exception {
		sharedUrl = shared.baseUrl();
		assertThat(Http.post(URI.create(sharedUrl + "/v1/chat/completions"), Http.openAiBody("Hi", 5)).statusCode())
			.isEqualTo(200);
	}

	@Test
	@Order(2)
	void itIsResetBeforeEachTest() throws Exception {
		assertThat(shared.baseUrl()).isEqualTo(sharedUrl);
		assertThat(shared.get().stats().received()).isZero();
		assertThat(Http.post(shared.get().chatUri(), Http.openAiBody("Hi", 5)).statusCode()).isEqualTo(200);
	}

	@Test
	@Order(3)
	void anInstanceExtensionStartsOnePerTest() {
		assertThat(perTest.get()).isNotSameAs(shared.get());
		assertThat(perTest.get().settings().limits()).isEmpty();
	}

	@Test
	@Order(5)
	void theSharedProviderSurvivesNestedClasses() {
		assertThat(shared.baseUrl()).isEqualTo(sharedUrl);
	}

	@Nested
	@Order(4)
	class Inner {

		@Test
		void nestedTestsShareTheOuterProvider() {
			// with two extensions registered a SimulatedProvider parameter would be
			// ambiguous: use get()
			assertThat(shared.baseUrl()).isEqualTo(sharedUrl);
		}

	}

}
