package dev.llmthrottle.test;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link SimulatedProvider} standalone until the process is stopped, then prints
 * its statistics as JSON. See {@code --help} for the flags.
 */
public final class SimulatedProviderMain {

	private SimulatedProviderMain() {
	}

	/** Entry point. Exit status 2 on a usage error. */
	public static void main(String[] args) {
		if (CommandLine.wantsHelp(args)) {
			System.out.println(CommandLine.HELP);
			return;
		}
		ProviderSettings settings;
		try {
			settings = CommandLine.parse(args);
		}
		catch (CommandLine.UsageException e) {
			System.err.println(e.getMessage());
			System.err.println("Run with --help for the flags.");
			System.exit(2);
			return;
		}
		SimulatedProvider provider = SimulatedProvider.start(settings);
		PrintStream out = System.out;
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			String stats = provider.statsJson();
			provider.close();
			out.println(stats);
			out.flush();
		}, "simulated-provider-shutdown"));
		out.println("llm-throttle simulated provider listening on " + provider.baseUrl() + " (dialect "
				+ settings.dialect() + " at " + settings.dialect().path() + ", model " + settings.model() + ", limits "
				+ settings.limits() + ", seed " + settings.seed() + ")");
		out.flush();
		try {
			new CountDownLatch(1).await();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

}
