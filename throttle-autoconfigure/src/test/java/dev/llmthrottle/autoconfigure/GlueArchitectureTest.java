package dev.llmthrottle.autoconfigure;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spring glue's share of the architecture rules: its top-level packages
 * ({@code autoconfigure}, {@code annotation}) and the engine's, seen together on this
 * module's class path, do not depend on each other in a cycle. The Spring-free rules live
 * in {@code llm-throttle-core}'s {@code ArchitectureTest}. Main classes only: the core
 * and Redis modules' test-jars on this class path are left out like this module's own
 * tests.
 */
class GlueArchitectureTest {

	private static JavaClasses classes;

	@BeforeAll
	static void importMainClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.withImportOption((location) -> !location.contains("-tests.jar"))
			.withImportOption((location) -> !location.contains("/dev/llmthrottle/test/"))
			.importPackages("dev.llmthrottle");
	}

	@Test
	void topLevelPackagesHaveNoCycles() {
		slices().matching("dev.llmthrottle.(*)..").should().beFreeOfCycles().check(classes);
	}

	@Test
	void importSeesTheGlueAndTheEngine() {
		assertThat(classes.containPackage("dev.llmthrottle.autoconfigure")).isTrue();
		assertThat(classes.containPackage("dev.llmthrottle.annotation")).isTrue();
		assertThat(classes.containPackage("dev.llmthrottle.core.admission")).isTrue();
	}

}
