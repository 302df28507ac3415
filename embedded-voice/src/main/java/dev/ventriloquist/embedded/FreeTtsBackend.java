package dev.ventriloquist.embedded;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.sound.sampled.AudioFormat;

import com.sun.speech.freetts.Voice;
import com.sun.speech.freetts.VoiceManager;
import com.sun.speech.freetts.audio.AudioPlayer;

import dev.ventriloquist.api.EmbeddedVoiceParams;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.internal.audio.Resampler;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * The embedded default voice: FreeTTS with its kevin16 diphone voice, used when no model pack is installed so a
 * game speaks out of the box. It does <b>not</b> clone anyone: every character gets kevin16 with the pitch, pitch
 * range and rate of its voice pack ({@link EmbeddedVoiceParams}), so characters at least sound different.
 *
 * <p>FreeTTS renders 16 kHz mono 16-bit audio one utterance at a time. The line is split into sentences; each is
 * rendered, resampled to 24 kHz as a whole (sentence ends are silent, so there is no seam) and written to the sink,
 * and cancellation is checked between sentences. FreeTTS voices are not thread-safe, so synthesis is serialized on
 * the one voice this backend owns.
 */
public final class FreeTtsBackend implements SynthesisBackend {
  public static final String NAME = "embedded-freetts";
  private static final String VOICE = "kevin16";
  /** Bumped whenever a change here changes the audio, so cached lines of the old version are not reused. */
  private static final int AUDIO_VERSION = 1;

  private final Object lock = new Object();
  private Voice voice; // guarded by lock; allocated on first use (~0.25 s)
  private boolean closed; // guarded by lock

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Embedded voice (FreeTTS " + VOICE + ", not cloned)";
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
  }

  @Override
  public String fingerprint(SynthesisRequest request) {
    EmbeddedVoiceParams p = params(request);
    return String.format(Locale.ROOT, "%s/%s/v%d/pitch=%.3f/range=%.3f/rate=%.3f", NAME, VOICE, AUDIO_VERSION,
        p.pitchHz(), p.pitchRangeHz(), p.wordsPerMinute());
  }

  @Override
  public void synthesize(SynthesisRequest request, PcmSink sink) throws SynthesisException {
    EmbeddedVoiceParams p = params(request);
    if (!speakable(request.text())) {
      throw unspeakable(request.text());
    }
    long written = 0;
    for (String sentence : sentences(request.text())) {
      if (sink.isCancelled()) {
        return;
      }
      byte[] pcm;
      int rate;
      synchronized (lock) {
        Voice v = voice();
        v.setPitch(p.pitchHz());
        v.setPitchRange(p.pitchRangeHz());
        v.setRate(p.wordsPerMinute());
        CollectingPlayer player = new CollectingPlayer(sink);
        v.setAudioPlayer(player);
        v.speak(sentence);
        pcm = player.bytes.toByteArray();
        rate = player.format == null ? 16_000 : (int) player.format.getSampleRate();
        if (player.format != null && (player.format.getSampleSizeInBits() != 16 || player.format.getChannels() != 1)) {
          throw new SynthesisException("FreeTTS produced an unexpected format: " + player.format);
        }
        if (player.format != null && player.format.isBigEndian()) {
          swapBytes(pcm);
        }
      }
      float[] samples = new float[pcm.length / 2];
      for (int i = 0; i < samples.length; i++) {
        samples[i] = (short) ((pcm[2 * i] & 0xFF) | (pcm[2 * i + 1] << 8)) / 32768f;
      }
      float[] out = Resampler.resample(samples, rate, EngineConfig.SAMPLE_RATE);
      if (!sink.isCancelled()) {
        sink.write(out, 0, out.length);
        written += out.length;
      }
    }
    if (written == 0 && !sink.isCancelled()) {
      throw unspeakable(request.text());
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (voice != null) {
        voice.deallocate();
        voice = null;
      }
    }
  }

  private Voice voice() throws SynthesisException {
    if (closed) {
      throw new SynthesisException("the embedded voice was closed");
    }
    if (voice == null) {
      // FreeTTS finds its voices through this property; the kevin16 directory ships inside the FreeTTS jar.
      if (System.getProperty("freetts.voices") == null) {
        System.setProperty("freetts.voices", "com.sun.speech.freetts.en.us.cmu_us_kal.KevinVoiceDirectory");
      }
      Voice v = VoiceManager.getInstance().getVoice(VOICE);
      if (v == null) {
        throw new SynthesisException("the embedded FreeTTS voice " + VOICE + " is missing from the class path");
      }
      v.allocate();
      voice = v;
    }
    return voice;
  }

  /** kevin16 pronounces English words and numbers; a line without one Latin letter or digit gives no sound. */
  static boolean speakable(String text) {
    return text.codePoints().anyMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  }

  private static SynthesisException unspeakable(String text) {
    String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
    return new SynthesisException("the embedded voice (FreeTTS " + VOICE + ", English only) cannot speak \"" + shown
        + "\": it has no English words or numbers to pronounce; write the line in English, or install a model pack"
        + " (--model) for other languages");
  }

  private static EmbeddedVoiceParams params(SynthesisRequest request) {
    return request.character().voicePack().map(VoicePack::embedded).orElse(EmbeddedVoiceParams.DEFAULT);
  }

  /** Splits after . ! ? (and their CJK forms) followed by a space, keeping each sentence's punctuation. */
  static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean end = c == '.' || c == '!' || c == '?' || c == '。' || c == '！' || c == '？';
      if (end && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)))) {
        add(out, text.substring(start, i + 1));
        start = i + 1;
      }
    }
    add(out, text.substring(start));
    return out;
  }

  private static void add(List<String> out, String s) {
    String t = s.strip();
    if (!t.isEmpty()) {
      out.add(t);
    }
  }

  private static void swapBytes(byte[] b) {
    for (int i = 0; i + 1 < b.length; i += 2) {
      byte t = b[i];
      b[i] = b[i + 1];
      b[i + 1] = t;
    }
  }

  /** Receives FreeTTS's audio for one sentence; refuses more once the line is cancelled. */
  private static final class CollectingPlayer implements AudioPlayer {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PcmSink sink;
    AudioFormat format;

    CollectingPlayer(PcmSink sink) {
      this.sink = sink;
    }

    @Override
    public void setAudioFormat(AudioFormat format) {
      this.format = format;
    }

    @Override
    public AudioFormat getAudioFormat() {
      return format;
    }

    @Override
    public boolean write(byte[] audio) {
      return write(audio, 0, audio.length);
    }

    @Override
    public boolean write(byte[] audio, int offset, int size) {
      if (sink.isCancelled()) {
        return false;
      }
      bytes.write(audio, offset, size);
      return true;
    }

    @Override
    public void begin(int size) {}

    @Override
    public boolean end() {
      return !sink.isCancelled();
    }

    @Override
    public boolean drain() {
      return true;
    }

    @Override
    public void pause() {}

    @Override
    public void resume() {}

    @Override
    public void reset() {}

    @Override
    public void cancel() {}

    @Override
    public void close() {}

    @Override
    public float getVolume() {
      return 1f;
    }

    @Override
    public void setVolume(float volume) {}

    @Override
    public long getTime() {
      return 0;
    }

    @Override
    public void resetTime() {}

    @Override
    public void startFirstSampleTimer() {}

    @Override
    public void showMetrics() {}
  }
}
