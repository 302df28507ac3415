package dev.ventriloquist.importer.internal.onnx;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;

import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;

/**
 * {@code text_embed.onnx}: input_ids i64[1,S] -> text_embeds f32[1,S,D]. The text embedding [V_text, D_text] followed
 * by the text projection MLP {@code fc2(silu(fc1(e) + b1)) + b2}. Gather runs on the stored table (fp16 stays fp16)
 * and only the gathered rows are cast.
 */
public final class TextEmbedGraph implements PackGraph {
  public static final String FILE = "text_embed.onnx";

  @Override
  public String fileName() {
    return FILE;
  }

  @Override
  public boolean quantizable() {
    return true;
  }

  @Override
  public long weightElements(Sources src) {
    return src.elements(src.main(), "talker.model.text_embedding.", "talker.text_projection.");
  }

  @Override
  public void build(GraphBuilder g, Sources src) {
    TalkerConfig t = src.checkpoint().config().talker();
    SafetensorsFile f = src.main();
    int dt = t.textHiddenSize();
    String ids = g.input("input_ids", GraphBuilder.INT64, 1, "S");
    String table = g.weightRaw("talker.model.text_embedding.weight",
        Blocks.tensor(f, "talker.model.text_embedding.weight", t.textVocabSize(), dt), t.textVocabSize(), dt);
    String e = g.toFloat(g.op("Gather", table, ids, attr("axis", 0))); // [1,S,Dt]
    String h = Blocks.linear(g, f, e, "talker.text_projection.linear_fc1.weight",
        "talker.text_projection.linear_fc1.bias", dt, dt);
    h = Blocks.linear(g, f, Blocks.silu(g, h), "talker.text_projection.linear_fc2.weight",
        "talker.text_projection.linear_fc2.bias", t.hiddenSize(), dt);
    g.output("text_embeds", h, GraphBuilder.FLOAT, 1, "S", t.hiddenSize());
  }
}
