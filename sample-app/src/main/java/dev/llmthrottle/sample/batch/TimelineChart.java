package dev.llmthrottle.sample.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;

/**
 * The batch as an SVG chart, written by hand (no charting library): two panels over the
 * same time axis, requests per second and tokens per second, each with per-second bars, a
 * 10-second moving average and the configured limits as dashed lines. 429 responses are
 * marked with red triangles along the top of both panels.
 *
 * <p>
 * Requests are counted when each attempt left; tokens are the provider's {@code usage} of
 * each successful call, counted when its last attempt left.
 */
final class TimelineChart {

	private static final int WIDTH = 960;

	private static final int LEFT = 78;

	private static final int RIGHT = 24;

	private static final int PANEL_HEIGHT = 220;

	private static final int AVERAGE_SECONDS = 10;

	private final List<Limit> limits;

	private final int seconds;

	private final double[] okRequests;

	private final double[] refusedRequests;

	private final double[] failedRequests;

	private final double[] inputTokens;

	private final double[] outputTokens;

	private final List<Double> tooManyRequestsAt = new ArrayList<>();

	TimelineChart(List<Limit> limits, double makespanSeconds) {
		this.limits = limits;
		this.seconds = Math.max(1, (int) Math.ceil(makespanSeconds));
		this.okRequests = new double[this.seconds];
		this.refusedRequests = new double[this.seconds];
		this.failedRequests = new double[this.seconds];
		this.inputTokens = new double[this.seconds];
		this.outputTokens = new double[this.seconds];
	}

	/**
	 * An attempt that left {@code at} seconds into the batch and got {@code status} (0:
	 * no response).
	 */
	void attempt(double at, int status) {
		int bucket = bucket(at);
		if (status == 429) {
			this.refusedRequests[bucket]++;
			this.tooManyRequestsAt.add(at);
		}
		else if (status >= 200 && status < 400) {
			this.okRequests[bucket]++;
		}
		else {
			this.failedRequests[bucket]++;
		}
	}

	/**
	 * Tokens of a successful call whose last attempt left {@code at} seconds into the
	 * batch.
	 */
	void tokens(double at, long input, long output) {
		int bucket = bucket(at);
		this.inputTokens[bucket] += input;
		this.outputTokens[bucket] += output;
	}

	private int bucket(double at) {
		return Math.min(this.seconds - 1, Math.max(0, (int) Math.floor(at)));
	}

	/** The SVG document; {@code title} and {@code subtitle} head it. */
	String render(String title, String subtitle) {
		StringBuilder svg = new StringBuilder(64 * 1024);
		int top = 78;
		int gap = 64;
		int height = top + 2 * PANEL_HEIGHT + gap + 70;
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
						+ "font-family=\"sans-serif\" font-size=\"12\">%n",
				WIDTH, height, WIDTH, height));
		svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
		text(svg, LEFT, 22, 15, "bold", title);
		text(svg, LEFT, 42, 11, "normal", subtitle);

		double[] requests = sum(this.okRequests, this.refusedRequests, this.failedRequests);
		panel(svg, top, "requests / s",
				List.of(new Series("2xx", "#4a7fb5", this.okRequests),
						new Series("429", "#d62728", this.refusedRequests),
						new Series("5xx / no response", "#ff9f1c", this.failedRequests)),
				movingAverage(requests), limitLines(Dimension.REQUESTS));
		double[] tokens = sum(this.inputTokens, this.outputTokens);
		List<LimitLine> tokenLimits = new ArrayList<>(limitLines(Dimension.TOKENS));
		tokenLimits.addAll(limitLines(Dimension.INPUT_TOKENS));
		tokenLimits.addAll(limitLines(Dimension.OUTPUT_TOKENS));
		panel(svg, top + PANEL_HEIGHT + gap, "tokens / s (usage)", List
			.of(new Series("input", "#6aa84f", this.inputTokens), new Series("output", "#b6d7a8", this.outputTokens)),
				movingAverage(tokens), tokenLimits);

		int legendY = top + 2 * PANEL_HEIGHT + gap + 44;
		text(svg, LEFT, legendY, 11, "normal",
				"bars: per second; dark line: " + AVERAGE_SECONDS
						+ " s moving average; dashed: configured limit as a steady rate; red triangles: 429 responses ("
						+ this.tooManyRequestsAt.size() + ")");
		svg.append("</svg>\n");
		return svg.toString();
	}

	private void panel(StringBuilder svg, int top, String label, List<Series> stack, double[] average,
			List<LimitLine> limitLines) {
		int plotWidth = WIDTH - LEFT - RIGHT;
		double max = 0;
		for (int i = 0; i < this.seconds; i++) {
			double total = 0;
			for (Series series : stack) {
				total += series.values()[i];
			}
			max = Math.max(max, Math.max(total, average[i]));
		}
		for (LimitLine line : limitLines) {
			max = Math.max(max, line.perSecond() * 1.15);
		}
		double yMax = niceCeiling(Math.max(max, 1));
		double xScale = plotWidth / (double) this.seconds;
		double yScale = PANEL_HEIGHT / yMax;
		int bottom = top + PANEL_HEIGHT;

		// grid and y axis
		for (int i = 0; i <= 4; i++) {
			double value = yMax * i / 4;
			double y = bottom - value * yScale;
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n", LEFT, y,
					LEFT + plotWidth, y));
			svg.append(String.format(Locale.ROOT,
					"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>%n", LEFT - 6, y + 4,
					number(value)));
		}
		svg.append(String.format(Locale.ROOT,
				"<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">%s</text>%n",
				top + PANEL_HEIGHT / 2, escape(label)));
		// x axis
		int step = tickStep(this.seconds);
		for (int s = 0; s <= this.seconds; s += step) {
			double x = LEFT + s * xScale;
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>%n", x, bottom, x, bottom + 4));
			svg.append(String.format(Locale.ROOT,
					"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%ds</text>%n", x, bottom + 16, s));
		}
		// stacked bars
		for (int i = 0; i < this.seconds; i++) {
			double base = 0;
			for (Series series : stack) {
				double value = series.values()[i];
				if (value > 0) {
					double y = bottom - (base + value) * yScale;
					svg.append(String.format(Locale.ROOT,
							"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
							LEFT + i * xScale + 0.5, y, Math.max(0.5, xScale - 1), value * yScale, series.color()));
				}
				base += value;
			}
		}
		// moving average
		StringBuilder points = new StringBuilder();
		for (int i = 0; i < this.seconds; i++) {
			points.append(
					String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + (i + 0.5) * xScale, bottom - average[i] * yScale));
		}
		svg.append("<polyline fill=\"none\" stroke=\"#1f3b57\" stroke-width=\"2\" points=\"")
			.append(points.toString().trim())
			.append("\"/>\n");
		// limits
		for (LimitLine line : limitLines) {
			double y = bottom - line.perSecond() * yScale;
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-dasharray=\"6 4\" "
							+ "stroke-width=\"1.5\"/>%n",
					LEFT, y, LEFT + plotWidth, y));
			svg.append(String.format(Locale.ROOT,
					"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#c0392b\">%s</text>%n", LEFT + plotWidth - 4,
					y - 4, escape(line.label())));
		}
		// 429 markers
		for (double at : this.tooManyRequestsAt) {
			double x = LEFT + at * xScale;
			svg.append(String.format(Locale.ROOT,
					"<path d=\"M%.1f %d l-4 -8 h8 z\" fill=\"#d62728\"><title>429 at %.2f s</title></path>%n", x, top,
					at));
		}
		// frame, and the legend above it
		svg.append(String.format(Locale.ROOT,
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n", LEFT, top,
				plotWidth, PANEL_HEIGHT));
		int x = LEFT;
		for (Series series : stack) {
			svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>%n",
					x, top - 22, series.color()));
			text(svg, x + 14, top - 13, 11, "normal", series.name());
			x += 24 + 7 * series.name().length();
		}
	}

	private List<LimitLine> limitLines(Dimension dimension) {
		List<LimitLine> lines = new ArrayList<>();
		for (Limit limit : this.limits) {
			if (limit.dimension() == dimension) {
				double perSecond = limit.amount() / (limit.periodNanos() / 1e9);
				lines.add(new LimitLine(perSecond, "limit " + limit + " = " + number(perSecond) + "/s"));
			}
		}
		return lines;
	}

	private double[] movingAverage(double[] values) {
		double[] average = new double[values.length];
		double window = 0;
		for (int i = 0; i < values.length; i++) {
			window += values[i];
			if (i >= AVERAGE_SECONDS) {
				window -= values[i - AVERAGE_SECONDS];
			}
			average[i] = window / Math.min(i + 1, AVERAGE_SECONDS);
		}
		return average;
	}

	private static double[] sum(double[]... arrays) {
		double[] total = new double[arrays[0].length];
		for (double[] array : arrays) {
			for (int i = 0; i < array.length; i++) {
				total[i] += array[i];
			}
		}
		return total;
	}

	private static double niceCeiling(double value) {
		double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
		for (double factor : new double[] { 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 }) {
			if (factor * magnitude >= value) {
				return factor * magnitude;
			}
		}
		return 10 * magnitude;
	}

	private static int tickStep(int seconds) {
		for (int step : new int[] { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600 }) {
			if (seconds / step <= 12) {
				return step;
			}
		}
		return 1800;
	}

	private static String number(double value) {
		if (value >= 100 || value == Math.rint(value)) {
			return String.format(Locale.ROOT, "%,.0f", value);
		}
		return String.format(Locale.ROOT, "%.2f", value).replaceAll("0+$", "");
	}

	private static void text(StringBuilder svg, int x, int y, int size, String weight, String content) {
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\" fill=\"#222\">%s</text>%n", x, y, size,
				weight, escape(content)));
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

	private record Series(String name, String color, double[] values) {
	}

	private record LimitLine(double perSecond, String label) {
	}

}
