package dev.llmthrottle.autoconfigure.events;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

import dev.llmthrottle.core.admission.ThrottleListener;

/**
 * A test {@link ThrottleListener} forwarding every callback, present and future, to each
 * delegate.
 */
public final class FanOutListener {

	private FanOutListener() {
	}

	public static ThrottleListener of(ThrottleListener... delegates) {
		List<ThrottleListener> all = List.of(delegates);
		return (ThrottleListener) Proxy.newProxyInstance(ThrottleListener.class.getClassLoader(),
				new Class<?>[] { ThrottleListener.class }, (proxy, method, args) -> {
					if (method.getDeclaringClass() == Object.class) {
						return objectMethod(proxy, method, args);
					}
					for (ThrottleListener delegate : all) {
						try {
							method.invoke(delegate, args);
						}
						catch (InvocationTargetException ex) {
							throw ex.getCause();
						}
					}
					return null;
				});
	}

	private static Object objectMethod(Object proxy, Method method, Object[] args) {
		return switch (method.getName()) {
			case "equals" -> proxy == args[0];
			case "hashCode" -> System.identityHashCode(proxy);
			default -> "FanOutListener";
		};
	}

}
