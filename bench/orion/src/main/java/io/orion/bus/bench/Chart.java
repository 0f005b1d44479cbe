package io.orion.bus.bench;

import io.orion.bus.bench.common.Report;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Files;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Draws the benchmark's chart from the rows {@code scripts/bench --csv} appended: throughput (left axis) and
 * p99 latency (right axis, logarithmic) against the offered rate, the median of the runs at each rate. The
 * run at rate 0 (as fast as possible) is drawn at the throughput it reached and labelled "max".
 * <p>
 * Usage: {@code Chart CSV PNG [SUBTITLE]}; run by {@code scripts/chart}.
 */
public final class Chart {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;

  private Chart() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: Chart CSV PNG [SUBTITLE]");
      System.exit(2);
    }
    System.setProperty("java.awt.headless", "true");
    Map<Integer, List<double[]>> byRate = read(Path.of(args[0]));
    XYSeries throughput = new XYSeries("throughput (msg/s)");
    XYSeries p99 = new XYSeries("p99 latency (ms)");
    XYSeries maxThroughput = new XYSeries("throughput at max speed");
    XYSeries maxP99 = new XYSeries("p99 at max speed");
    List<XYTextAnnotation> labels = new ArrayList<>();
    StringBuilder table = new StringBuilder("rate,runs,throughput,p50_us,p99_us,p999_us,cpu_us_per_msg\n");
    for (Map.Entry<Integer, List<double[]>> e : byRate.entrySet()) {
      List<double[]> rows = e.getValue();
      double tput = median(rows, 0);
      double x = e.getKey() == 0 ? tput : e.getKey();
      double p99Ms = Math.max(0.001, median(rows, 2) / 1000.0);
      (e.getKey() == 0 ? maxThroughput : throughput).add(x, tput);
      (e.getKey() == 0 ? maxP99 : p99).add(x, p99Ms);
      if (e.getKey() == 0) {
        XYTextAnnotation max = new XYTextAnnotation("max", x, tput);
        max.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        max.setY(tput * 1.04);
        labels.add(max);
      }
      table.append(String.format(Locale.ROOT, "%s,%d,%.0f,%.0f,%.0f,%.0f,%.1f%n",
        e.getKey() == 0 ? "max" : e.getKey().toString(), rows.size(), tput, median(rows, 1), median(rows, 2),
        median(rows, 3), median(rows, 4)));
    }
    XYPlot plot = new XYPlot();
    plot.setDomainAxis(new NumberAxis("offered rate (msg/s; \"max\" = as fast as possible, at the rate reached)"));
    NumberAxis left = new NumberAxis("throughput (msg/s)");
    left.setAutoRangeIncludesZero(true);
    plot.setRangeAxis(0, left);
    plot.setDataset(0, collection(throughput, maxThroughput));
    plot.setRenderer(0, renderer(new Color(0x1f77b4)));
    LogAxis right = new LogAxis("p99 latency (ms, log scale)");
    right.setSmallestValue(0.01);
    right.setAutoTickUnitSelection(false);
    right.setTickUnit(new NumberTickUnit(1));
    right.setNumberFormatOverride(new DecimalFormat("0.###"));
    right.setMinorTickCount(9);
    right.setMinorTickMarksVisible(true);
    // Whole decades, so that at least two labelled ticks show.
    double low = Math.min(p99.getMinY(), maxP99.isEmpty() ? Double.MAX_VALUE : maxP99.getMinY());
    double high = Math.max(p99.isEmpty() ? 0 : p99.getMaxY(), maxP99.isEmpty() ? 0 : maxP99.getMaxY());
    right.setRange(Math.pow(10, Math.floor(Math.log10(low))), Math.pow(10, Math.ceil(Math.log10(high) + 1e-9)));
    plot.setRangeAxis(1, right);
    plot.setDataset(1, collection(p99, maxP99));
    plot.setRenderer(1, renderer(new Color(0xd62728)));
    plot.mapDatasetToRangeAxis(1, 1);
    labels.forEach(plot::addAnnotation);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart("orion-bus: throughput and p99 latency against offered rate",
      JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    if (args.length > 2) {
      chart.addSubtitle(new TextTitle(args[2]));
    }
    chart.setBackgroundPaint(Color.WHITE);
    Path png = Path.of(args[1]);
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent());
    }
    ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    System.out.print(table);
    System.err.println("chart: wrote " + png);
  }

  /** The rows by rate: throughput, p50, p99, p999, cpu per message. */
  private static Map<Integer, List<double[]>> read(Path csv) throws IOException {
    Map<Integer, List<double[]>> byRate = new TreeMap<>();
    for (String line : Files.readAllLines(csv)) {
      if (line.isBlank() || line.startsWith(Report.CSV_HEADER.substring(0, 4))) {
        continue;
      }
      String[] f = line.split(",");
      double[] values = new double[f.length - 1];
      for (int i = 1; i < f.length; i++) {
        values[i - 1] = Double.parseDouble(f[i]);
      }
      byRate.computeIfAbsent(Integer.parseInt(f[0].trim()), k -> new ArrayList<>()).add(values);
    }
    if (byRate.isEmpty()) {
      throw new IllegalArgumentException("no rows in " + csv);
    }
    return byRate;
  }

  private static double median(List<double[]> rows, int column) {
    double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  private static XYSeriesCollection collection(XYSeries fixedRates, XYSeries maxSpeed) {
    XYSeriesCollection collection = new XYSeriesCollection(fixedRates);
    if (!maxSpeed.isEmpty()) {
      collection.addSeries(maxSpeed);
    }
    return collection;
  }

  /** Series 0 (the fixed rates) as a line, series 1 (max speed) as a larger mark alone, one colour. */
  private static XYLineAndShapeRenderer renderer(Color color) {
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    renderer.setSeriesPaint(0, color);
    renderer.setSeriesStroke(0, new BasicStroke(2.0f));
    renderer.setSeriesPaint(1, color);
    renderer.setSeriesLinesVisible(1, false);
    renderer.setSeriesShape(1, new Ellipse2D.Double(-6, -6, 12, 12));
    return renderer;
  }
}
