package dev.llmthrottle;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The architecture the design promises: the engine ({@code core}) and the protocol parsing ({@code protocol}) know
 * nothing of Spring, Reactor or Micrometer, so they can be read and tested alone; and the top-level packages do not
 * depend on each other in a cycle.
 */
class ArchitectureTest {

	private static JavaClasses classes;

	@BeforeAll
	static void importMainClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.llmthrottle");
	}

	@Test
	void engineAndProtocolAreFrameworkFree() {
		ArchRule rule = noClasses().that()
			.resideInAnyPackage("dev.llmthrottle.core..", "dev.llmthrottle.protocol..", "dev.llmthrottle.exchange..",
					"dev.llmthrottle.call")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "reactor..", "io.micrometer..")
			.because("the engine and protocol parsing must stay usable and testable without Spring");
		rule.check(classes);
	}

	@Test
	void theReactorDriverNeedsReactorOnly() {
		noClasses().that()
			.resideInAnyPackage("dev.llmthrottle.call.reactor..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "io.micrometer..")
			.because("the call pipeline's Reactor driver is Spring-free, with Reactor optional for the rest")
			.check(classes);
	}

	@Test
	void engineDoesNotDependOnTheSpringGlue() {
		noClasses().that()
			.resideInAnyPackage("dev.llmthrottle.core..", "dev.llmthrottle.protocol..", "dev.llmthrottle.exchange..",
					"dev.llmthrottle.call..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.llmthrottle.autoconfigure..", "dev.llmthrottle.annotation..")
			.check(classes);
	}

	@Test
	void topLevelPackagesHaveNoCycles() {
		slices().matching("dev.llmthrottle.(*)..").should().beFreeOfCycles().check(classes);
	}

	@Test
	void rulesAreNotVacuous() {
		assertThat(classes.containPackage("dev.llmthrottle.core.admission")).isTrue();
		// the same rule applied to the Spring glue must find violations, or it checks nothing
		assertThat(noClasses().that()
			.resideInAnyPackage("dev.llmthrottle.autoconfigure..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "reactor..", "io.micrometer..")
			.evaluate(classes)
			.hasViolation()).isTrue();
	}

}
