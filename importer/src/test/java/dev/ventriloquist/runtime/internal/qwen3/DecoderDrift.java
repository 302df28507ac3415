package dev.ventriloquist.runtime.internal.qwen3;

import dev.ventriloquist.api.DevicePreference;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measurement helper: {@code <pack-a> <pack-b> [frames] [seeds]} decodes the same random code sequences whole with
 * both packs' codec decoders ({@link StreamingDecoder#decodeAll(Qwen3Sessions, int[], int, int)}) and prints the
 * relative L2 distance and the largest sample difference of the PCM per sequence, e.g. fp32 against fp16-stored
 * decoder weights.
 */
public final class DecoderDrift {
  private DecoderDrift() {}

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    Qwen3ModelPack a = Qwen3ModelPack.load(Path.of(args[0]));
    Qwen3ModelPack b = Qwen3ModelPack.load(Path.of(args[1]));
    int frames = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int seeds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int groups = a.manifest().numCodeGroups;
    int spf = a.samplesPerFrame();
    try (Qwen3Sessions sa = Qwen3Sessions.open(a, DevicePreference.CPU, 2);
        Qwen3Sessions sb = Qwen3Sessions.open(b, DevicePreference.CPU, 2)) {
      for (int seed = 1; seed <= seeds; seed++) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] codes = new int[frames * groups];
        for (int i = 0; i < codes.length; i++) {
          codes[i] = rng.nextInt(2048);
        }
        float[] x = StreamingDecoder.decodeAll(sa, codes, groups, spf);
        float[] y = StreamingDecoder.decodeAll(sb, codes, groups, spf);
        double num = 0;
        double den = 0;
        double max = 0;
        double peak = 0;
        for (int i = 0; i < x.length; i++) {
          double d = (double) y[i] - x[i];
          num += d * d;
          den += (double) x[i] * x[i];
          max = Math.max(max, Math.abs(d));
          peak = Math.max(peak, Math.abs(x[i]));
        }
        System.out.printf("seed=%d frames=%d samples=%d rel_l2=%.3g max_abs_diff=%.3g peak=%.3g rms=%.3g%n", seed,
            frames, x.length, Math.sqrt(num / den), max, peak, Math.sqrt(den / x.length));
      }
    }
  }
}
