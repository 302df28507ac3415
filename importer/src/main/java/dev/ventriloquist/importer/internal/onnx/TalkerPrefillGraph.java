package dev.ventriloquist.importer.internal.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.ventriloquist.runtime.internal.model.PackRoles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code talker_prefill.onnx}: the quantised in-place talker ({@link TalkerInPlaceGraph}) with every
 * {@code MatMulNBits} replaced by {@code com.microsoft::DynamicQuantizeMatMul}, for prompts of many positions.
 *
 * <p>Why: ONNX Runtime's 4-bit kernel runs a many-row product (a prompt of S positions is an [S, K] x [K, N] product)
 * at about an fp32 GEMM's rate, while its 8-bit GEMM with per-column scales (the QGEMM behind
 * {@code DynamicQuantizeMatMul}, VNNI/AMX on x86) runs it several times faster. On the synthetic 0.6B int4 pack, 2
 * threads, a 106-position prefill took 374-500 ms through {@code talker_inplace.onnx} and 184-195 ms here; at 16
 * positions the 4-bit graph is still faster (77 against 96 ms), so the runtime uses this graph only for long prompts.
 *
 * <p>The 8-bit weights are not stored (the pack would grow by a second copy of the talker, 450 MB for 0.6B): each
 * {@code [K, N]} int8 weight and its {@code [N]} scales are graph inputs, and the runtime derives them from the 4-bit
 * (or 8-bit) blocks the in-place graph already stores (dequantised, then requantised symmetrically per output
 * column). The graph's metadata entry {@link PackRoles#PREFILL_LINEARS} says where each input's source blocks lie:
 * one line per weight, {@code input K N bits blockSize dataFile dataOffset dataLength scalesFile scalesOffset
 * scalesLength}, each file a data file of the pack (the in-place graph's, or this graph's own for the few small
 * tensors the in-place graph holds inline). Every other initializer (norms, RoPE tables) is the in-place graph's own entry, so it
 * points into the same data file: nothing else is duplicated on disk.
 *
 * <pre>
 * in   as talker_inplace.onnx, and per Linear weight W [N, K]:
 *      W            i8[K, N]   round(w / s_n), |.| &lt;= 127
 *      W_scales     f32[N]     s_n = max_k |w[n, k]| / 127
 * out  as talker_inplace.onnx
 * </pre>
 */
public final class TalkerPrefillGraph {
  public static final String FILE = "talker_prefill.onnx";
  public static final String ROLE = PackRoles.TALKER_PREFILL;

  private TalkerPrefillGraph() {}

  /**
   * Writes {@link #FILE} (and {@code talker_prefill.onnx.data} when the in-place graph holds weights inline) beside
   * {@code inPlace}.
   *
   * @return the files written, relative to the pack
   * @throws IllegalStateException if {@code inPlace} has no 4- or 8-bit weights
   */
  public static List<String> write(Path inPlace) throws IOException {
    ModelProto model;
    try (InputStream in = Files.newInputStream(inPlace)) {
      model = ModelProto.parseFrom(in);
    }
    Path dir = inPlace.getParent();
    String ownData = FILE + ".data";
    Files.deleteIfExists(dir.resolve(ownData));
    GraphProto src = model.getGraph();
    Map<String, TensorProto> inits = new HashMap<>();
    for (TensorProto t : src.getInitializerList()) {
      inits.put(t.getName(), t);
    }
    GraphProto.Builder g = src.toBuilder().clearNode().clearInitializer();
    Map<String, String> derived = new LinkedHashMap<>(); // weight initializer -> metadata line
    java.util.Set<String> replaced = new java.util.HashSet<>(); // the weights and scales no node reads any more
    long ownOffset = 0;
    List<String> written = new ArrayList<>();
    try (OutputStream own = new BufferedOutputStream(Files.newOutputStream(dir.resolve(ownData)), 1 << 20)) {
      for (NodeProto n : src.getNodeList()) {
        if (!n.getOpType().equals("MatMulNBits")) {
          g.addNode(n);
          continue;
        }
        long k = attr(n, "K");
        long nOut = attr(n, "N");
        String w = n.getInput(1);
        String s = n.getInput(2);
        if (!derived.containsKey(w)) {
          StringBuilder line = new StringBuilder(w);
          if (inits.get(w) == null || inits.get(s) == null) {
            throw new IllegalStateException(inPlace + ": " + n.getName() + " reads a weight that is not stored");
          }
          line.append(' ').append(k).append(' ').append(nOut).append(' ').append(attr(n, "bits")).append(' ')
              .append(attr(n, "block_size"));
          for (TensorProto t : new TensorProto[] {inits.get(w), inits.get(s)}) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
              Map<String, String> ext = new HashMap<>();
              for (StringStringEntryProto e : t.getExternalDataList()) {
                ext.put(e.getKey(), e.getValue());
              }
              line.append(' ').append(ext.get("location")).append(' ').append(ext.getOrDefault("offset", "0"))
                  .append(' ').append(ext.get("length"));
            } else {
              byte[] raw = t.getRawData().toByteArray();
              long pad = (64 - ownOffset % 64) % 64;
              own.write(new byte[(int) pad]);
              ownOffset += pad;
              own.write(raw);
              line.append(' ').append(ownData).append(' ').append(ownOffset).append(' ').append(raw.length);
              ownOffset += raw.length;
            }
          }
          derived.put(w, line.toString());
          replaced.add(w);
          replaced.add(s);
          g.addInput(input(w, TensorProto.DataType.INT8_VALUE, k, nOut));
          g.addInput(input(w + "_scales", TensorProto.DataType.FLOAT_VALUE, nOut));
        }
        g.addNode(NodeProto.newBuilder().setOpType("DynamicQuantizeMatMul").setDomain(GraphBuilder.CONTRIB_DOMAIN)
            .setName(n.getName().replace("MatMulNBits", "DynamicQuantizeMatMul")).addInput(n.getInput(0))
            .addInput(w).addInput(w + "_scales").addAllOutput(n.getOutputList()));
      }
    }
    if (derived.isEmpty()) {
      Files.deleteIfExists(dir.resolve(ownData));
      throw new IllegalStateException(inPlace + " has no 4- or 8-bit Linear weights to derive a prefill graph from");
    }
    for (TensorProto t : src.getInitializerList()) {
      if (!replaced.contains(t.getName())) {
        g.addInitializer(t);
      }
    }
    ModelProto out = model.toBuilder().setGraph(g)
        .setDocString(model.getDocString() + "; prefill: 8-bit weights derived at run time")
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey(PackRoles.PREFILL_LINEARS)
            .setValue(String.join("\n", derived.values())))
        .build();
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(dir.resolve(FILE)), 1 << 20)) {
      out.writeTo(o);
    }
    written.add(FILE);
    if (ownOffset > 0) {
      written.add(ownData);
    } else {
      Files.deleteIfExists(dir.resolve(ownData));
    }
    return written;
  }

  private static long attr(NodeProto n, String name) {
    return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException(n.getName() + " has no attribute " + name)).getI();
  }

  private static ValueInfoProto input(String name, int type, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
  }
}
