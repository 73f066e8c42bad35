package dev.llmthrottle.autoconfigure.aop;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

import org.springframework.expression.EvaluationException;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.ProviderThrottler;

/**
 * What {@code @LlmThrottled} asks of one method, resolved at startup: the provider's
 * throttler, the parsed expressions and the cost of a call when no token expression is
 * given. Per call it computes the partition and the cost from the arguments.
 */
final class ThrottledOperation {

	private final String description;

	private final ProviderThrottler throttler;

	private final ThrottleExpression tokens;

	private final ThrottleExpression key;

	private final Cost defaultCost;

	private final Priority priority;

	ThrottledOperation(String description, ProviderThrottler throttler, ThrottleExpression tokens,
			ThrottleExpression key, Cost defaultCost, Priority priority) {
		this.priority = priority;
		this.description = description;
		this.throttler = throttler;
		this.tokens = tokens;
		this.key = key;
		this.defaultCost = defaultCost;
	}

	/** The provider name. */
	String provider() {
		return this.throttler.name();
	}

	/** The lane its calls wait in. */
	Priority priority() {
		return this.priority;
	}

	/** The method, for messages. */
	String description() {
		return this.description;
	}

	/**
	 * The partition and cost of a call with these arguments.
	 * @throws ThrottleExpressionException if an expression fails or gives an unusable
	 * value
	 */
	Admission admission(Object[] arguments) {
		Cost cost = (this.tokens != null) ? Cost.of(tokens(arguments), 0) : this.defaultCost;
		String rawKey = (this.key != null) ? rawKey(arguments) : null;
		return new Admission(this.throttler.partition(rawKey), cost);
	}

	private long tokens(Object[] arguments) {
		Object value = evaluate(this.tokens, arguments);
		if (!(value instanceof Number number)) {
			throw failure("must give a number but gave " + ((value != null) ? value.getClass().getName() : "null"));
		}
		BigDecimal decimal;
		if (number instanceof BigDecimal big) {
			decimal = big;
		}
		else if (number instanceof BigInteger big) {
			decimal = new BigDecimal(big);
		}
		else if (number instanceof Double || number instanceof Float) {
			double real = number.doubleValue();
			if (Double.isNaN(real) || Double.isInfinite(real)) {
				throw failure("must give a finite number but gave " + real);
			}
			decimal = BigDecimal.valueOf(real);
		}
		else {
			decimal = BigDecimal.valueOf(number.longValue());
		}
		if (decimal.signum() < 0) {
			throw failure("must not be negative but was " + decimal.toPlainString());
		}
		BigDecimal rounded = decimal.setScale(0, RoundingMode.CEILING);
		return (rounded.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) ? Long.MAX_VALUE : rounded.longValue();
	}

	private String rawKey(Object[] arguments) {
		Object value = evaluate(this.key, arguments);
		return (value != null) ? value.toString() : null;
	}

	private Object evaluate(ThrottleExpression expression, Object[] arguments) {
		try {
			return expression.evaluate(arguments);
		}
		catch (EvaluationException ex) {
			throw new ThrottleExpressionException("@LlmThrottled expression '" + expression.source() + "' on "
					+ this.description + " failed: " + ex.getMessage(), ex);
		}
	}

	private ThrottleExpressionException failure(String reason) {
		return new ThrottleExpressionException(
				"@LlmThrottled tokens expression '" + this.tokens.source() + "' on " + this.description + " " + reason);
	}

	/**
	 * Where and how much one call is admitted.
	 *
	 * @param partition the partition of the call's key
	 * @param cost the estimated cost
	 */
	record Admission(Partition partition, Cost cost) {
	}

}
