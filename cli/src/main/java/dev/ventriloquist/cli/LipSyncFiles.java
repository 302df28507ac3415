package dev.ventriloquist.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Viseme;
import dev.ventriloquist.api.WordTiming;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;

/**
 * What {@code say --visemes} and {@code say --lipsync-png} write: a line's lip-sync track as JSON, and as a picture
 * of waveform, level, visemes and estimated words on one timeline, for checking by eye.
 */
final class LipSyncFiles {
  private static final int RATE = 24_000;
  /** One colour per viseme, in {@link Viseme} order. */
  private static final Color[] COLORS = {
      new Color(0xE0E0E0), new Color(0x8E24AA), new Color(0x00897B), new Color(0x43A047), new Color(0xE53935),
      new Color(0xFB8C00), new Color(0xFDD835), new Color(0x1E88E5), new Color(0x3949AB)};

  private LipSyncFiles() {}

  /**
   * Writes {@code [{"sample": n, "viseme": "aa", "level": 0.000}, ...]}: one object per 10 ms window, samples at
   * 24 kHz from the start of the line, viseme by its Oculus name, level in [0, 1].
   */
  static void writeJson(Path file, LipSyncTrack track) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("[\n");
      for (int i = 0; i < track.size(); i++) {
        Mouth m = track.window(i);
        w.write(String.format(Locale.ROOT, "  {\"sample\": %d, \"viseme\": \"%s\", \"level\": %.3f}%s%n",
            m.sample(), m.viseme().oculusName(), m.level(), i + 1 < track.size() ? "," : ""));
      }
      w.write("]\n");
    }
  }

  /** Draws waveform, level, viseme strip and estimated words on one timeline into a PNG. */
  static void writePng(Path file, float[] pcm, LipSyncTrack track, List<WordTiming> words) throws IOException {
    int windows = Math.max(1, track.size());
    int pxPerWindow = Math.max(1, Math.min(4, 2400 / windows));
    int left = 40;
    int width = left + windows * pxPerWindow + 20;
    int waveTop = 30;
    int waveH = 140;
    int levelTop = waveTop + waveH + 14;
    int levelH = 90;
    int visTop = levelTop + levelH + 14;
    int visH = 34;
    int wordTop = visTop + visH + 10;
    int wordH = 40;
    int legendTop = wordTop + wordH + 12;
    int height = legendTop + 34;
    BufferedImage img = new BufferedImage(Math.max(width, 640), height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), height);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      FontMetrics fm = g.getFontMetrics();
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format(Locale.ROOT, "%.2f s, %d windows of 10 ms", pcm.length / (double) RATE,
          track.size()), left, 16);
      // Time grid every 0.5 s.
      for (int ms = 0; ms <= pcm.length * 1000L / RATE; ms += 500) {
        int x = left + ms / 10 * pxPerWindow;
        g.setColor(new Color(0xF0F0F0));
        g.drawLine(x, waveTop, x, wordTop + wordH);
        g.setColor(Color.GRAY);
        g.drawString(String.format(Locale.ROOT, "%.1f", ms / 1000.0), x + 2, waveTop - 2);
      }
      label(g, "wave", waveTop + waveH / 2);
      label(g, "level", levelTop + levelH / 2);
      label(g, "viseme", visTop + visH / 2 + 4);
      label(g, "words", wordTop + wordH / 2 + 4);
      // Waveform: min/max per pixel column.
      g.setColor(new Color(0x546E7A));
      int samplesPerPx = Math.max(1, Mouth.WINDOW_SAMPLES / pxPerWindow);
      int mid = waveTop + waveH / 2;
      for (int x = 0; x < windows * pxPerWindow; x++) {
        float lo = 0;
        float hi = 0;
        for (int i = x * samplesPerPx; i < Math.min(pcm.length, (x + 1) * samplesPerPx); i++) {
          lo = Math.min(lo, pcm[i]);
          hi = Math.max(hi, pcm[i]);
        }
        g.drawLine(left + x, mid - Math.round(hi * waveH / 2f), left + x, mid - Math.round(lo * waveH / 2f));
      }
      // Level, filled, coloured by viseme.
      for (int i = 0; i < track.size(); i++) {
        int h = Math.round(track.level(i) * levelH);
        g.setColor(COLORS[track.viseme(i).ordinal()]);
        g.fillRect(left + i * pxPerWindow, levelTop + levelH - h, pxPerWindow, h);
      }
      g.setColor(Color.LIGHT_GRAY);
      g.setStroke(new BasicStroke(1f));
      g.drawRect(left, levelTop, windows * pxPerWindow, levelH);
      // Viseme strip, with names where a run is wide enough.
      int i = 0;
      while (i < track.size()) {
        Viseme v = track.viseme(i);
        int j = i;
        while (j < track.size() && track.viseme(j) == v) {
          j++;
        }
        int x = left + i * pxPerWindow;
        int w = (j - i) * pxPerWindow;
        g.setColor(COLORS[v.ordinal()]);
        g.fillRect(x, visTop, w, visH);
        String name = v.oculusName();
        if (w > fm.stringWidth(name) + 2) {
          g.setColor(Color.BLACK);
          g.drawString(name, x + 1, visTop + visH / 2 + 4);
        }
        i = j;
      }
      // Estimated words: a bracket from start to end, the word above it, alternating rows.
      for (WordTiming t : words) {
        int x0 = left + (int) (t.startSample() / Mouth.WINDOW_SAMPLES) * pxPerWindow;
        int x1 = left + (int) (t.endSample() / Mouth.WINDOW_SAMPLES) * pxPerWindow;
        int y = wordTop + (t.index() % 2 == 0 ? 14 : 32);
        g.setColor(new Color(0x37474F));
        g.drawLine(x0, y + 3, Math.max(x0 + 1, x1 - 1), y + 3);
        g.drawLine(x0, y - 10, x0, y + 3);
        g.drawString(t.word(), x0 + 2, y);
      }
      // Legend.
      int x = left;
      for (Viseme v : Viseme.values()) {
        g.setColor(COLORS[v.ordinal()]);
        g.fillRect(x, legendTop, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString(v.oculusName(), x + 18, legendTop + 12);
        x += 30 + fm.stringWidth(v.oculusName());
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  private static void label(Graphics2D g, String text, int y) {
    g.setColor(Color.GRAY);
    g.drawString(text, 2, y);
  }
}
