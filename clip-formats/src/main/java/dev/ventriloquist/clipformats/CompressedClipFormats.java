package dev.ventriloquist.clipformats;

import com.jcraft.jogg.Packet;
import com.jcraft.jogg.Page;
import com.jcraft.jogg.StreamState;
import com.jcraft.jogg.SyncState;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.JavaLayerException;
import javazoom.jl.decoder.MP3Decoder;
import javazoom.jl.decoder.OutputBuffer;
import org.jflac.FLACDecoder;
import org.jflac.PCMProcessor;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;
import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.SampleFormat;
import dev.ventriloquist.runtime.internal.clone.ClipDecodeException;
import dev.ventriloquist.runtime.internal.clone.ClipDecoder;
import dev.ventriloquist.runtime.internal.clone.ClipFormat;
import dev.ventriloquist.runtime.internal.clone.CompressedClipDecoder;
import dev.ventriloquist.runtime.internal.clone.Problem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;

/**
 * MP3 (JLayer), FLAC (jflac) and OGG/Vorbis (JOrbis) reference clips, all pure Java. Found by the runtime through
 * {@link java.util.ServiceLoader}; without this module on the class path only WAV clips are read.
 *
 * <p>Input is untrusted and compressed formats expand: decoding stops once the audio passes
 * {@link ClipDecoder#MAX_DECODED_SECONDS}. Stateless and thread-safe.
 */
public final class CompressedClipFormats implements CompressedClipDecoder {
  /** Called by {@link java.util.ServiceLoader}. */
  public CompressedClipFormats() {}

  @Override
  public Set<ClipFormat> formats() {
    return Set.of(ClipFormat.MP3, ClipFormat.FLAC, ClipFormat.OGG_VORBIS);
  }

  @Override
  public PcmAudio decode(ClipFormat format, byte[] file, String name) throws Exception {
    return switch (format) {
      case MP3 -> decodeMp3(file, name);
      case FLAC -> decodeFlac(file, name);
      case OGG_VORBIS -> decodeVorbis(file, name);
      default -> throw new IllegalArgumentException(format + " is not a compressed format");
    };
  }

  private static PcmAudio decodeMp3(byte[] file, String name) throws JavaLayerException, ClipDecodeException {
    Bitstream bitstream = new Bitstream(new ByteArrayInputStream(file));
    Header header = bitstream.readFrame();
    if (header == null) {
      throw new ClipDecodeException(Problem.UNREADABLE, name + " has no MP3 frames");
    }
    int channels = header.mode() == Header.SINGLE_CHANNEL ? 1 : 2;
    int rate = header.frequency();
    OutputBuffer out = new OutputBuffer(channels, false); // 16-bit little-endian, interleaved
    MP3Decoder decoder = new MP3Decoder();
    decoder.setOutputBuffer(out);
    FloatSink sink = new FloatSink((long) ClipDecoder.MAX_DECODED_SECONDS * rate * channels, name);
    while (header != null) {
      decoder.decodeFrame(header, bitstream);
      bitstream.closeFrame();
      int bytes = out.reset();
      byte[] buf = out.getBuffer();
      for (int i = 0; i + 1 < bytes; i += 2) {
        sink.add((short) ((buf[i] & 0xFF) | buf[i + 1] << 8) / 32768f);
      }
      header = bitstream.readFrame();
    }
    bitstream.close();
    return new PcmAudio(sink.toArray(), rate, channels, SampleFormat.PCM_16);
  }

  private static PcmAudio decodeFlac(byte[] file, String name) throws IOException, ClipDecodeException {
    FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(file));
    FlacCollector collector = new FlacCollector(name);
    decoder.addPCMProcessor(collector);
    try {
      decoder.decode();
    } catch (TooLongSignal e) {
      throw ClipDecoder.tooLong(name);
    }
    StreamInfo info = collector.info;
    if (info == null) {
      throw new ClipDecodeException(Problem.UNREADABLE, name + " has no FLAC stream info");
    }
    SampleFormat format = info.getBitsPerSample() > 16 ? SampleFormat.PCM_24 : SampleFormat.PCM_16;
    float[] samples = collector.sink.toArray();
    int channels = info.getChannels();
    samples = Arrays.copyOf(samples, samples.length - samples.length % channels);
    return new PcmAudio(samples, info.getSampleRate(), channels, format);
  }

  /** Collects jflac's little-endian PCM bytes as floats. */
  private static final class FlacCollector implements PCMProcessor {
    private final String name;
    private StreamInfo info;
    private FloatSink sink;
    private int bytesPerSample;
    private float scale;

    FlacCollector(String name) {
      this.name = name;
    }

    @Override
    public void processStreamInfo(StreamInfo streamInfo) {
      int bits = streamInfo.getBitsPerSample();
      if (bits != 8 && bits != 16 && bits != 24) {
        throw new IllegalArgumentException("unsupported FLAC bit depth " + bits);
      }
      if (streamInfo.getSampleRate() <= 0 || streamInfo.getChannels() <= 0) {
        throw new IllegalArgumentException("bad FLAC stream info " + streamInfo);
      }
      this.info = streamInfo;
      this.bytesPerSample = bits / 8;
      this.scale = 1f / (1 << (bits - 1));
      this.sink = new FloatSink((long) ClipDecoder.MAX_DECODED_SECONDS * streamInfo.getSampleRate() * streamInfo.getChannels(),
          name);
    }

    @Override
    public void processPCM(ByteData pcm) {
      if (sink == null) {
        throw new IllegalStateException("FLAC audio before its stream info");
      }
      byte[] d = pcm.getData();
      int len = pcm.getLen();
      try {
        switch (bytesPerSample) {
          case 1 -> { // jflac writes 8-bit samples unsigned, 128 = silence
            for (int i = 0; i < len; i++) {
              sink.add(((d[i] & 0xFF) - 128) * scale);
            }
          }
          case 2 -> {
            for (int i = 0; i + 1 < len; i += 2) {
              sink.add((short) ((d[i] & 0xFF) | d[i + 1] << 8) * scale);
            }
          }
          default -> {
            for (int i = 0; i + 2 < len; i += 3) {
              sink.add(((d[i] & 0xFF) | (d[i + 1] & 0xFF) << 8 | d[i + 2] << 16) * scale);
            }
          }
        }
      } catch (ClipDecodeException e) {
        throw new TooLongSignal();
      }
    }
  }

  /** Unwinds jflac's callback-driven loop when the clip passes the length cap. */
  private static final class TooLongSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLongSignal() {
      super(null, null, false, false);
    }
  }

  /**
   * The classic JOrbis decode loop: sync pages, split them into packets, read the three Vorbis headers, then
   * synthesise PCM block by block. The whole file is fed to the sync layer at once (it is at most 10 MB).
   */
  private static PcmAudio decodeVorbis(byte[] file, String name) throws ClipDecodeException {
    SyncState sync = new SyncState();
    StreamState stream = new StreamState();
    Page page = new Page();
    Packet packet = new Packet();
    Info info = new Info();
    Comment comment = new Comment();
    sync.init();
    int at = sync.buffer(file.length);
    System.arraycopy(file, 0, sync.data, at, file.length);
    sync.wrote(file.length);

    if (sync.pageout(page) != 1) {
      throw new ClipDecodeException(Problem.UNREADABLE, name + " has no Ogg page");
    }
    stream.init(page.serialno());
    info.init();
    comment.init();
    if (stream.pagein(page) < 0 || stream.packetout(packet) != 1 || info.synthesis_headerin(comment, packet) < 0) {
      throw new ClipDecodeException(Problem.UNREADABLE, name + " has no Vorbis identification header");
    }
    int headers = 1;
    while (headers < 3) {
      int r = sync.pageout(page);
      if (r == 0) {
        throw new ClipDecodeException(Problem.UNREADABLE, name + " ends inside its Vorbis headers");
      }
      if (r < 0) {
        continue;
      }
      stream.pagein(page);
      while (headers < 3) {
        r = stream.packetout(packet);
        if (r == 0) {
          break;
        }
        if (r < 0 || info.synthesis_headerin(comment, packet) < 0) {
          throw new ClipDecodeException(Problem.UNREADABLE, name + " has a corrupt Vorbis header");
        }
        headers++;
      }
    }
    int channels = info.channels;
    int rate = info.rate;
    if (channels < 1 || channels > 8 || rate < 1000 || rate > 384_000) {
      throw new ClipDecodeException(Problem.UNREADABLE,
          name + ": implausible Vorbis stream (" + channels + " channels, " + rate + " Hz)");
    }
    DspState dsp = new DspState();
    Block block = new Block(dsp);
    dsp.synthesis_init(info);
    block.init(dsp);
    float[][][] pcmOut = new float[1][][];
    int[] index = new int[channels];
    FloatSink sink = new FloatSink((long) ClipDecoder.MAX_DECODED_SECONDS * rate * channels, name);
    boolean end = false;
    while (!end) {
      int r = sync.pageout(page);
      if (r == 0) {
        break; // everything fed has been consumed
      }
      if (r < 0) {
        continue; // a hole in the data: skip to the next page
      }
      stream.pagein(page);
      while (true) {
        r = stream.packetout(packet);
        if (r == 0) {
          break;
        }
        if (r < 0) {
          continue;
        }
        if (block.synthesis(packet) == 0) {
          dsp.synthesis_blockin(block);
        }
        int n;
        while ((n = dsp.synthesis_pcmout(pcmOut, index)) > 0) {
          float[][] pcm = pcmOut[0];
          for (int s = 0; s < n; s++) {
            for (int c = 0; c < channels; c++) {
              sink.add(pcm[c][index[c] + s]);
            }
          }
          dsp.synthesis_read(n);
        }
      }
      end = page.eos() != 0;
    }
    return new PcmAudio(sink.toArray(), rate, channels, SampleFormat.FLOAT_32);
  }

  /** A growable float array with a hard cap (the decoded-length limit). */
  private static final class FloatSink {
    private final long cap;
    private final String name;
    private float[] data = new float[1 << 16];
    private int size;

    FloatSink(long cap, String name) {
      this.cap = Math.min(cap, Integer.MAX_VALUE - 16);
      this.name = name;
    }

    void add(float v) throws ClipDecodeException {
      if (size == data.length) {
        if (size >= cap) {
          throw ClipDecoder.tooLong(name);
        }
        data = Arrays.copyOf(data, (int) Math.min(cap + 1, (long) size * 2));
      }
      data[size++] = v;
    }

    float[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
