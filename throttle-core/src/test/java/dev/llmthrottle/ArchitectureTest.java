package dev.llmthrottle;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The architecture the design promises for {@code llm-throttle-core}: no class of any
 * package in this module (the engine, protocol parsing, cost estimation, the call
 * pipeline and its drivers) depends on Spring, Micrometer or the Spring glue; Reactor,
 * optional on this module's class path, is used only in {@code reactor} sub-packages (the
 * Reactor drivers); and the top-level packages do not depend on each other in a cycle.
 * The module's pom bans Spring from the class path as well (enforcer
 * {@code bannedDependencies}). The simulated provider ({@code dev.llmthrottle.test}, a
 * test dependency) is not part of this module and is left out.
 */
class ArchitectureTest {

	private static JavaClasses classes;

	@BeforeAll
	static void importMainClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.withImportOption((location) -> !location.contains("/dev/llmthrottle/test/"))
			.importPackages("dev.llmthrottle");
	}

	@Test
	void noSpringFreePackageDependsOnSpringOrTheGlue() {
		ArchRule rule = noClasses().that()
			.resideInAPackage("dev.llmthrottle..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "io.micrometer..", "dev.llmthrottle.autoconfigure..",
					"dev.llmthrottle.annotation..")
			.because("llm-throttle-core must stay usable without Spring");
		rule.check(classes);
	}

	@Test
	void reactorIsUsedOnlyByTheReactorDrivers() {
		ArchRule rule = noClasses().that()
			.resideInAPackage("dev.llmthrottle..")
			.and()
			.resideOutsideOfPackage("..reactor..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("reactor..", "org.reactivestreams..")
			.because("Reactor is optional: the engine, protocol parsing and pipeline must load without it");
		rule.check(classes);
	}

	@Test
	void topLevelPackagesHaveNoCycles() {
		slices().matching("dev.llmthrottle.(*)..").should().beFreeOfCycles().check(classes);
	}

	@Test
	void rulesAreNotVacuous() {
		// every Spring-free package is imported from this module's own classes: core,
		// protocol and exchange at least
		assertThat(classes.containPackage("dev.llmthrottle.core.admission")).isTrue();
		assertThat(classes.containPackage("dev.llmthrottle.protocol")).isTrue();
		assertThat(classes.containPackage("dev.llmthrottle.exchange")).isTrue();
		// the Spring glue and the Redis backend live in other modules
		assertThat(classes.stream().map(JavaClass::getPackageName))
			.noneMatch((name) -> name.startsWith("dev.llmthrottle.autoconfigure")
					|| name.startsWith("dev.llmthrottle.annotation") || name.startsWith("dev.llmthrottle.core.redis"));
		// the same rule, aimed at a library this module does use, finds violations: it
		// checks something
		assertThat(noClasses().that()
			.resideInAPackage("dev.llmthrottle..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.github.resilience4j..")
			.evaluate(classes)
			.hasViolation()).isTrue();
	}

}
