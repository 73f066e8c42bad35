package dev.llmthrottle.leaks;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts a test (or every test of a class) from {@link NoLeakedPermitsExtension}. Every
 * use names its reason: a known leak that another change fixes, or a test that keeps
 * permits on purpose (a scenario whose end state is the point). Listing them keeps each
 * exemption visible and easy to remove.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface PermitLeakAllowed {

	/** Why this test may end with permits held or callers queued. */
	String value();

}
