package dev.llmthrottle.sample;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test only when a Redis server answers {@code PING} on {@code 127.0.0.1:6379};
 * without one the test is skipped with a message saying how to start one, except in CI
 * ({@code CI=true}), where it fails. The same rule as {@code throttle-redis}'s own
 * {@code @RequiresRedis} (whose test jar is not used here: it would bring that module's
 * JUnit extensions to every sample test).
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresRedisCondition.class)
@interface RequiresRedis {

}
