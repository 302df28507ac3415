package dev.ventriloquist.runtime.internal.model;

/**
 * Names under which {@code model.json} lists the newer graphs and tables, and limits both the importer (which builds
 * them) and the runtime (which opens them) must agree on.
 */
public final class PackRoles {
  /** {@code talker_inplace.onnx}: the talker with its KV cache written in place (GroupQueryAttention). */
  public static final String TALKER_INPLACE = "talkerInPlace";
  /** The in-place talker's largest cache, in positions (prompt plus frames). */
  public static final int TALKER_MAX_POSITIONS = 8192;
  /** {@code text_embed_projected.npy}: the text track's projected table [V_text, D]. */
  public static final String TEXT_TABLE = "textProjected";

  private PackRoles() {}
}
