package dev.llmthrottle.autoconfigure.aop;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.expression.EvaluationException;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.Assign;
import org.springframework.expression.spel.ast.BeanReference;
import org.springframework.expression.spel.ast.ConstructorReference;
import org.springframework.expression.spel.ast.FunctionReference;
import org.springframework.expression.spel.ast.TypeReference;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * One {@code @LlmThrottled} expression, parsed once at startup and evaluated per call
 * over the method arguments.
 *
 * <p>
 * Evaluation uses a {@link SimpleEvaluationContext} (read-only data binding plus instance
 * methods, so that {@code #prompt.length()} works) with the arguments as variables: by
 * name when the class was compiled with {@code -parameters}, and always as
 * {@code #p0}/{@code #a0}. Type references ({@code T(...)}), constructors, bean
 * references, function calls and assignments are refused when parsing, and the context
 * could not resolve them anyway; a variable that is not an argument is refused too, so a
 * typo fails startup rather than the first call.
 */
final class ThrottleExpression {

	private static final SpelExpressionParser PARSER = new SpelExpressionParser();

	private final String source;

	private final SpelExpression expression;

	private final String[] names;

	private ThrottleExpression(String source, SpelExpression expression, String[] names) {
		this.source = source;
		this.expression = expression;
		this.names = names;
	}

	/**
	 * Parses {@code source} for a method whose parameters are {@code parameterNames}
	 * ({@code null} entries or a {@code null} array when unknown).
	 * @throws IllegalArgumentException saying why the expression is refused
	 */
	static ThrottleExpression parse(String source, int parameterCount, String[] parameterNames) {
		SpelExpression expression;
		try {
			expression = PARSER.parseRaw(source);
		}
		catch (ParseException ex) {
			throw new IllegalArgumentException("cannot be parsed: " + ex.getMessage(), ex);
		}
		String[] names = new String[parameterCount];
		if (parameterNames != null && parameterNames.length == parameterCount) {
			System.arraycopy(parameterNames, 0, names, 0, parameterCount);
		}
		Set<String> allowed = new LinkedHashSet<>();
		for (int i = 0; i < parameterCount; i++) {
			if (names[i] != null) {
				allowed.add(names[i]);
			}
		}
		for (int i = 0; i < parameterCount; i++) {
			allowed.add("p" + i);
			allowed.add("a" + i);
		}
		List<String> refused = new ArrayList<>();
		check(expression.getAST(), allowed, refused);
		if (!refused.isEmpty()) {
			throw new IllegalArgumentException(String.join("; ", refused));
		}
		return new ThrottleExpression(source, expression, names);
	}

	private static void check(SpelNode node, Set<String> allowed, List<String> refused) {
		if (node instanceof TypeReference) {
			refused.add("may not use type references such as " + node.toStringAST());
		}
		else if (node instanceof ConstructorReference) {
			refused.add("may not call constructors");
		}
		else if (node instanceof BeanReference) {
			refused.add("may not refer to beans (" + node.toStringAST() + ")");
		}
		else if (node instanceof FunctionReference) {
			refused.add("may not call functions (" + node.toStringAST() + ")");
		}
		else if (node instanceof Assign) {
			refused.add("may not assign");
		}
		else if (node instanceof VariableReference) {
			String name = node.toStringAST().substring(1);
			if (!name.equals("this") && !name.equals("root") && !allowed.contains(name)) {
				refused.add("refers to #" + name + ", which is not a parameter (known: "
						+ String.join(", ", allowed.stream().map((known) -> "#" + known).toList()) + ")");
			}
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			check(node.getChild(i), allowed, refused);
		}
	}

	/** The expression as written. */
	String source() {
		return this.source;
	}

	/**
	 * Evaluates over {@code arguments}.
	 * @throws EvaluationException if evaluation fails
	 */
	Object evaluate(Object[] arguments) {
		SimpleEvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding()
			.withInstanceMethods()
			.withAssignmentDisabled()
			.build();
		for (int i = 0; i < arguments.length; i++) {
			Object argument = arguments[i];
			context.setVariable("p" + i, argument);
			context.setVariable("a" + i, argument);
			if (i < this.names.length && this.names[i] != null) {
				context.setVariable(this.names[i], argument);
			}
		}
		return this.expression.getValue(context);
	}

}
