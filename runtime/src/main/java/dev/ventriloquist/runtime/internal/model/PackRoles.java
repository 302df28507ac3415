package dev.ventriloquist.runtime.internal.model;

/**
 * Names under which {@code model.json} lists the newer graphs and tables, and limits both the importer (which builds
 * them) and the runtime (which opens them) must agree on.
 */
public final class PackRoles {
  /** {@code talker_inplace.onnx}: the talker with its KV cache written in place (GroupQueryAttention). */
  public static final String TALKER_INPLACE = "talkerInPlace";
  /**
   * {@code talker_prefill.onnx}: the quantised in-place talker with 8-bit GEMMs for long prompts, whose weights the
   * runtime derives from the in-place graph's blocks (quantised packs only).
   */
  public static final String TALKER_PREFILL = "talkerPrefill";
  /**
   * The prefill graph's metadata entry that says where each derived weight's source blocks lie: one line per weight,
   * {@code input K N bits blockSize dataFile dataOffset dataLength scalesFile scalesOffset scalesLength}.
   */
  public static final String PREFILL_LINEARS = "ventriloquist.prefill.linears";
  /** The in-place talker's largest cache, in positions (prompt plus frames). */
  public static final int TALKER_MAX_POSITIONS = 8192;
  /** {@code text_embed_projected.npy}: the text track's projected table [V_text, D]. */
  public static final String TEXT_TABLE = "textProjected";

  private PackRoles() {}
}
