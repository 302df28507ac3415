package dev.ventriloquist.importer.internal.onnx;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;
import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attrs;

import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.SpeakerEncoderConfig;

/**
 * {@code speaker_encoder.onnx}: wav24k f32[1,N] (mono, 24 kHz, N > 384) -> spk_embed f32[1,D], the x-vector of a
 * reference clip.
 *
 * <p>Front end (in the graph): reflect pad 384 per side, STFT as a strided Conv1d with fixed periodic-Hann cos/sin
 * kernels (n_fft 1024, hop 256, no centering), magnitude {@code sqrt(re^2 + im^2 + 1e-9)}, Slaney mel basis
 * [128, 513] (fmax 12 kHz), {@code log(max(mel, 1e-5))}. Front-end constants stay fp32 in every precision.
 *
 * <p>ECAPA-TDNN (no BatchNorm in this variant; every conv pads "same" with reflection): TDNN k5, three SE-Res2Net
 * blocks (dilations from config), multi-layer aggregation of blocks 1..3, attentive statistics pooling, 1x1 conv to D.
 */
public final class SpeakerEncoderGraph implements PackGraph {
  static final String FILE = "speaker_encoder.onnx";
  static final int N_FFT = 1024;
  static final int HOP = 256;
  static final double FMAX = 12000;

  @Override
  public String fileName() {
    return FILE;
  }

  @Override
  public long weightElements(Sources src) {
    return src.elements(src.main(), "speaker_encoder.");
  }

  @Override
  public void build(GraphBuilder g, Sources src) {
    SpeakerEncoderConfig s = src.checkpoint().config().speakerEncoder();
    SafetensorsFile f = src.main();
    String wav = g.input("wav24k", GraphBuilder.FLOAT, 1, "N");
    String mel = logMel(g, wav, s.sampleRate(), s.melDim());
    int[] ch = s.encChannels();
    int[] k = s.kernelSizes();
    int[] dil = s.dilations();
    String x = tdnn(g, f, mel, "speaker_encoder.blocks.0.conv", ch[0], s.melDim(), k[0], dil[0]);
    int blocks = ch.length - 2;
    String[] outs = new String[blocks];
    for (int b = 1; b <= blocks; b++) {
      x = seRes2Block(g, f, x, "speaker_encoder.blocks." + b + ".", ch[b - 1], ch[b], k[b], dil[b],
          s.res2netScale(), s.seChannels());
      outs[b - 1] = x;
    }
    int cat = 0;
    for (int b = 1; b <= blocks; b++) {
      cat += ch[b];
    }
    int c = ch[ch.length - 1];
    x = tdnn(g, f, g.concat(1, outs), "speaker_encoder.mfa.conv", c, cat, k[k.length - 1], dil[dil.length - 1]);
    x = attentiveStatsPool(g, f, x, c, s.attentionChannels()); // [1, 2C, 1]
    x = conv(g, f, x, "speaker_encoder.fc", s.encDim(), 2 * c, 1, 1);
    g.output("spk_embed", g.reshape(x, 1, s.encDim()), GraphBuilder.FLOAT, 1, s.encDim());
  }

  /** [1,N] -> log-mel [1, nMels, frames], frames = floor(N / 256) for N >= 256. */
  static String logMel(GraphBuilder g, String wav, int sampleRate, int nMels) {
    int pad = (N_FFT - HOP) / 2;
    String padded = g.op("Pad", new String[] {wav, g.constI64(0, pad, 0, pad)}, GraphBuilder.attrString("mode",
        "reflect"));
    int bins = N_FFT / 2 + 1;
    float[] kernel = new float[2 * bins * N_FFT];
    for (int b = 0; b < bins; b++) {
      for (int n = 0; n < N_FFT; n++) {
        double win = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / N_FFT); // periodic Hann
        double ang = 2 * Math.PI * ((long) b * n % N_FFT) / N_FFT;
        kernel[b * N_FFT + n] = (float) (win * Math.cos(ang));
        kernel[(bins + b) * N_FFT + n] = (float) (-win * Math.sin(ang));
      }
    }
    String spec = g.op("Conv", new String[] {g.unsqueeze(padded, 1), g.constF("stft", kernel, 2L * bins, 1, N_FFT)},
        attrs("kernel_shape", N_FFT), attrs("strides", HOP)); // [1, 2*bins, F]
    String re = g.slice(spec, 1, 0, bins);
    String im = g.slice(spec, 1, bins, 2L * bins);
    String mag = g.op("Sqrt", g.add(g.add(g.mul(re, re), g.mul(im, im)), g.scalarF(1e-9f)));
    float[] basis = MelFilterbank.slaney(sampleRate, N_FFT, nMels, 0, FMAX);
    String mel = g.matMul(g.constF("mel_basis", basis, nMels, bins), mag); // [1, nMels, F]
    return g.op("Log", g.op("Max", mel, g.scalarF(1e-5f)));
  }

  /** Conv1d with "same" reflect padding (left = total/2, right = rest), no activation. */
  static String conv(GraphBuilder g, SafetensorsFile f, String x, String p, int cout, int cin, int k, int d) {
    int total = d * (k - 1);
    String in = x;
    if (total > 0) {
      in = g.op("Pad", new String[] {x, g.constI64(0, 0, total / 2, 0, 0, total - total / 2)},
          GraphBuilder.attrString("mode", "reflect"));
    }
    return g.op("Conv", new String[] {in, g.weight(p + ".weight", Blocks.tensor(f, p + ".weight", cout, cin, k), cout,
            cin, k), g.constF("b", Blocks.tensor(f, p + ".bias", cout), cout)},
        attrs("kernel_shape", k), attrs("dilations", d));
  }

  /** TDNN block: reflect-padded conv then ReLU. */
  static String tdnn(GraphBuilder g, SafetensorsFile f, String x, String p, int cout, int cin, int k, int d) {
    return g.op("Relu", conv(g, f, x, p, cout, cin, k, d));
  }

  /**
   * SE-Res2Net block: {@code x + SE(TDNN2(Res2Net(TDNN1(x))))}. Res2Net splits channels into {@code scale} chunks:
   * o0 = s0, o1 = tdnn0(s1), oi = tdnn_{i-1}(si + o_{i-1}).
   */
  static String seRes2Block(GraphBuilder g, SafetensorsFile f, String x, String p, int cin, int c, int k, int d,
      int scale, int se) {
    String h = tdnn(g, f, x, p + "tdnn1.conv", c, cin, 1, 1);
    String[] parts = new String[scale];
    for (int i = 0; i < scale; i++) {
      parts[i] = g.fresh("res2_in");
    }
    g.node("Split", new String[] {h}, parts, attr("axis", 1));
    int w = c / scale;
    String[] outs = new String[scale];
    outs[0] = parts[0];
    for (int i = 1; i < scale; i++) {
      String in = i == 1 ? parts[1] : g.add(parts[i], outs[i - 1]);
      outs[i] = tdnn(g, f, in, p + "res2net_block.blocks." + (i - 1) + ".conv", w, w, k, d);
    }
    h = tdnn(g, f, g.concat(1, outs), p + "tdnn2.conv", c, c, 1, 1);
    String m = g.op("ReduceMean", h, attrs("axes", 2), attr("keepdims", 1)); // [1,C,1]
    String sq = g.op("Relu", conv(g, f, m, p + "se_block.conv1", se, c, 1, 1));
    String gate = g.op("Sigmoid", conv(g, f, sq, p + "se_block.conv2", c, se, 1, 1));
    return g.add(g.mul(h, gate), x);
  }

  /**
   * Attentive statistics pooling over time, eps 1e-12: attention logits from [x, mean, std] (uniform weights for the
   * global context), softmax over time per channel, weighted mean and std concatenated: [1,C,T] -> [1,2C,1].
   */
  static String attentiveStatsPool(GraphBuilder g, SafetensorsFile f, String x, int c, int att) {
    String eps = g.scalarF(1e-12f);
    String mean = g.op("ReduceMean", x, attrs("axes", 2), attr("keepdims", 1));
    String dev = g.sub(x, mean);
    String std = g.op("Sqrt", g.op("Max", g.op("ReduceMean", g.mul(dev, dev), attrs("axes", 2),
        attr("keepdims", 1)), eps));
    String shape = g.op("Shape", x);
    String ctx = g.concat(1, x, g.op("Expand", mean, shape), g.op("Expand", std, shape)); // [1,3C,T]
    String a = g.op("Tanh", tdnn(g, f, ctx, "speaker_encoder.asp.tdnn.conv", att, 3 * c, 1, 1));
    a = conv(g, f, a, "speaker_encoder.asp.conv", c, att, 1, 1);
    String w = g.op("Softmax", a, attr("axis", 2));
    String axes = g.constI64(2);
    String mu = g.op("ReduceSum", new String[] {g.mul(w, x), axes}, attr("keepdims", 1));
    String d2 = g.sub(x, mu);
    String sg = g.op("Sqrt", g.op("Max", g.op("ReduceSum", new String[] {g.mul(w, g.mul(d2, d2)), axes},
        attr("keepdims", 1)), eps));
    return g.concat(1, mu, sg);
  }
}
