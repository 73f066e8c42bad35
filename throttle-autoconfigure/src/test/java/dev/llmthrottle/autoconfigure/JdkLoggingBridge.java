package dev.llmthrottle.autoconfigure;

import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes JDK logging to SLF4J for the tests of one class, as a Spring Boot application's
 * logging system does at startup: the library logs through {@link System.Logger}, and a
 * context runner does not initialize logging, so a test that captures log output needs
 * the bridge. The root logger's own handlers are set aside meanwhile (so nothing is
 * printed twice) and put back afterwards.
 */
public final class JdkLoggingBridge implements BeforeAllCallback, AfterAllCallback {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(JdkLoggingBridge.class);

	@Override
	public void beforeAll(ExtensionContext context) {
		Logger root = LogManager.getLogManager().getLogger("");
		Handler[] saved = root.getHandlers();
		for (Handler handler : saved) {
			root.removeHandler(handler);
		}
		SLF4JBridgeHandler.install();
		context.getStore(NAMESPACE).put("handlers", saved);
	}

	@Override
	public void afterAll(ExtensionContext context) {
		SLF4JBridgeHandler.uninstall();
		Logger root = LogManager.getLogManager().getLogger("");
		Handler[] saved = context.getStore(NAMESPACE).remove("handlers", Handler[].class);
		if (saved != null) {
			for (Handler handler : saved) {
				root.addHandler(handler);
			}
		}
	}

}
