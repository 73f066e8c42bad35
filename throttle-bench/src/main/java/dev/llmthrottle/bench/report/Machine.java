package dev.llmthrottle.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the benchmarks ran on, as one {@code key=value} line: processors, JDK, OS, CPU
 * model and the load average when the run started (other work on a shared machine skews
 * every figure).
 */
public final class Machine {

	private Machine() {
	}

	/**
	 * {@code prefix cpus=.. java=.. vm=.. os=.. cpu=.. max_heap_mb=.. load_avg=..};
	 * spaces become underscores.
	 */
	public static String line(String prefix) {
		return prefix + " cpus=" + Runtime.getRuntime().availableProcessors() + " java="
				+ value(System.getProperty("java.runtime.version")) + " vm=" + value(System.getProperty("java.vm.name"))
				+ " os=" + value(System.getProperty("os.name") + "-" + System.getProperty("os.arch")) + " cpu="
				+ value(cpuModel()) + " max_heap_mb=" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " load_avg="
				+ value(loadAverage());
	}

	/** The 1, 5 and 15 minute load averages, e.g. {@code 0.52,0.40,0.31}. */
	private static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return fields[0] + "," + fields[1] + "," + fields[2];
		}
		catch (IOException | RuntimeException ex) {
			return "unknown";
		}
	}

	private static String cpuModel() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
				if (line.toLowerCase(Locale.ROOT).startsWith("model name")) {
					return line.substring(line.indexOf(':') + 1).trim();
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not Linux, or not readable: unknown
		}
		return "unknown";
	}

	private static String value(String text) {
		return (text == null || text.isBlank()) ? "unknown" : text.trim().replaceAll("\\s+", "_");
	}

}
